/* Draft review page (templates/banks/drafts_review.html): keyboard shortcuts,
   selection, and the link between a draft and its sentence in the article.
   ES5 only, no inline script (the CSP forbids it). Without this file the page
   still works: every button is an ordinary submit button of the form. */
(function () {
  'use strict';
  var form = document.getElementById('drafts-form');
  if (!form) { return; }
  var drafts = Array.prototype.slice.call(form.querySelectorAll('.draft'));
  var current = -1;
  var articleBox = form.querySelector('.drafts-article-box');
  if (articleBox && window.innerWidth < 900) { articleBox.open = false; }  // on a phone the drafts come first

  function sentenceOf(draft) {
    return document.getElementById('s-' + draft.getAttribute('data-sentence'));
  }

  function mark(index, scroll) {
    var i, s;
    for (i = 0; i < drafts.length; i++) {
      drafts[i].className = drafts[i].className.replace(/\s*\bcurrent\b/g, '');
      s = sentenceOf(drafts[i]);
      if (s) { s.className = s.className.replace(/\s*\bcurrent\b/g, ''); }
    }
    if (index < 0 || index >= drafts.length) { return; }
    current = index;
    drafts[index].className += ' current';
    s = sentenceOf(drafts[index]);
    if (s) {
      s.className += ' current';
      var box = s.parentNode;
      while (box && box.className && String(box.className).indexOf('drafts-article') < 0) { box = box.parentNode; }
      if (box && box.scrollHeight > box.clientHeight) {
        box.scrollTop = Math.max(s.offsetTop - box.offsetTop - 40, 0);
      }
    }
    if (scroll) {
      drafts[index].focus();
      if (drafts[index].scrollIntoView) { drafts[index].scrollIntoView({block: 'nearest'}); }
    }
  }

  function submitWith(name, value) {
    var input = document.createElement('input');
    input.type = 'hidden';
    input.name = name;
    input.value = value;
    form.appendChild(input);
    form.submit();
  }

  function typing(el) {
    var tag = el && el.tagName;
    return tag === 'TEXTAREA' || tag === 'SELECT' || (tag === 'INPUT' && el.type === 'text');
  }

  for (var i = 0; i < drafts.length; i++) {
    (function (index) {
      // clicking into a draft (or tabbing) makes it the current one; hovering does not, so that J/K
      // keep their place while the page scrolls under the mouse
      drafts[index].addEventListener('focusin', function () { if (current !== index) { mark(index, false); } });
    })(i);
  }

  var sentences = document.querySelectorAll('.sent.src');
  for (var j = 0; j < sentences.length; j++) {
    sentences[j].addEventListener('click', function () {
      var key = this.getAttribute('data-first');
      for (var n = 0; n < drafts.length; n++) {
        if (drafts[n].getAttribute('data-key') === key) { mark(n, true); return; }
      }
    });
  }

  var edits = form.querySelectorAll('[data-edit]');
  for (var e = 0; e < edits.length; e++) {
    edits[e].addEventListener('click', function () {
      var field = document.getElementById(this.getAttribute('data-edit'));
      if (field) { field.focus(); field.select(); }
    });
  }

  var all = document.getElementById('pick-all');
  if (all) {
    all.addEventListener('change', function () {
      var picks = form.querySelectorAll('.pick');
      for (var p = 0; p < picks.length; p++) { picks[p].checked = all.checked; }
    });
  }

  document.addEventListener('keydown', function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) { return; }
    var key = ev.key || '';
    if (typing(ev.target)) {
      if (key === 'Escape' && current >= 0) { ev.preventDefault(); drafts[current].focus(); }
      return;
    }
    if (!drafts.length) { return; }
    var draft = current >= 0 ? drafts[current] : null;
    if (key === 'j' || key === 'ArrowDown' && ev.target.className.indexOf('draft') >= 0) {
      ev.preventDefault();
      mark(Math.min(current + 1, drafts.length - 1), true);
    } else if (key === 'k' || key === 'ArrowUp' && ev.target.className.indexOf('draft') >= 0) {
      ev.preventDefault();
      mark(Math.max(current - 1, 0), true);
    } else if (key === 'A' && ev.shiftKey) {
      ev.preventDefault();
      submitWith('accept_selected', '1');
    } else if (key === 'a' && draft) {
      ev.preventDefault();
      submitWith('accept', draft.getAttribute('data-key'));
    } else if (key === 'r' && draft) {
      ev.preventDefault();
      submitWith('reject', draft.getAttribute('data-key'));
    } else if (key === 'e' && draft) {
      ev.preventDefault();
      var stem = draft.querySelector('.draft-stem');
      if (stem) { stem.focus(); }
    } else if (key === 'x' && draft) {
      ev.preventDefault();
      var pick = draft.querySelector('.pick');
      if (pick) { pick.checked = !pick.checked; }
    }
  });
})();
