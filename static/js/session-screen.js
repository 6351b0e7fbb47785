/* The trainer's sign-in screen: fetch the venue's current code, QR image and
   live count, and show them. The server computes the code (HMAC of the
   15-second step); this only asks again just after each rotation, and every
   few seconds for the count. ES5, no library (runs on old projector PCs and
   phones). */
(function () {
  "use strict";
  var root = document.getElementById("screen");
  if (!root) { return; }
  var src = root.getAttribute("data-src");
  var qr = document.getElementById("qr");
  var code = document.getElementById("short-code");
  var left = document.getElementById("seconds-left");
  var present = document.getElementById("present");
  var expected = document.getElementById("expected");
  var venuePresent = document.getElementById("venue-present");
  var latest = document.getElementById("latest");
  var alerts = document.getElementById("alerts");
  var state = document.getElementById("screen-state");
  var stamp = document.getElementById("screen-stamp");
  var COUNT_PERIOD = 4000;
  var remaining = parseFloat(left ? left.textContent : "15") || 15;
  var timer = null;

  function text(el, value) { if (el) { el.textContent = value; } }

  function fill(list, items, render) {
    if (!list) { return; }
    while (list.firstChild) { list.removeChild(list.firstChild); }
    for (var i = 0; i < items.length; i++) { list.appendChild(render(items[i])); }
  }

  function show(data) {
    if (qr && qr.getAttribute("src") !== data.qr) { qr.setAttribute("src", data.qr); }
    if (code) { code.setAttribute("data-code", data.code); text(code, data.code); }
    text(present, data.present);
    text(expected, data.expected);
    text(venuePresent, data.venue_present);
    if (state) {
      text(state, data.state === "not_open" ? state.getAttribute("data-not-open")
        : data.state === "closed" ? state.getAttribute("data-closed") : "");
    }
    fill(latest, data.latest, function (p) {
      var li = document.createElement("li");
      li.appendChild(document.createTextNode(p.name + " "));
      var at = document.createElement("span");
      at.className = "muted";
      at.appendChild(document.createTextNode(p.at));
      li.appendChild(at);
      return li;
    });
    fill(alerts, data.alerts, function (a) {
      var p = document.createElement("p");
      p.appendChild(document.createTextNode("\u26a0 " + a));
      return p;
    });
    remaining = data.seconds_left;
    text(stamp, "");
  }

  function schedule() {
    if (timer) { clearTimeout(timer); }
    var wait = Math.min(COUNT_PERIOD, Math.max(200, remaining * 1000 + 150));
    timer = setTimeout(refresh, wait);
  }

  function refresh() {
    var xhr = new XMLHttpRequest();
    xhr.open("GET", src, true);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.timeout = 8000;
    xhr.onreadystatechange = function () {
      if (xhr.readyState !== 4) { return; }
      if (xhr.status === 200) {
        try { show(JSON.parse(xhr.responseText)); } catch (e) { text(stamp, root.getAttribute("data-failed")); }
      } else {
        text(stamp, root.getAttribute("data-failed"));
        remaining = 3;
      }
      schedule();
    };
    xhr.send();
  }

  setInterval(function () {
    remaining = Math.max(0, remaining - 1);
    text(left, Math.ceil(remaining));
  }, 1000);
  schedule();
})();
