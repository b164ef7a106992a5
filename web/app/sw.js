// Caches the app shell so that it opens again without a connection. Never
// the API's answers: nothing of one child is kept in a cache for the next.
const SHELL = 'langnghe-shell-v1';
const FILES = ['/app/', '/app/app.css', '/app/app.js', '/app/api.js', '/app/i18n.js', '/app/store.js', '/app/questions.js', '/app/icon.svg', '/app/manifest.webmanifest'];

self.addEventListener('install', (e) => {
  e.waitUntil(caches.open(SHELL).then((c) => c.addAll(FILES)).then(() => self.skipWaiting()));
});
self.addEventListener('activate', (e) => {
  e.waitUntil(caches.keys().then((names) => Promise.all(names.filter((n) => n !== SHELL).map((n) => caches.delete(n)))).then(() => self.clients.claim()));
});
self.addEventListener('fetch', (e) => {
  const url = new URL(e.request.url);
  if (e.request.method !== 'GET' || url.origin !== location.origin || !url.pathname.startsWith('/app/')) return;
  // The network first, the shell when there is none.
  e.respondWith(fetch(e.request).catch(() => caches.match(e.request, { ignoreSearch: true }).then((r) => r || caches.match('/app/'))));
});
