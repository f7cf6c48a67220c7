// tennisbook's service worker, served at /sw.js by tennisbook/offline.py, which
// fills in MANIFEST below (shell URLs, saved pages, version). A classic worker.
//
// - install: the app shell (css, modules, htmx, favicon, /offline) into a cache
//   named by the manifest's version; activate drops older shells.
// - a member page (dashboard, booking form, history, a request, calendar) is
//   fetched network first; a good answer for a member is kept, one copy per URL.
//   Unreachable, the copy is served with <html data-offline-copy
//   data-offline-saved-at>, which offline.js turns into a read-only page; a page
//   without a copy gets /offline.
// - kept: only GET navigations to those pages that answer 200 with HTML naming
//   the member (<meta name="tennisbook-member">). Never the API, admin,
//   evidence, feeds, another origin. A page for someone else empties the copies
//   first; one for no one (its meta empty: logged out, session ended) empties them.
//   Nor one the server marked Cache-Control: no-store (it may carry a secret). A
//   copy still being read when the pages are forgotten (logout) is dropped, not
//   kept after the forgetting.
// - static files: hashed names (they never change) from the cache first; plain
//   names from the network, the cache only when it cannot answer.

/* global self, caches, importScripts */
try {
  importScripts("/static/js/sw-push.js");
} catch (error) {
  // Push belongs to another part of the site: without it, offline still works.
}

const MANIFEST = /* manifest */ {
  "version": "unbuilt", "shell": [], "offline": "/offline", "static": "/static/", "pages": []
} /* end manifest */;

const SHELL = `tennisbook-shell-${MANIFEST.version}`;
const PAGES = "tennisbook-pages";
const OWNER = "/__tennisbook-offline-owner__"; // a cache entry: whose pages these are
const SAVED_AT = "X-Tennisbook-Saved-At";
const ONE_SHOT = ["created", "edited", "welcome"]; // query flags that show a message once
const HASHED = /\.[0-9a-f]{12}\.[A-Za-z0-9]+$/;
// Whose page it is; empty for no one. Pages without it (admin, API docs) say nothing.
const MEMBER = /<meta\s+name="tennisbook-member"\s+content="([^"]*)"/i;
const PAGE_PATTERNS = MANIFEST.pages.map((source) => new RegExp(source));
// Counts each forgetting of the pages: a copy begun before one is not kept.
let forgotten = 0;

function forgetPages() {
  forgotten += 1;
  return caches.delete(PAGES);
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL);
      // One by one: a file that fails is fetched at run time instead of
      // keeping the whole new version from installing.
      await Promise.allSettled(
        MANIFEST.shell.map((url) => cache.add(new Request(url, { cache: "reload" }))),
      );
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(
        names
          .filter((name) => name.startsWith("tennisbook-shell-") && name !== SHELL)
          .map((name) => caches.delete(name)),
      );
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "forget") event.waitUntil(forgetPages());
  if (data.type === "claim") event.waitUntil(self.clients.claim());
  // A page loaded before this worker controlled it: keep its copy too.
  if (data.type === "save" && typeof data.url === "string") {
    const url = new URL(data.url, self.location.origin);
    if (url.origin === self.location.origin && isSavedPage(url)) {
      const generation = forgotten;
      event.waitUntil(
        fetch(url.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
          .then((response) => remember(url, response, generation))
          .catch(() => {}),
      );
    }
  }
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(navigate(event, url));
  } else if (url.pathname.startsWith(MANIFEST.static)) {
    event.respondWith(staticFile(request, url));
  }
});

function isSavedPage(url) {
  return PAGE_PATTERNS.some((pattern) => pattern.test(url.pathname));
}

function pageKey(url) {
  const key = new URL(url.href);
  key.hash = "";
  for (const flag of ONE_SHOT) key.searchParams.delete(flag);
  return key.href;
}

async function navigate(event, url) {
  // Taken before the fetch: a logout answered while this page was on the way
  // forgets the pages, and this one, fetched under the old session, is not kept.
  const generation = forgotten;
  let response;
  try {
    response = await fetch(event.request);
  } catch (error) {
    return offlineAnswer(url);
  }
  event.waitUntil(remember(url, response.clone(), generation).catch(() => {}));
  return response;
}

async function remember(url, response, generation) {
  const type = response.headers.get("Content-Type") || "";
  if (response.status !== 200 || response.type !== "basic" || !type.startsWith("text/html")) {
    return;
  }
  const text = await response.text();
  const found = text.match(MEMBER);
  if (!found) return;
  const member = found[1];
  if (!member) {
    // Nobody is logged in here (logged out, session ended): keep no one's pages.
    await forgetPages();
    return;
  }
  if (response.redirected || !isSavedPage(url)) return;
  if (/(^|[\s,])no-store($|[\s,;])/i.test(response.headers.get("Cache-Control") || "")) return;
  if (generation !== forgotten) return; // logged out while this page was read
  let cache = await caches.open(PAGES);
  const owner = await cache.match(OWNER);
  if (!owner || (await owner.text()) !== member) {
    await caches.delete(PAGES); // another member's copies never mix with these
    cache = await caches.open(PAGES);
    await cache.put(OWNER, new Response(member));
  }
  const headers = new Headers(response.headers);
  headers.set(SAVED_AT, new Date().toISOString());
  headers.delete("Content-Length");
  headers.delete("Content-Encoding");
  if (generation !== forgotten) return;
  await cache.put(pageKey(url), new Response(text, { status: 200, headers }));
}

async function savedCopy(url) {
  const cache = await caches.open(PAGES);
  const saved = await cache.match(pageKey(url));
  if (!saved) return null;
  const savedAt = (saved.headers.get(SAVED_AT) || "").replace(/[^0-9A-Za-z:.+-]/g, "");
  const text = await saved.text();
  const marked = text.replace(
    /<html\b/i,
    `<html data-offline-copy="" data-offline-saved-at="${savedAt}"`,
  );
  const headers = new Headers(saved.headers);
  headers.delete("Content-Length");
  return new Response(marked, { status: 200, headers });
}

async function offlineAnswer(url) {
  if (isSavedPage(url)) {
    const saved = await savedCopy(url);
    if (saved) return saved;
  }
  const fallback = await caches.match(MANIFEST.offline);
  if (fallback) return fallback;
  return new Response("You are offline, and this page is not saved on this device.", {
    status: 503,
    headers: { "Content-Type": "text/plain; charset=utf-8" },
  });
}

function plainName(url) {
  const plain = new URL(url.href);
  plain.search = "";
  plain.pathname = plain.pathname.replace(/\.[0-9a-f]{12}(\.[A-Za-z0-9]+)$/, "$1");
  return plain.href;
}

async function staticFile(request, url) {
  const hashed = HASHED.test(url.pathname);
  if (hashed) {
    const hit = await caches.match(request, { ignoreSearch: true });
    if (hit) return hit;
  }
  try {
    return await fetch(request);
  } catch (error) {
    // Offline: the plain name's copy stands in for a hashed name this shell
    // does not have (a page saved under an older version links those).
    const hit = (await caches.match(request, { ignoreSearch: true }))
      || (hashed ? await caches.match(plainName(url)) : null);
    if (hit) return hit;
    throw error;
  }
}
