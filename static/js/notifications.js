// Notifications on the member's pages (docs/realtime.md, "Notifications").
//
// - The header's bell (templates/realtime/_bell.html) follows the "notification"
//   events of the member's stream: the count the event carries, and a polite
//   announcement of the new one.
// - A browser notification (the Notification API) for an event the member chose
//   to see that way (``data.browser``), only once the browser allowed it; the
//   permission is asked only when the member clicks "Enable browser
//   notifications" on the profile. The tag is the notification's, as the push
//   handler's (sw-push.js), so one outcome never shows twice.
// - The profile's push controls: subscribe this browser (PushManager with the
//   site's VAPID key) or stop, through /api/notifications/push-subscriptions.
//
// live.js is loaded on demand: a page without it (or a browser without
// WebSockets) keeps the count the server rendered.

import { markReady } from "./common.js";

const bell = document.getElementById("notification-bell");

function csrfToken() {
  try {
    return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
  } catch {
    return "";
  }
}

function countText(count) {
  return count > 99 ? "99+" : String(count);
}

export function showCount(count) {
  if (!bell || !Number.isInteger(count) || count < 0) return;
  bell.dataset.unread = String(count);
  bell.classList.toggle("has-unread", count > 0);
  const number = document.getElementById("notification-bell-count");
  const label = document.getElementById("notification-bell-label");
  if (number) {
    number.textContent = countText(count);
    number.hidden = count === 0;
  }
  if (label) label.textContent = `Notifications: ${count ? `${countText(count)} unread` : "none unread"}`;
}

function announce(text) {
  const news = document.getElementById("notification-news");
  if (news) news.textContent = text;
}

function showInBrowser(data) {
  if (!data.browser || !("Notification" in window) || Notification.permission !== "granted") return;
  try {
    const shown = new Notification(data.title, { body: data.body || "", tag: `tennisbook-${data.id}` });
    shown.onclick = () => {
      window.focus();
      if (data.url) window.location.assign(data.url);
      shown.close();
    };
  } catch {
    // Some browsers (Android Chrome) allow notifications only from a service worker.
  }
}

// On the list itself, say that a newer one came, with a link that shows it.
function offerNewer() {
  const list = document.getElementById("notifications-title");
  if (!list || document.getElementById("notifications-newer")) return;
  const note = document.createElement("p");
  note.id = "notifications-newer";
  note.className = "notice";
  const link = document.createElement("a");
  link.href = window.location.pathname;
  link.textContent = "A new notification came: show it";
  note.append(link);
  list.after(note);
}

export function onNotification(data) {
  if (!data || typeof data !== "object") return;
  showCount(data.unread);
  announce(`New notification: ${data.title}`);
  offerNewer();
  showInBrowser(data);
}

async function followLive() {
  if (!bell || !document.body.hasAttribute("data-live")) return;
  try {
    const { live } = await import("./live.js");
    live.on("notification", onNotification);
  } catch {
    // live.js missing or failing: the bell keeps the count the page was rendered with.
  }
}

// --- the profile: browser permission ----------------------------------------------------

function browserControls() {
  const button = document.getElementById("enable-browser-notifications");
  const state = document.getElementById("browser-permission");
  if (!button || !state) return;
  const say = () => {
    if (!("Notification" in window)) {
      state.textContent = "This browser cannot show notifications.";
      button.hidden = true;
    } else if (Notification.permission === "granted") {
      state.textContent = "Allowed in this browser.";
      button.hidden = true;
    } else if (Notification.permission === "denied") {
      state.textContent = "Blocked in this browser: allow notifications for this site in its settings.";
      button.hidden = true;
    } else {
      state.textContent = "";
      button.hidden = false;
    }
  };
  button.addEventListener("click", async () => {
    try {
      await Notification.requestPermission();
    } catch {
      // An old browser's callback form: the state below says what happened.
    }
    say();
  });
  say();
}

// --- the profile: push on this device ---------------------------------------------------

function keyBytes(base64url) {
  const text = atob(base64url.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

async function workerRegistration() {
  const found = await navigator.serviceWorker.getRegistration("/");
  return found || navigator.serviceWorker.register("/sw.js", { scope: "/" });
}

async function api(url, options = {}) {
  const response = await fetch(url, {
    credentials: "same-origin",
    ...options,
    headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
  });
  const body = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw new Error(body?.error?.message || `The site answered ${response.status}.`);
  return body;
}

function pushControls() {
  const box = document.getElementById("push-devices");
  if (!box) return;
  const on = document.getElementById("push-subscribe");
  const off = document.getElementById("push-unsubscribe");
  const state = document.getElementById("push-state");
  const count = document.getElementById("push-device-count");
  const listUrl = box.dataset.subscriptions;
  if (!("serviceWorker" in navigator) || !("PushManager" in window)) {
    state.textContent = "This browser cannot receive push notifications.";
    return;
  }
  let current = null;
  const show = (text) => {
    on.hidden = Boolean(current);
    off.hidden = !current;
    state.textContent = text;
  };
  const refresh = async () => {
    const registration = await navigator.serviceWorker.getRegistration("/");
    current = registration ? await registration.pushManager.getSubscription() : null;
    show(current ? "This device receives push notifications." : "");
  };
  on.addEventListener("click", async () => {
    on.disabled = true;
    try {
      const registration = await workerRegistration();
      await navigator.serviceWorker.ready;
      current = await registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: keyBytes(box.dataset.pushKey),
      });
      await api(listUrl, { method: "POST", body: JSON.stringify(current.toJSON()) });
      const mine = await api(listUrl);
      if (count) count.textContent = String(mine.length);
      show("This device receives push notifications.");
    } catch (error) {
      current = null;
      show(`Push could not be turned on here: ${error.message || error}`);
    } finally {
      on.disabled = false;
    }
  });
  off.addEventListener("click", async () => {
    off.disabled = true;
    try {
      const mine = await api(listUrl);
      const found = mine.find((item) => item.endpoint === current?.endpoint);
      if (found) await api(`${listUrl}/${found.id}`, { method: "DELETE" });
      await current?.unsubscribe();
      current = null;
      if (count) count.textContent = String(mine.length - (found ? 1 : 0));
      show("This device no longer receives push notifications.");
    } catch (error) {
      show(`Push could not be turned off here: ${error.message || error}`);
    } finally {
      off.disabled = false;
    }
  });
  refresh().catch(() => show(""));
}

browserControls();
pushControls();
followLive().finally(() => markReady("notifications"));
