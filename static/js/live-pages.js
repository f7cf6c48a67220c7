// The member pages that follow requests live (docs/realtime.md, "The live pages"):
// - the dashboard's list (#requests) is fetched again when a booking.status event
//   arrives on the member's stream;
// - the history's row of that request is fetched again with the page's filter;
// - a request's page watches request:<id>: it draws the run's steps as they come
//   (live-timeline.js) and, when the status changes, fetches itself and swaps the
//   parts that follow the status (status, actions, what the engine did, history).
// The server's HTML stays the truth: events only say when to fetch it. While the
// socket is not "live" the page polls instead, slowly; when the socket says events
// were lost ("reload"), the page fetches its data again.

import { markReady } from "./common.js";
import { live } from "./live.js";
import { announce, coalesce, fetchDocument, fillPart, swapParts, swapPart } from "./live-parts.js";
import { Timeline } from "./live-timeline.js";

const POLL_MS = 20_000; // only while the socket is not live
const FINISHED = new Set(["completed", "failed", "cancelled"]);
const ACTIVE = new Set(["pending", "processing"]);
const REQUEST_PARTS = [
  "live-request",
  "request-status",
  "request-actions",
  "run-report-part",
  "request-history",
];
const SLACK_MS = 1000; // steps stamped this long before the run's start still belong to it

/** Poll with ``fn`` every POLL_MS while the socket is not live (and ``wanted()``). */
function fallback(fn, wanted = () => true) {
  let timer = null;
  const stop = () => {
    clearInterval(timer);
    timer = null;
  };
  const start = () => {
    if (timer === null) timer = setInterval(() => wanted() && fn(), POLL_MS);
  };
  live.onState((state) => (state === "live" ? stop() : start()));
}

// --- the dashboard -------------------------------------------------------------------

function dashboard(list) {
  const changed = new Set();
  const refresh = coalesce(async () => {
    const fresh = await fetchDocument(list.dataset.refreshUrl);
    if (!fresh) return;
    fillPart(list, fresh.body);
    for (const id of changed) {
      const row = list.querySelector(`[data-request-id="${CSS.escape(id)}"]`);
      const title = row?.querySelector(".request-title")?.textContent.trim();
      const chip = row?.querySelector(".chip")?.textContent.trim();
      if (title && chip) announce("live-news", `${title}: ${chip}`);
    }
    changed.clear();
  });
  live.on("booking.status", (data) => {
    if (data?.request_id) changed.add(String(data.request_id));
    refresh();
  });
  live.onReload(() => refresh());
  fallback(refresh);
}

// --- the history -----------------------------------------------------------------------

function history(section) {
  const filter = section.dataset.filter || "";
  // The list is swapped whole after a reload: look it up each time.
  const list = () => document.getElementById("history-list") || section;
  const rowOf = (id) => list().querySelector(`tr[data-request-id="${CSS.escape(id)}"]`);
  async function refreshRow(row) {
    const url = row.dataset.rowUrl + (filter ? `?${filter}` : "");
    const fresh = await fetchDocument(url);
    const freshRow = fresh?.querySelector("tr[data-request-id]");
    if (!freshRow || !row.isConnected) return;
    const before = row.dataset.status;
    swapPart(row, freshRow);
    if (freshRow.dataset.status !== before) {
      const date = freshRow.querySelector(".col-date")?.textContent.trim();
      const chip = freshRow.querySelector(".chip")?.textContent.trim();
      announce("live-news", `${date}: ${chip}`);
    }
  }
  const pending = new Set();
  const refreshRows = coalesce(async () => {
    const ids = [...pending];
    pending.clear();
    for (const id of ids) {
      const row = rowOf(id);
      if (row) await refreshRow(row);
    }
  });
  live.on("booking.status", (data) => {
    if (!data?.request_id || !rowOf(String(data.request_id))) return; // not on this page
    pending.add(String(data.request_id));
    refreshRows();
  });
  // Events were lost: the whole list again (new rows, other pages of it).
  const refreshList = coalesce(async () => {
    const fresh = await fetchDocument(window.location.href);
    if (fresh) swapPart(list(), fresh.getElementById("history-list"));
  });
  live.onReload(() => refreshList());
  // Without the socket, the rows that can still change.
  fallback(() => {
    for (const row of list().querySelectorAll("tr[data-request-id]")) {
      if (ACTIVE.has(row.dataset.status)) pending.add(row.dataset.requestId);
    }
    if (pending.size) refreshRows();
  });
}

// --- a request's page -------------------------------------------------------------------

function requestPage(marker) {
  const id = marker.dataset.requestId;
  const url = marker.dataset.url;
  const state = () => document.getElementById("live-request") || marker;
  const timeline = new Timeline(document.getElementById("live-run"));
  const since = Date.parse(marker.dataset.since) || Date.now();
  let told = null; // the status the newest booking.status event said
  let forced = false;

  // Fetch the page when it is behind what the events said (a replay that ends on
  // the page's own status fetches nothing), or when forced (a poll, a reload).
  const fetchIfBehind = coalesce(async () => {
    const wanted = forced || (told !== null && told !== state().dataset.status);
    forced = false;
    if (!wanted) return;
    const fresh = await fetchDocument(url);
    if (!fresh) return;
    const before = state().dataset.status;
    swapParts(fresh, REQUEST_PARTS);
    const now = state().dataset.status;
    if (now !== before) {
      const chip = document.querySelector("#request-status .chip")?.textContent.trim();
      announce("live-run-news", `Status: ${chip || now}`);
    }
  });
  const refresh = () => {
    forced = true;
    fetchIfBehind();
  };

  live.watch(`request:${id}`, (event) => {
    const data = event.data || {};
    if (event.kind === "booking.status" && data.status) {
      // Status events come through a task of their own: they may overtake the steps
      // or follow them, so the timeline starts over on an attempt's first step instead.
      told = String(data.status);
      fetchIfBehind();
    } else if (event.kind === "booking.step") {
      const at = Date.parse(data.at || "");
      if (!Number.isNaN(at) && at < since - SLACK_MS) return; // an earlier run, on the page
      timeline.add(data);
      if (data.step === "finished") refresh(); // its result may be stored before its event
    }
  });
  live.onReload(() => refresh());
  fallback(refresh, () => !FINISHED.has(state().dataset.status));
}

// --- which page this is -------------------------------------------------------------------

const page = document.querySelector("[data-live-page]");
const pages = { dashboard, history, request: requestPage };
if (page && pages[page.dataset.livePage]) pages[page.dataset.livePage](page);
markReady("live-pages");
