/* Report pages: a wide table scrolls inside its card; say so when it does.
   Marks each .table-wrap that is wider than its box ("overflows", and "at-end"
   once scrolled to its right edge) and puts a hint under it. ES5, no inline script. */
(function () {
  'use strict';
  var script = document.getElementById('reports-js');
  var hintText = script ? script.getAttribute('data-hint') : '';
  var wraps = document.querySelectorAll('.table-wrap');

  function hintOf(wrap) {
    var next = wrap.nextElementSibling;
    if (next && next.className === 'scroll-hint') {
      return next;
    }
    var hint = document.createElement('p');
    hint.className = 'scroll-hint';
    hint.textContent = hintText;
    wrap.parentNode.insertBefore(hint, wrap.nextSibling);
    return hint;
  }

  function check(wrap) {
    var over = wrap.scrollWidth > wrap.clientWidth + 1;
    var end = wrap.scrollLeft + wrap.clientWidth >= wrap.scrollWidth - 2;
    wrap.classList.toggle('overflows', over);
    wrap.classList.toggle('at-end', over && end);
    if (over) {
      hintOf(wrap).hidden = false;
    } else if (wrap.nextElementSibling && wrap.nextElementSibling.className === 'scroll-hint') {
      wrap.nextElementSibling.hidden = true;
    }
  }

  function checkAll() {
    for (var i = 0; i < wraps.length; i++) {
      check(wraps[i]);
    }
  }

  function watch(wrap) {
    wrap.addEventListener('scroll', function () { check(wrap); });
  }

  for (var i = 0; i < wraps.length; i++) {
    watch(wraps[i]);
  }
  window.addEventListener('resize', checkAll);
  checkAll();
}());
