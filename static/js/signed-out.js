/* On the sign-in page, that is once signed out (or timed out): delete the offline copies of
 * attempt pages that the exam service worker (exam-sw.js) keeps for a reload without network.
 * They hold no cookie, so the next person to pick up a shared phone could open the paper
 * offline. ES5; marks <html data-exam-cache="cleared"> when done (the tests wait for it). */
(function () {
  'use strict';
  var root = document.documentElement;
  function done() { root.setAttribute('data-exam-cache', 'cleared'); }
  if (!window.caches || !window.caches.keys) { done(); return; }
  try {
    window.caches.keys().then(function (names) {
      var gone = [];
      for (var i = 0; i < names.length; i++) {
        if (names[i].indexOf('exam-pages') === 0) { gone.push(window.caches['delete'](names[i])); }
      }
      return Promise.all(gone);
    }).then(done, done);
  } catch (e) { done(); }
}());
