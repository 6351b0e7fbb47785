/* Live view of a running exam: swap in fresh rows every 10 seconds.
   Skips a refresh while the trainer is typing in one of the row forms or has
   an action menu open, and says when the last refresh failed. No library. */
(function () {
  "use strict";
  var body = document.getElementById("live-body");
  var stamp = document.getElementById("live-stamp");
  if (!body || !window.fetch) { return; }
  var src = body.getAttribute("data-src");
  var PERIOD = 10000;

  function busy() {
    var active = document.activeElement;
    if (active && body.contains(active) && active.tagName !== "SUMMARY" && active.tagName !== "BODY") { return true; }
    return body.querySelector("details[open]") !== null;
  }

  function two(n) { return (n < 10 ? "0" : "") + n; }

  function refresh() {
    if (document.hidden || busy()) { return; }
    fetch(src, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.text(); })
      .then(function (html) {
        if (busy()) { return; }
        body.innerHTML = html;
        var d = new Date();
        if (stamp) { stamp.textContent = stamp.getAttribute("data-ok").replace("%s", two(d.getHours()) + ":" + two(d.getMinutes()) + ":" + two(d.getSeconds())); stamp.classList.remove("low"); }
      })
      .catch(function () {
        if (stamp) { stamp.textContent = stamp.getAttribute("data-failed"); stamp.classList.add("low"); }
      });
  }
  setInterval(refresh, PERIOD);
})();
