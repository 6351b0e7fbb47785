/* The assign form's unit tree (templates/exams/_unit_picker.html): a search box that keeps the
   units whose full path holds every word typed ("矿制 一班"), a running count of the units chosen,
   and the units already included by a chosen parent marked as such. ES5, no inline script. */
(function () {
  'use strict';
  var picker = document.getElementById('unit-picker');
  if (!picker) {
    return;
  }
  var search = picker.querySelector('.unit-search');
  var count = picker.querySelector('.unit-count');
  var none = picker.querySelector('.unit-none');
  var items = picker.querySelectorAll('.unit-tree li[data-path]');
  var countText = picker.getAttribute('data-count') || '{n}';

  function words(text) {
    var out = text.replace(/^\s+|\s+$/g, '').toLowerCase().split(/\s+/);
    return out.length === 1 && out[0] === '' ? [] : out;
  }

  function filter() {
    var terms = words(search.value);
    var shown = 0;
    for (var i = 0; i < items.length; i++) {
      var path = items[i].getAttribute('data-path').toLowerCase();
      var match = true;
      for (var j = 0; j < terms.length; j++) {
        if (path.indexOf(terms[j]) < 0) {
          match = false;
          break;
        }
      }
      items[i].hidden = !match;
      if (match) {
        shown++;
      }
    }
    none.hidden = shown > 0;
  }

  function update() {
    var chosen = [];
    var n = 0;
    var i;
    for (i = 0; i < items.length; i++) {
      if (items[i].querySelector('input').checked) {
        chosen.push(items[i].getAttribute('data-path') + ' / ');
        n++;
      }
    }
    for (i = 0; i < items.length; i++) {
      var path = items[i].getAttribute('data-path') + ' / ';
      var included = false;
      for (var j = 0; j < chosen.length; j++) {
        if (path !== chosen[j] && path.indexOf(chosen[j]) === 0) {
          included = true;
          break;
        }
      }
      items[i].classList.toggle('included', included);
    }
    count.textContent = countText.replace('{n}', String(n));
  }

  search.hidden = false;
  search.addEventListener('input', filter);
  search.addEventListener('keydown', function (event) {
    if (event.keyCode === 13) {  // Enter filters; it must not submit the assignment
      event.preventDefault();
    }
  });
  picker.addEventListener('change', update);
  update();
}());
