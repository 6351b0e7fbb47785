/* The certificate template's preview: the iframe holds the whole A4 page at its real size and is
   scaled down to fit the column, so nothing is cropped. ES5, no inline script (CSP). */
(function () {
  'use strict';
  var box = document.querySelector('.cert-preview-fit');
  if (!box) { return; }
  var frame = box.querySelector('iframe');
  var width = parseFloat(box.getAttribute('data-page-width')) || 1147;
  var height = parseFloat(box.getAttribute('data-page-height')) || 830;

  function fit() {
    var scale = Math.min(1, box.clientWidth / width);
    frame.style.transform = 'scale(' + scale + ')';
    box.style.height = Math.ceil(height * scale) + 'px';
    box.className = box.className.replace(/\s*\bfitted\b/g, '') + ' fitted';
  }

  fit();
  window.addEventListener('resize', fit);
}());
