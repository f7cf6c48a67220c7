// The header's system status (templates/_system_status.html): the server renders it from
// its cache; this keeps it fresh from the feed (GET /status.json) every ~30 s while the
// page is visible, and at once when the first render had nothing recent. The words carry
// the state (the colour repeats it); a change of the summary is announced politely.

import { markReady } from "./common.js";

const REFRESH_MS = 30_000;
const UNKNOWN_MS = 5_000; // a part not checked yet (a fresh start): look again sooner
const STATES = ["ok", "warn", "down", "unknown"];
const box = document.getElementById("system-status");
let timer = null;
let inFlight = false;
let soonLeft = 3; // how many more times an unknown part may bring the next look closer

function setState(node, state) {
  for (const name of STATES) node.classList.remove(`state-${name}`);
  node.classList.add(`state-${STATES.includes(state) ? state : "unknown"}`);
}

function partItem(part) {
  const item = document.createElement("li");
  item.className = "status-part";
  setState(item, part.state);
  item.dataset.part = part.name;
  const dot = document.createElement("span");
  dot.className = "status-dot";
  dot.setAttribute("aria-hidden", "true");
  const text = document.createElement("span");
  text.className = "status-text";
  text.textContent = part.text;
  item.append(dot, text);
  if (part.detail) {
    const detail = document.createElement("span");
    detail.className = "status-detail";
    detail.textContent = part.detail;
    item.append(detail);
  }
  return item;
}

function checkedLine(checkedAt) {
  const line = document.getElementById("system-status-checked");
  if (!checkedAt) {
    line.textContent = "Not checked yet";
    return;
  }
  const time = document.createElement("time");
  time.dateTime = checkedAt;
  time.textContent = `${checkedAt.slice(11, 19)} UTC`;
  line.replaceChildren("Checked ", time);
}

function draw(feed) {
  const summary = document.getElementById("system-status-summary");
  const before = summary.textContent;
  setState(box, feed.state);
  summary.textContent = feed.summary;
  document.getElementById("system-status-parts").replaceChildren(...(feed.parts || []).map(partItem));
  checkedLine(feed.checked_at);
  if (feed.checked_at) box.dataset.checkedAt = feed.checked_at;
  if (before.trim() !== feed.summary) {
    document.getElementById("system-status-news").textContent = `System status: ${feed.summary}`;
  }
}

function unanswered() {
  const offline = navigator.onLine === false;
  draw({
    state: offline ? "unknown" : "down",
    summary: offline ? "Status unknown while offline" : "Site: not answering",
    parts: [],
    checked_at: box.dataset.checkedAt || null,
  });
}

async function refresh() {
  if (inFlight) return;
  inFlight = true;
  try {
    const response = await fetch(box.dataset.feed, {
      headers: { Accept: "application/json" },
      cache: "no-store",
      credentials: "same-origin",
    });
    if (response.status === 401) return; // logged out in another tab: the next page says so
    if (!response.ok) throw new Error(`status feed answered ${response.status}`);
    draw(await response.json());
  } catch {
    unanswered();
  } finally {
    inFlight = false;
  }
}

function schedule(delay) {
  clearTimeout(timer);
  // ±10 % so that the open pages of many members do not all ask at the same instant.
  timer = setTimeout(tick, delay * (0.9 + Math.random() * 0.2));
}

async function tick() {
  if (document.hidden) return; // visibilitychange starts it again
  await refresh();
  const soon = box.classList.contains("state-unknown") && navigator.onLine !== false && soonLeft-- > 0;
  schedule(soon ? UNKNOWN_MS : REFRESH_MS);
}

function age() {
  const checked = Date.parse(box.dataset.checkedAt || "");
  return Number.isNaN(checked) ? Infinity : Date.now() - checked;
}

if (box) {
  document.addEventListener("visibilitychange", () => {
    if (document.hidden) clearTimeout(timer);
    else schedule(age() >= REFRESH_MS ? 0 : REFRESH_MS - age());
  });
  window.addEventListener("online", () => schedule(0));
  // Nothing recent in the server's cache: ask now (the feed checks, once for everyone).
  schedule(age() >= REFRESH_MS ? 0 : REFRESH_MS - age());
}
markReady("status");
