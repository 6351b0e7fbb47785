/* Copy a link to the clipboard: WeChat's browser and old Android ones may lack
   navigator.clipboard, so select the text and use execCommand as a fallback. ES5. */
(function () {
  var buttons = document.querySelectorAll('[data-copy]');
  function say(button, key) {
    var status = document.getElementById('copy-status');
    if (status) { status.textContent = button.getAttribute(key) || ''; }
  }
  function fallback(button, input) {
    input.focus();
    input.select();
    try { input.setSelectionRange(0, input.value.length); } catch (e) { /* older engines */ }
    var ok = false;
    try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
    say(button, ok ? 'data-done' : 'data-failed');
  }
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].addEventListener('click', function () {
      var button = this;
      var input = document.getElementById(button.getAttribute('data-copy'));
      if (!input) { return; }
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(input.value).then(function () { say(button, 'data-done'); },
          function () { fallback(button, input); });
      } else {
        fallback(button, input);
      }
    });
  }
})();
