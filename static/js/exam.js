/* The attempt page on the phone: countdown from the server's remaining
 * seconds, an answer queue kept in localStorage and sent with retry, saved /
 * waiting marks, offline and deadline banners, page-leave counting.
 *
 * ES5 only (old WeChat webviews); no framework, nothing from a CDN.
 * The phone's clock is never trusted: the time left comes from the server on
 * every reply and is counted down with a monotonic timer in between.
 * Without this script the page still works as plain forms.
 */
(function () {
  'use strict';
  var root = document.getElementById('exam');
  if (!root || !window.JSON) { return; }

  var T = JSON.parse(document.getElementById('exam-text').textContent || '{}');
  var attemptId = root.getAttribute('data-attempt');
  var api = root.getAttribute('data-api');
  var resultUrl = root.getAttribute('data-result-url');
  var forward = root.getAttribute('data-forward') === '1';
  var practice = root.getAttribute('data-practice') === '1';
  var leaveLimitAttr = root.getAttribute('data-leave-limit');
  var leaveLimit = leaveLimitAttr === '' ? null : parseInt(leaveLimitAttr, 10);
  var minPos = parseInt(root.getAttribute('data-current-min'), 10) || 0;
  var maxSeq = parseInt(root.getAttribute('data-max-seq'), 10) || 0;
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute('content') : '';
  var forms = [].slice.call(root.querySelectorAll('form.exam-q'));
  var byPos = {};
  var i;
  for (i = 0; i < forms.length; i++) { byPos[forms[i].getAttribute('data-pos')] = forms[i]; }

  var PREFIX = 'exam.' + attemptId + '.';
  var KEY_QUEUE = PREFIX + 'queue', KEY_SEQ = PREFIX + 'seq', KEY_LEAVES = PREFIX + 'leaves',
    KEY_CLOCK = PREFIX + 'clock', KEY_POS = PREFIX + 'pos', KEY_SAVED = PREFIX + 'saved';
  var memory = {};

  function load(key, fallback) {
    try {
      var raw = window.localStorage.getItem(key);
      return raw ? JSON.parse(raw) : fallback;
    } catch (e) {
      return memory.hasOwnProperty(key) ? memory[key] : fallback;
    }
  }
  function store(key, value) {
    memory[key] = value;
    try { window.localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode: memory only */ }
  }
  function forget(key) {
    delete memory[key];
    try { window.localStorage.removeItem(key); } catch (e) { /* ignore */ }
  }

  function text(key, n) {
    var s = T[key] || '';
    return n === undefined ? s : s.replace('{n}', n);
  }
  function $(id) { return document.getElementById(id); }
  function show(el, on) { if (el) { el.hidden = !on; } }

  /* -- talking to the server ------------------------------------------------ */

  function request(method, url, body, done) {
    var x = new XMLHttpRequest();
    var finished = false;
    function end(status) {
      if (finished) { return; }
      finished = true;
      var data = null;
      try { data = JSON.parse(x.responseText); } catch (e) { data = null; }
      done(status, data);
    }
    x.open(method, url, true);
    x.setRequestHeader('Content-Type', 'application/json');
    x.setRequestHeader('Accept', 'application/json');
    x.setRequestHeader('X-CSRFToken', csrf);
    x.timeout = 15000;
    x.onreadystatechange = function () { if (x.readyState === 4) { end(x.status); } };
    x.ontimeout = function () { end(0); };
    x.onerror = function () { end(0); };
    try { x.send(body ? JSON.stringify(body) : null); } catch (e) { end(0); }
  }

  var offline = false;
  function setOffline(on) {
    offline = on;
    show($('net-banner'), on);
    if (!on && deadlinePassed) { $('deadline-banner').textContent = text('deadline'); }
  }
  function message(msg) {
    var el = $('message');
    if (!el) { return; }
    el.textContent = msg || '';
    show(el, !!msg);
  }

  /* -- the clock: the server's remaining seconds, counted down locally ------- */

  var mono = (window.performance && performance.now) ? function () { return performance.now(); }
    : (function () { var start = new Date().getTime(); return function () { return new Date().getTime() - start; }; })();
  var countdown = $('countdown');
  var remainingAttr = root.getAttribute('data-remaining');
  var endsAt = null; /* in mono() milliseconds */
  var deadlinePassed = false;

  function sync(seconds, fromPage) {
    if (seconds === null || seconds === undefined || seconds === '') { return; }
    seconds = Number(seconds);
    if (fromPage) {
      /* a page from the offline cache carries an old figure: the last reply,
         aged by the time since it came (a difference, so a wrong phone clock
         does not matter), is never more than the truth */
      var saved = load(KEY_CLOCK, null);
      if (saved && typeof saved.r === 'number') {
        var aged = saved.r - Math.max(0, (new Date().getTime() - saved.at) / 1000);
        if (aged < seconds) { seconds = Math.max(0, aged); }
      }
    } else {
      store(KEY_CLOCK, { r: seconds, at: new Date().getTime() });
    }
    endsAt = mono() + seconds * 1000;
    tick();
  }
  function remaining() {
    return endsAt === null ? null : Math.max(0, Math.ceil((endsAt - mono()) / 1000));
  }
  function pad(n) { return n < 10 ? '0' + n : '' + n; }
  function tick() {
    var left = remaining();
    if (left === null || !countdown) { return; }
    var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
    countdown.textContent = (h ? h + ':' + pad(m) : m) + ':' + pad(s);
    countdown.className = 'countdown' + (left <= 60 ? ' urgent' : '');
    if (left <= 0) { onDeadline(); }
  }

  /* -- answers: values of a question's inputs, the queue, the marks ---------- */

  function fieldOf(form) { return form.getAttribute('data-field'); }
  function inputsOf(form) {
    var name = fieldOf(form), out = [], all = form.querySelectorAll('input, textarea, select'), k;
    for (k = 0; k < all.length; k++) { if (all[k].name === name) { out.push(all[k]); } }
    return out;
  }
  function valuesOf(form) {
    var out = [], inputs = inputsOf(form), k, el;
    for (k = 0; k < inputs.length; k++) {
      el = inputs[k];
      if (el.type === 'radio' || el.type === 'checkbox') {
        if (el.checked) { out.push(el.value); }
      } else {
        out.push(el.value);
      }
    }
    return out;
  }
  function setValues(form, values) {
    var inputs = inputsOf(form), k, el, textIndex = 0;
    for (k = 0; k < inputs.length; k++) {
      el = inputs[k];
      if (el.type === 'radio' || el.type === 'checkbox') {
        el.checked = values.indexOf(el.value) >= 0;
      } else {
        el.value = values[textIndex] === undefined ? '' : values[textIndex];
        textIndex++;
      }
    }
  }
  function isAnswered(values) {
    for (var k = 0; k < values.length; k++) { if (String(values[k]).replace(/\s+/g, '') !== '') { return true; } }
    return false;
  }
  function flagBox(form) { return form.querySelector('input[name="flag"]'); }

  function mapButton(pos) { return root.querySelector('.qmap [data-goto="' + pos + '"]'); }
  function mark(pos, state, detail) {
    var form = byPos[pos];
    if (!form) { return; }
    var answered = isAnswered(valuesOf(form));
    form.setAttribute('data-answered', answered ? '1' : '0');
    var el = form.querySelector('[data-sync]');
    if (el) {
      var label = state === 'pending' ? text('waiting') : state === 'refused' ? text('refused') + (detail || '')
        : (answered ? text('saved') : text('unanswered'));
      el.textContent = label;
      el.className = 'sync-mark ' + (state === 'pending' ? 'pending' : state === 'refused' ? 'refused' : (answered ? 'saved' : ''));
    }
    var btn = mapButton(pos);
    if (btn) {
      btn.className = btn.className.replace(/\s*\b(done|pending|flagged)\b/g, '') +
        (answered ? ' done' : '') + (state === 'pending' ? ' pending' : '') +
        (flagBox(form) && flagBox(form).checked ? ' flagged' : '');
    }
    progress();
  }
  function progress() {
    var n = 0;
    for (var k = 0; k < forms.length; k++) { if (forms[k].getAttribute('data-answered') === '1') { n++; } }
    var el = $('answered-count');
    if (el) { el.textContent = n; }
  }

  function nextSeq() {
    var seq = Math.max(load(KEY_SEQ, 0), maxSeq) + 1;
    store(KEY_SEQ, seq);
    return seq;
  }

  function enqueue(pos, moveTo) {
    var form = byPos[pos];
    if (!form || finished) { return; }
    var queue = load(KEY_QUEUE, {});
    var flag = flagBox(form);
    queue[pos] = { position: Number(pos), values: valuesOf(form), seq: nextSeq(),
      flagged: flag ? flag.checked : false, move_to: moveTo === undefined ? Number(pos) : moveTo };
    store(KEY_QUEUE, queue);
    mark(pos, 'pending');
    flush();
  }

  var sending = false, retryTimer = null, backoff = 1000, submitWanted = false, finished = false;

  function retryLater() {
    if (retryTimer) { return; }
    retryTimer = setTimeout(function () { retryTimer = null; flush(); }, backoff);
    backoff = Math.min(backoff * 2, 30000);
  }

  function firstQueued(queue) {
    var best = null;
    for (var key in queue) {
      if (queue.hasOwnProperty(key) && (best === null || queue[key].position < best.position)) { best = queue[key]; }
    }
    return best;
  }

  function flush() {
    if (sending || finished) { return; }
    var queue = load(KEY_QUEUE, {});
    var entry = firstQueued(queue);
    if (!entry) {
      if (submitWanted) { sendSubmit(); }
      if (leavesUnsent()) { sendLeave(); }
      return;
    }
    sending = true;
    request('POST', api + '/answers', entry, function (status, data) {
      sending = false;
      if (status === 0 || status >= 500 || status === 429) {
        setOffline(true);
        retryLater();
        return;
      }
      setOffline(false);
      backoff = 1000;
      if (data && data.remaining_seconds !== undefined && data.status === 'in_progress') { sync(data.remaining_seconds); }
      var q = load(KEY_QUEUE, {});
      if (status === 200 && data && data.ok) {
        if (q[entry.position] && q[entry.position].seq === entry.seq) { delete q[entry.position]; store(KEY_QUEUE, q); }
        if (data.saved_seq > maxSeq) { maxSeq = data.saved_seq; }
        rememberSaved(entry);
        if (!q[entry.position]) { mark(entry.position, 'saved'); }
        if (data.feedback) { showFeedback(entry.position, data.feedback); }
        message('');
      } else if (status === 401) {
        message(text('relogin'));
        backoff = 30000;
        retryLater();
        return;
      } else if (data && data.code) {
        /* refused for good (deadline passed, already submitted, one-way): drop it */
        if (q[entry.position] && q[entry.position].seq === entry.seq) { delete q[entry.position]; store(KEY_QUEUE, q); }
        mark(entry.position, 'refused', data.error);
        message(data.error);
        if (data.status && data.status !== 'in_progress') { done(data.result_url); return; }
      } else {
        message((data && data.error) || '');
        retryLater();
        return;
      }
      flush();
    });
  }

  /* What the server confirmed, kept on the phone too: a page reloaded offline
   * (from the service worker's copy, which may predate these answers) shows
   * them as saved instead of blank. */
  function rememberSaved(entry) {
    var saved = load(KEY_SAVED, {});
    var before = saved[entry.position];
    if (!before || before.seq <= entry.seq) {
      saved[entry.position] = { values: entry.values, seq: entry.seq, flagged: entry.flagged };
      store(KEY_SAVED, saved);
    }
  }

  /* -- submitting ------------------------------------------------------------ */

  function done(url) {
    if (finished) { return; }
    finished = true;
    forget(KEY_QUEUE);
    forget(KEY_SAVED);
    forget(KEY_LEAVES);
    forget(KEY_CLOCK);
    forget(KEY_POS);
    window.location.href = url || resultUrl;
  }

  function sendSubmit() {
    if (sending || finished) { return; }
    sending = true;
    message(text('submitting'));
    request('POST', api + '/submit', null, function (status, data) {
      sending = false;
      if (status === 200 && data && data.ok) { done(data.result_url); return; }
      if (status === 0 || status >= 500) { setOffline(true); }
      retryLater();
    });
  }

  function submitWhenSynced() {
    submitWanted = true;
    show($('confirm-pending'), !!firstQueued(load(KEY_QUEUE, {})));
    flush();
  }

  function onDeadline() {
    if (deadlinePassed || finished) { return; }
    deadlinePassed = true;
    var banner = $('deadline-banner');
    banner.textContent = offline ? text('offline_deadline') : text('deadline');
    show(banner, true);
    var all = root.querySelectorAll('form.exam-q input, form.exam-q textarea, form.exam-q select');
    for (var k = 0; k < all.length; k++) { all[k].disabled = true; }
    submitWhenSynced();
  }

  /* -- page leaves (visibilitychange) ---------------------------------------- */

  var serverLeaves = parseInt(root.getAttribute('data-leave-count'), 10) || 0;
  var leaveState = load(KEY_LEAVES, { count: serverLeaves, sent: serverLeaves });
  if (leaveState.count < serverLeaves) { leaveState = { count: serverLeaves, sent: serverLeaves }; }
  function leavesUnsent() { return leaveState.count > leaveState.sent; }
  function sendLeave() {
    var count = leaveState.count;
    request('POST', api + '/leave', { count: count }, function (status, data) {
      if (status === 200 && data && data.ok) {
        if (count > leaveState.sent) { leaveState.sent = count; store(KEY_LEAVES, leaveState); }
        if (data.status !== 'in_progress') { done(data.result_url); }
      }
    });
  }
  function leaveHint() {
    var el = $('leave-count');
    if (el) { el.textContent = leaveState.count; }
  }
  document.addEventListener('visibilitychange', function () {
    if (finished) { return; }
    if (document.hidden) {
      leaveState.count += 1;
      store(KEY_LEAVES, leaveState);
      leaveHint();
      sendLeave();
    } else {
      if (leaveLimit !== null) { message(text('left', leaveState.count)); }
      refreshState();
      flush();
    }
  });

  /* -- moving between questions ----------------------------------------------- */

  var current = parseInt(root.getAttribute('data-current'), 10) || 0;
  function goTo(pos) {
    pos = Math.max(0, Math.min(forms.length - 1, pos));
    if (forward && pos < minPos) { pos = minPos; }
    for (var k = 0; k < forms.length; k++) { forms[k].hidden = Number(forms[k].getAttribute('data-pos')) !== pos; }
    var buttons = root.querySelectorAll('.qmap [data-goto]');
    for (k = 0; k < buttons.length; k++) {
      buttons[k].className = buttons[k].className.replace(/\s*\bcurrent\b/g, '') +
        (Number(buttons[k].getAttribute('data-goto')) === pos ? ' current' : '');
      buttons[k].setAttribute('form', 'q' + pos);
    }
    current = pos;
    if (forward && pos > minPos) { minPos = pos; }
    store(KEY_POS, pos);
    if (window.scrollTo) { window.scrollTo(0, 0); }
  }

  function lastSaved(form) { return form.getAttribute('data-last') || ''; }
  function remember(form) { form.setAttribute('data-last', JSON.stringify(valuesOf(form)) + (flagBox(form) && flagBox(form).checked)); }
  function changed(form) { return lastSaved(form) !== JSON.stringify(valuesOf(form)) + (flagBox(form) && flagBox(form).checked); }

  function saveIfChanged(form, moveTo, always) {
    var pos = form.getAttribute('data-pos');
    if (changed(form) || always) {
      remember(form);
      enqueue(pos, moveTo);
    } else if (!load(KEY_QUEUE, {})[pos]) {
      /* typed back to exactly what was sent and nothing waits for this
         question: the server has it, so it is saved, not waiting (only a
         waiting mark changes: a refusal stays on screen) */
      var sync = form.querySelector('[data-sync]');
      if (sync && /\bpending\b/.test(sync.className)) { mark(pos, 'saved'); }
    }
  }

  function confirmSubmit() {
    var missing = [];
    for (var k = 0; k < forms.length; k++) {
      if (!isAnswered(valuesOf(forms[k]))) { missing.push(Number(forms[k].getAttribute('data-pos')) + 1); }
    }
    var p = $('confirm-unanswered');
    p.textContent = missing.length ? p.getAttribute('data-some').replace('{list}', missing.join('、'))
      : p.getAttribute('data-none');
    var flagged = [], box;
    for (k = 0; k < forms.length; k++) {
      box = flagBox(forms[k]);
      if (box && box.checked) { flagged.push(Number(forms[k].getAttribute('data-pos')) + 1); }
    }
    var f = $('confirm-flagged');
    if (f) {
      f.textContent = flagged.length ? f.getAttribute('data-some').replace('{list}', flagged.join('、')) : '';
      show(f, flagged.length > 0);
    }
    show($('confirm-pending'), !!firstQueued(load(KEY_QUEUE, {})));
    show($('confirm'), true);
    $('confirm-yes').focus();
  }

  var clicked = null;
  root.addEventListener('click', function (e) {
    var el = e.target;
    while (el && el !== root && !(el.tagName === 'BUTTON')) { el = el.parentNode; }
    if (!el || el === root) { return; }
    if (el.getAttribute('data-goto') !== null) {
      e.preventDefault();
      if (forward) { return; }
      saveIfChanged(byPos[current], Number(el.getAttribute('data-goto')));
      goTo(Number(el.getAttribute('data-goto')));
      return;
    }
    if (el.name === 'go') { clicked = el.value; }
  }, true);

  forms.forEach(function (form) {
    var pos = Number(form.getAttribute('data-pos'));
    remember(form);
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var go = clicked || 'next';
      clicked = null;
      if (deadlinePassed) { return; }
      if (go === 'next') {
        saveIfChanged(form, pos + 1, forward);
        goTo(pos + 1);
      } else if (go === 'prev') {
        saveIfChanged(form, pos - 1);
        goTo(pos - 1);
      } else if (go === 'check') {
        saveIfChanged(form, pos, true);
      } else if (go === 'submit') {
        saveIfChanged(form, pos);
        confirmSubmit();
      }
    });
    /* in practice an answer is graded when saved: it is sent by 提交本题 (or
       on leaving the question), not at the first tap of a multiple choice */
    form.addEventListener('change', function (e) {
      if (practice && e.target.name !== 'flag') { return; }
      saveIfChanged(form, pos);
    });
    var typing = null;
    form.addEventListener('input', function (e) {
      if (practice || (e.target.type !== 'text' && e.target.tagName !== 'TEXTAREA')) { return; }
      mark(pos, 'pending');
      if (typing) { clearTimeout(typing); }
      typing = setTimeout(function () { saveIfChanged(form, pos); }, 1500);
    });
  });

  $('confirm-no').addEventListener('click', function () { show($('confirm'), false); submitWanted = false; message(''); });
  $('confirm-yes').addEventListener('click', function () {
    $('confirm-yes').disabled = true;
    submitWhenSynced();
  });

  function showFeedback(pos, fb) {
    var form = byPos[pos];
    if (!form || form.querySelector('[data-feedback]')) { return; }
    var box = document.createElement('div');
    box.className = 'feedback ' + (fb.right ? 'right' : 'wrong');
    box.setAttribute('data-feedback', '');
    var lines = [fb.right ? T.right || '✓' : T.wrong || '✗', (T.answer || '') + fb.answer];
    if (fb.explanation) { lines.push((T.explanation || '') + fb.explanation); }
    for (var k = 0; k < lines.length; k++) {
      var p = document.createElement('p');
      p.textContent = lines[k];
      box.appendChild(p);
    }
    form.querySelector('.q-body').appendChild(box);
    var inputs = inputsOf(form), right = fb.right_values || [], label;
    for (k = 0; k < inputs.length; k++) {
      inputs[k].disabled = true;
      label = inputs[k].parentNode;
      if (inputs[k].type === 'radio' || inputs[k].type === 'checkbox') {
        if (right.indexOf(inputs[k].value) >= 0) {
          label.className += ' right';
        } else if (inputs[k].checked) {
          label.className += ' wrong';
        }
      }
    }
    var check = form.querySelector('button.check');
    if (check) { check.parentNode.removeChild(check); }
  }

  /* -- state from the server: resume, other tabs, extra time ------------------ */

  function refreshState() {
    if (finished) { return; }
    request('GET', api + '/state', null, function (status, data) {
      if (status === 0 || status >= 500) { setOffline(true); retryLater(); return; }
      if (status !== 200 || !data) { return; }
      setOffline(false);
      if (data.status !== 'in_progress') { done(data.result_url); return; }
      sync(data.remaining_seconds);
      var queue = load(KEY_QUEUE, {});
      for (var k = 0; k < data.items.length; k++) {
        var item = data.items[k], form = byPos[item.position];
        if (item.saved_seq > maxSeq) { maxSeq = item.saved_seq; }
        if (!form || queue[item.position]) { continue; }
        if (item.saved_seq > Number(form.getAttribute('data-saved-seq'))) {
          /* saved from another tab or device since this page was made */
          setValues(form, item.values);
          form.setAttribute('data-saved-seq', item.saved_seq);
          var box = flagBox(form);
          if (box) { box.checked = !!item.flagged; }
          remember(form);
          mark(item.position, 'saved');
        }
      }
      if (forward && data.current_position > minPos) { minPos = data.current_position; if (current < minPos) { goTo(minPos); } }
      flush();
    });
  }

  /* -- start ------------------------------------------------------------------ */

  (function restoreQueue() {
    var saved = load(KEY_SAVED, {});
    for (var p in saved) {
      if (saved.hasOwnProperty(p) && byPos[p] && saved[p].seq > Number(byPos[p].getAttribute('data-saved-seq'))) {
        setValues(byPos[p], saved[p].values);
        byPos[p].setAttribute('data-saved-seq', saved[p].seq);
        var flag = flagBox(byPos[p]);
        if (flag) { flag.checked = !!saved[p].flagged; }
        remember(byPos[p]);
        mark(p, 'saved');
      }
    }
    var queue = load(KEY_QUEUE, {});
    for (var key in queue) {
      if (queue.hasOwnProperty(key) && byPos[key]) {
        setValues(byPos[key], queue[key].values);
        var box = flagBox(byPos[key]);
        if (box) { box.checked = !!queue[key].flagged; }
        remember(byPos[key]);
        mark(key, 'pending');
        if (forward && queue[key].move_to > minPos) { minPos = queue[key].move_to; }
      }
    }
    var pos = load(KEY_POS, null);
    if (pos !== null && byPos[pos] && (!forward || pos >= minPos)) { goTo(pos); } else { goTo(current); }
  }());

  leaveHint();
  sync(remainingAttr, true);
  setInterval(tick, 500);
  setInterval(function () { if (!firstQueued(load(KEY_QUEUE, {}))) { refreshState(); } else { flush(); } }, 30000);
  window.addEventListener('online', function () { backoff = 1000; flush(); refreshState(); });
  window.addEventListener('offline', function () { setOffline(true); });
  window.addEventListener('storage', function (e) { if (e.key === KEY_QUEUE) { flush(); } });
  if ('serviceWorker' in navigator && root.getAttribute('data-sw')) {
    try {
      navigator.serviceWorker.register(root.getAttribute('data-sw'), { scope: root.getAttribute('data-sw-scope') });
      /* this page was fetched before the worker existed: put a copy in its cache
       * now, so that a reload after the Wi-Fi drops still shows the paper */
      navigator.serviceWorker.ready.then(function () {
        if (!window.caches) { return; }
        caches.open('exam-pages-v1').then(function (cache) {
          cache.addAll([location.pathname, '/static/js/exam.js', '/static/css/app.css', '/static/css/exam.css']);
        });
      });
    } catch (e) { /* optional */ }
  }
  refreshState();
  flush();
}());
