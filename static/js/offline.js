// Offline, on every page (base.html and the worker's /offline page load it):
// - registers the service worker (static/sw.js, served at /sw.js) for members;
// - says when the page is offline, or is the worker's saved copy ("Offline, saved
//   at 14:05 on Tue 12 May"), and then disables what would change data, except
//   the two changes that can wait: a new booking request and a cancel;
// - those two, made offline, are queued in this browser (offline-queue.js) and
//   sent on reconnect (the online event, and at every page load) with their
//   Idempotency-Key; what became of each is shown here;
// - the logged-out and account-deleted pages remove the saved pages and queue
//   (a shared computer keeps nothing of the member).
// Every text a member reads comes from templates/_offline_banner.html or here.

import { markReady } from "./common.js";
import * as queue from "./offline-queue.js";

const root = document.documentElement;
const box = document.getElementById("offline");
const member = document.querySelector('meta[name="tennisbook-member"]')?.content || "";
const savedCopy = root.hasAttribute("data-offline-copy");
const PAGES_CACHE = "tennisbook-pages"; // static/sw.js keeps the member's pages there
const OWNER_ENTRY = "/__tennisbook-offline-owner__";
const ANY_ID = "00000000-0000-0000-0000-000000000000";
const QUEUE_NOTE = " A booking request or a cancel made here is queued and sent when you are back online.";
const QUEUED = "queued, will be sent when you are back online";
const PROBE_FIRST_MS = 2000;
const PROBE_MAX_MS = 30000;
// What changes data, and cannot wait for the network (the queued forms are left out).
const CHANGES = [
  'form[method="post" i]:not([data-offline-queue]):not([data-offline-logout]) button',
  'form[method="post" i]:not([data-offline-queue]):not([data-offline-logout]) input[type="submit"]',
  "[data-offline-queue] [formaction]",
  "[hx-post]", "[hx-put]", "[hx-patch]", "[hx-delete]",
].join(", ");

// --- words --------------------------------------------------------------------------

function memberZone() {
  const fallback = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const wanted = document.body?.dataset.memberZone;
  try {
    if (wanted) new Intl.DateTimeFormat("en-GB", { timeZone: wanted });
    return wanted || fallback;
  } catch {
    return fallback;
  }
}

function savedTime(iso) {
  const instant = new Date(iso);
  if (Number.isNaN(instant.getTime())) return null;
  const timeZone = memberZone();
  const time = new Intl.DateTimeFormat("en-GB", {
    hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone,
  }).format(instant);
  const day = new Intl.DateTimeFormat("en-GB", {
    weekday: "short", day: "numeric", month: "short", timeZone,
  }).format(instant).replace(",", "");
  const node = document.createElement("time");
  node.dateTime = instant.toISOString();
  node.textContent = `${time} on ${day}`;
  return node;
}

function describe(entry) {
  return entry.kind === "cancel" ? `Cancel: ${entry.label}` : `New request: ${entry.label}`;
}

function notice(kind, ...parts) {
  const outcomes = document.getElementById("offline-outcomes");
  if (!outcomes) return;
  const item = document.createElement("p");
  item.className = `notice ${kind}`;
  item.append(...parts);
  outcomes.append(item);
}

function link(text, href) {
  const anchor = document.createElement("a");
  anchor.href = href;
  anchor.textContent = text;
  return anchor;
}

// --- the banner, and a read-only page ------------------------------------------------

// A saved copy was served because the site could not be reached just now,
// whatever navigator.onLine says (it is true when only the site is down): it
// counts as offline until the browser says "online" or the site answers.
let reachable = savedCopy ? false : navigator.onLine;

function offlineNow() {
  return !reachable;
}

function showState() {
  const body = box?.querySelector(".offline-banner-body");
  if (!body) return;
  const text = document.getElementById("offline-state");
  const reload = document.getElementById("offline-reload");
  const note = document.querySelector("[data-offline-queue]") ? QUEUE_NOTE : "";
  const when = savedTime(root.dataset.offlineSavedAt) || "an earlier visit";
  reload.hidden = true;
  if (savedCopy && reachable) {
    text.replaceChildren("Back online. This is the copy saved at ", when,
      ": reload the page to see it as it is now.");
    reload.hidden = false;
  } else if (savedCopy) {
    text.replaceChildren("Offline, saved at ", when, ". This copy is read-only.", note);
  } else if (!reachable) {
    text.replaceChildren("You are offline. Changes are paused until you are back online.", note);
  } else {
    body.hidden = true;
    return;
  }
  body.hidden = false;
}

function readOnly(on) {
  if (!on) {
    for (const control of document.querySelectorAll("[data-offline-disabled]")) {
      control.disabled = false;
      control.removeAttribute("data-offline-disabled");
    }
    return;
  }
  for (const control of document.querySelectorAll(CHANGES)) {
    if (control.disabled || !("disabled" in control)) continue; // already off: stays off
    control.disabled = true;
    control.setAttribute("data-offline-disabled", "");
  }
}

// --- the queue -------------------------------------------------------------------------

function context() {
  let csrf = "";
  try {
    csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
  } catch {
    // no token on this page: the API refuses (403) and the entry waits for another page
  }
  return {
    csrf,
    createUrl: box.dataset.createUrl,
    requestUrl: (id) => box.dataset.requestUrl.replace(ANY_ID, encodeURIComponent(id)),
  };
}

async function showQueue() {
  const section = document.getElementById("offline-queue");
  if (!section || !member) return;
  let entries = [];
  try {
    entries = await queue.entriesOf(member);
  } catch {
    // storage refused (private mode): nothing can be queued, so nothing is
  }
  const list = document.getElementById("offline-queued");
  list.replaceChildren(...entries.map((entry) => {
    const item = document.createElement("li");
    item.textContent = `${describe(entry)}: ${QUEUED}.`;
    return item;
  }));
  section.hidden = entries.length === 0;
}

function report(entry, outcome) {
  const what = describe(entry);
  const create = entry.kind === "create";
  if (outcome.state === "done" && create) {
    const id = outcome.request?.request_id || "";
    const page = box.dataset.pageUrl.replace(ANY_ID, encodeURIComponent(id));
    notice("success", `Sent: ${what}: created. `, link("See the request", page));
  } else if (outcome.state === "done") {
    notice("success", `Sent: ${what}: cancelled.`);
  } else if (outcome.state === "already") {
    const done = create ? "already created" : "already cancelled";
    notice("success", `${what}: ${done} (it had been sent before); nothing was done twice.`);
  } else if (outcome.state === "refused") {
    notice("error", `Not sent: ${what}: ${outcome.message} It is no longer queued.`);
  } else if (outcome.state === "login") {
    notice("error", `Not sent yet: ${what}: ${outcome.message}`);
  }
}

let retryTimer = null;
let sending = false;

async function sendQueued() {
  if (!box || !member || !reachable || sending) return;
  sending = true;
  try {
    const next = await queue.replay(member, context(), report);
    window.clearTimeout(retryTimer);
    if (next) retryTimer = window.setTimeout(sendQueued, Math.max(0, next - Date.now()));
  } catch {
    // storage refused: nothing was queued
  } finally {
    sending = false;
    await showQueue();
    root.dataset.offlineReplayed = String(Number(root.dataset.offlineReplayed || 0) + 1);
  }
}

function labelOf(form, body) {
  const court = form.querySelector("#court_id");
  const name = court?.selectedOptions[0]?.textContent.trim() || `Court ${body.court_id}`;
  return `${name}, ${body.date}, ${body.time_slot}`;
}

function sameChange(a, b) {
  if (a.kind !== b.kind) return false;
  return a.kind === "cancel" ? a.requestId === b.requestId
    : JSON.stringify(a.body) === JSON.stringify(b.body);
}

async function enqueue(form) {
  const kind = form.dataset.offlineQueue;
  const entry = { key: queue.newKey(), member, kind, queuedAt: Date.now(), attempts: 0, nextAt: 0 };
  if (kind === "create") {
    entry.body = queue.bookingBody(form);
    entry.label = labelOf(form, entry.body);
  } else {
    entry.requestId = form.dataset.requestId;
    entry.label = form.dataset.offlineLabel || "this request";
  }
  let queued = false;
  try {
    const waiting = await queue.entriesOf(member);
    if (waiting.some((other) => sameChange(other, entry))) {
      notice("info", `${describe(entry)}: already waiting to be sent.`);
    } else {
      await queue.put(entry);
      queued = true;
      notice("info", `${describe(entry)}: ${QUEUED}.`);
    }
  } catch {
    notice("error", `${describe(entry)}: not queued: this browser keeps no data for the site `
      + "(private mode?). Try again once you are back online.");
  }
  // The form was not sent: book.js makes it usable again (and drops a queued draft).
  form.dispatchEvent(new CustomEvent("tennisbook:offline-queued", { detail: { queued } }));
  await showQueue();
  if (queued && reachable) sendQueued(); // a saved copy while the site is back
}

function interceptSubmits() {
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || event.defaultPrevented) return;
    if (form.hasAttribute("data-offline-logout")) {
      // Forget before the request leaves: the page it leads to may never run
      // (another script may go to the login page first). Offline, the server
      // cannot hear it, but this browser forgets the member all the same.
      event.preventDefault();
      const offline = offlineNow();
      forgetEverything().catch(() => {}).finally(() => {
        if (offline) window.location.reload();
        else form.submit(); // no submit event again
      });
      return;
    }
    if (!offlineNow()) return;
    const kind = form.dataset.offlineQueue;
    if (kind !== "create" && kind !== "cancel") return;
    event.preventDefault();
    if (!member || event.submitter?.hasAttribute("formaction")) return; // e.g. save a template
    enqueue(form);
  });
}

// --- the worker, and forgetting --------------------------------------------------------

async function registerWorker() {
  if (!("serviceWorker" in navigator) || !member || !box || savedCopy) return;
  const container = navigator.serviceWorker;
  const navigation = performance.getEntriesByType("navigation")[0];
  if (!navigation || navigation.workerStart === 0) {
    // This page came without the worker (the first visit, before it ran; a
    // hard reload): once it controls the page, it keeps this page's copy too.
    const save = () => container.controller?.postMessage({ type: "save", url: window.location.href });
    if (container.controller) save();
    else container.addEventListener("controllerchange", save, { once: true });
  }
  try {
    await container.register(box.dataset.worker, { scope: "/" });
    const registration = await container.ready;
    // A page that was still loading when the worker took over stays without
    // it (its claim missed the page): ask for it.
    if (!container.controller) registration.active?.postMessage({ type: "claim" });
  } catch {
    // refused (not a secure context, storage off): the site works without it
  }
}

// Push reaches this browser even with no page open: on a shared computer the
// next person would see the member's notifications. Logging out stops it here
// (the server forgets this device, the browser drops the subscription).
async function forgetPush() {
  const registration = await navigator.serviceWorker?.getRegistration?.();
  const current = await registration?.pushManager?.getSubscription();
  if (!current) return;
  const list = "/api/notifications/push-subscriptions";
  const token = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];
  const headers = { Accept: "application/json", "X-CSRFToken": token || "" };
  try {
    const answer = await fetch(list, { headers, credentials: "same-origin" });
    const mine = answer.ok ? await answer.json() : [];
    const found = (Array.isArray(mine) ? mine : mine.results || [])
      .find((item) => item.endpoint === current.endpoint);
    if (found) {
      await fetch(`${list}/${found.id}`, { method: "DELETE", headers, credentials: "same-origin" });
    }
  } finally {
    await current.unsubscribe();
  }
}

async function forgetEverything() {
  await forgetPush().catch(() => {});
  if ("caches" in window) {
    const names = await caches.keys().catch(() => []);
    await Promise.all(names.filter((name) => name.startsWith(PAGES_CACHE))
      .map((name) => caches.delete(name)));
  }
  await queue.destroy();
  navigator.serviceWorker?.controller?.postMessage({ type: "forget" });
}

// --- the worker's /offline page: what this device has saved ----------------------------

async function listSaved() {
  const holder = document.getElementById("offline-saved");
  if (!holder || !("caches" in window) || !(await caches.has(PAGES_CACHE))) return;
  const cache = await caches.open(PAGES_CACHE);
  const list = document.getElementById("offline-saved-list");
  for (const request of (await cache.keys()).slice(0, 30)) {
    const url = new URL(request.url);
    if (url.pathname === OWNER_ENTRY) continue;
    const html = await (await cache.match(request)).text();
    const title = new DOMParser().parseFromString(html, "text/html").title || url.pathname;
    const item = document.createElement("li");
    item.append(link(title.replace(/ · tennisbook$/, ""), url.pathname + url.search));
    list.append(item);
  }
  holder.hidden = list.children.length === 0;
}

// On a saved copy, ask the site now and then whether it answers again.
let probeDelay = PROBE_FIRST_MS;
let probeTimer = null;

function probeLater() {
  window.clearTimeout(probeTimer);
  if (reachable) return;
  probeTimer = window.setTimeout(probe, probeDelay);
  probeDelay = Math.min(probeDelay * 2, PROBE_MAX_MS);
}

async function probe() {
  if (!document.hidden) {
    try {
      const answer = await fetch(box.dataset.probeUrl, { cache: "no-store" });
      if (answer.ok) {
        cameBack();
        return;
      }
    } catch {
      // still unreachable
    }
  }
  probeLater();
}

function cameBack() {
  reachable = true;
  window.clearTimeout(probeTimer);
  showState();
  if (!savedCopy) readOnly(false);
  sendQueued();
}

function wentAway() {
  reachable = false;
  showState();
  readOnly(true);
  if (savedCopy) probeLater();
}

function setUp() {
  if (root.hasAttribute("data-offline-fallback")) {
    document.getElementById("offline-retry")?.addEventListener("click", () => window.location.reload());
    window.addEventListener("online", () => window.location.reload());
    listSaved().catch(() => {});
    return;
  }
  if (document.querySelector("[data-offline-clear]")) {
    forgetEverything().catch(() => {}).finally(() => { root.dataset.offlineCleared = "true"; });
  }
  if (!box) return;
  showState();
  readOnly(offlineNow());
  interceptSubmits();
  window.addEventListener("online", cameBack);
  window.addEventListener("offline", wentAway);
  if (savedCopy) probeLater();
  // htmx swaps in parts of the page: what they bring is read-only too while offline.
  document.addEventListener("htmx:afterSettle", () => readOnly(offlineNow()));
  document.getElementById("offline-reload")?.addEventListener("click", () => window.location.reload());
  showQueue();
  sendQueued();
  registerWorker();
}

setUp();
markReady("offline");
