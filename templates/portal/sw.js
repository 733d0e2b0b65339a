/* Parvis's service worker, served at /sw.js by portal/pwa.py (its scope: the whole site).

   The rule of the caches: kept are the site's own static files, the offline page, and an
   HTML page only when its response says "Cache-Control: public" (an editorial page as a
   signed-out visitor sees it). A page of a signed-in person says "private, no-store" and is
   never written here: on a shared phone, nothing of what a person read stays behind, and
   signing out clears the caches anyway (parvis.js).

   - static files: from the cache first (their version is in the cache's name);
   - pages (navigations): from the network first; offline, the copy kept if the page was
     public, otherwise the offline page;
   - everything else (htmx fragments, JSON, uploads, other methods): left to the browser.
   - push: shows the notification the server sent ({title, body, url, tag, notification});
     a click focuses a tab already on its page, or opens it. */
"use strict";

const CONFIG = {{ config|safe }};
const CACHE = "parvis-" + CONFIG.version;
const OFFLINE = new URL(CONFIG.offline, self.location.origin).href;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll(CONFIG.precache.map((url) => new Request(url, { cache: "reload" }))))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(
        keys.filter((key) => key.startsWith("parvis-") && key !== CACHE).map((key) => caches.delete(key))
      ))
      .then(() => self.clients.claim())
  );
});

function isPublic(response) {
  const control = (response.headers.get("Cache-Control") || "").toLowerCase();
  return response.ok && response.type === "basic" &&
    /(^|,)\s*public\s*(,|$)/.test(control) && !/no-store|private/.test(control);
}

async function fromCacheFirst(request) {
  const cached = await caches.match(request, { cacheName: CACHE });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) {
    const copy = response.clone();
    caches.open(CACHE).then((cache) => cache.put(request, copy));
  }
  return response;
}

// The offline page is kept in the language of the pages the person reads: when a page
// comes in another language (Content-Language), the offline page is fetched again.
async function keepOfflinePageInLanguage(response) {
  const language = response.headers.get("Content-Language");
  if (!language) return;
  const cache = await caches.open(CACHE);
  const kept = await cache.match(OFFLINE);
  if (kept && kept.headers.get("Content-Language") === language) return;
  const fresh = await fetch(OFFLINE);
  if (fresh.ok) await cache.put(OFFLINE, fresh);
}

async function fromNetworkFirst(event) {
  const request = event.request;
  try {
    const response = await fetch(request);
    if (isPublic(response)) {
      const copy = response.clone();
      event.waitUntil(caches.open(CACHE).then((cache) => cache.put(request, copy)));
    }
    if (response.ok) event.waitUntil(keepOfflinePageInLanguage(response).catch(() => {}));
    return response;
  } catch (error) {
    const kept = await caches.match(request, { cacheName: CACHE });
    if (kept) return kept;
    const offline = await caches.match(OFFLINE, { cacheName: CACHE });
    if (offline) return offline;
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  if (request.mode === "navigate") {
    event.respondWith(fromNetworkFirst(event));
  } else if (request.url.startsWith(CONFIG.static)) {
    event.respondWith(fromCacheFirst(request));
  }
});

// --- Push: the server's payload (portal.push), at most a few kilobytes of JSON. ---

function sameOrigin(url) {
  const target = new URL(url || "/", self.location.origin);
  return target.origin === self.location.origin ? target.href : self.location.origin + "/";
}

self.addEventListener("push", (event) => {
  let payload = {};
  try {
    payload = event.data ? event.data.json() : {};
  } catch (error) {
    payload = { body: event.data ? event.data.text() : "" };
  }
  const options = {
    body: payload.body || "",
    tag: payload.tag || undefined,
    icon: CONFIG.icon,
    badge: CONFIG.badge,
    data: { url: sameOrigin(payload.url), notification: payload.notification || null },
  };
  event.waitUntil(self.registration.showNotification(payload.title || "Parvis", options));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = sameOrigin(event.notification.data && event.notification.data.url);
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    const open = windows.find((client) => client.url === url);
    if (open) return open.focus();
    return self.clients.openWindow(url);
  })());
});
