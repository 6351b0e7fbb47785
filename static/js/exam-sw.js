/* Service worker for the attempt pages (served from /attempts/sw.js so its
 * scope covers them). Network first; when the network is gone, the last copy
 * of the attempt page and its script and styles, so a reload while offline
 * still shows the paper and the answers queued on the phone. The copy holds
 * only what the page showed: questions, never answers. */
var CACHE = 'exam-pages-v1';
self.addEventListener('install', function () { self.skipWaiting(); });
self.addEventListener('activate', function (event) { event.waitUntil(self.clients.claim()); });
self.addEventListener('fetch', function (event) {
  var request = event.request;
  if (request.method !== 'GET') { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  var page = /^\/attempts\/\d+$/.test(url.pathname);
  var asset = /^\/static\/(js\/exam\.js|css\/(app|exam)\.css)$/.test(url.pathname);
  if (!page && !asset) { return; }
  var key = url.pathname;
  event.respondWith(fetch(request).then(function (response) {
    if (response.ok && !response.redirected) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(key, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(key).then(function (cached) { return cached || Response.error(); });
  }));
});
