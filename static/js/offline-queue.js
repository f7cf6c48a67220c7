// The changes a member made offline, kept in this browser (IndexedDB) until the
// site can take them: a new booking request (the /book/ form) and a cancel.
//
// Each entry carries the Idempotency-Key it was given when it was queued and is
// sent with it every time, so the API does it once however often it arrives
// (a tab that replays while another one does, an answer lost on the way back).
// Replays go through the JSON API with the page's session and CSRF token.
// No side effects on import: offline.js drives it.

const DB_NAME = "tennisbook-offline";
const STORE = "queue";
const LOCK = "tennisbook-offline-replay";
const FIRST_DELAY_MS = 2000;
const MAX_DELAY_MS = 5 * 60 * 1000;

function openDb() {
  return new Promise((resolve, reject) => {
    const opening = indexedDB.open(DB_NAME, 1);
    opening.onupgradeneeded = () => opening.result.createObjectStore(STORE, { keyPath: "key" });
    opening.onsuccess = () => {
      const db = opening.result;
      // Another tab deleting the database (logout) must not wait for this one.
      db.onversionchange = () => db.close();
      resolve(db);
    };
    opening.onerror = () => reject(opening.error);
    opening.onblocked = () => reject(new Error("the offline queue is being cleared"));
  });
}

// One short transaction per call: no connection stays open to block a logout.
async function withStore(mode, act) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(STORE, mode);
    const request = act(transaction.objectStore(STORE));
    transaction.oncomplete = () => {
      db.close();
      resolve(request ? request.result : undefined);
    };
    transaction.onabort = transaction.onerror = () => {
      db.close();
      reject(transaction.error);
    };
  });
}

export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Every queued entry of ``member``, oldest first; another member's are removed. */
export async function entriesOf(member) {
  const all = (await withStore("readonly", (store) => store.getAll())) || [];
  const others = all.filter((entry) => entry.member !== member);
  // Not theirs to see, and this session could not send them anyway.
  await Promise.all(others.map((entry) => remove(entry.key)));
  return all.filter((entry) => entry.member === member).sort((a, b) => a.queuedAt - b.queuedAt);
}

export function put(entry) {
  return withStore("readwrite", (store) => store.put(entry));
}

export function remove(key) {
  return withStore("readwrite", (store) => store.delete(key));
}

/** Delete the whole queue (logout); resolves once it is gone or after 3 s. */
export function destroy() {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 3000);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    const deleting = indexedDB.deleteDatabase(DB_NAME);
    deleting.onsuccess = deleting.onerror = done;
  });
}

/** The API body of the booking form, as bookings/forms.py builds it from the posted fields. */
export function bookingBody(form) {
  const data = new FormData(form);
  const courts = data.getAll("alt_court");
  const slots = data.getAll("alt_slot");
  const alternatives = [];
  for (let i = 0; i < Math.max(courts.length, slots.length); i += 1) {
    const court = String(courts[i] || "").trim();
    const slot = String(slots[i] || "").trim();
    if (court || slot) alternatives.push({ court_id: court, time_slot: slot });
  }
  return {
    club: data.get("club") || undefined,
    court_id: data.get("court_id") || "",
    date: data.get("date") || "",
    time_slot: data.get("time_slot") || "",
    alternatives,
    partners: data.getAll("partner").map(String).filter((name) => name.trim()),
    notes: data.get("notes") || "",
    on_conflict: data.get("on_conflict") || null,
  };
}

function backoff(attempts) {
  const delay = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** attempts);
  return Math.round(delay * (0.5 + Math.random())); // jitter: tabs and members spread out
}

function problem(data, fallback) {
  const error = data && data.error;
  return (error && error.message) || fallback;
}

async function send(entry, { csrf, createUrl, requestUrl }) {
  const headers = { Accept: "application/json", "Idempotency-Key": entry.key, "X-CSRFToken": csrf };
  let response;
  try {
    response = entry.kind === "create"
      ? await fetch(createUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { ...headers, "Content-Type": "application/json" },
        body: JSON.stringify(entry.body),
      })
      : await fetch(requestUrl(entry.requestId), {
        method: "DELETE", credentials: "same-origin", headers,
      });
  } catch {
    // Unreachable: the entries after this one would not get through either.
    return { state: "waiting", keep: true, stop: true, delay: backoff(entry.attempts) };
  }
  const data = await response.json().catch(() => null);
  if (response.ok) {
    const replayed = response.headers.get("Idempotent-Replayed") === "true";
    return { state: replayed ? "already" : "done", request: data };
  }
  if (response.status === 401 || response.status === 403) {
    // The session ended (or its token): the change is fine, the login is not.
    const message = "Log in again to send it.";
    return { state: "login", keep: true, stop: true, delay: backoff(entry.attempts), message };
  }
  if (response.status === 429 || response.status >= 500) {
    const retryAfter = Number(response.headers.get("Retry-After")) * 1000;
    return { state: "waiting", keep: true, delay: Math.max(retryAfter || 0, backoff(entry.attempts)) };
  }
  return { state: "refused", message: problem(data, `The site refused it (${response.status}).`) };
}

/**
 * Send ``member``'s due entries, oldest first, each once; ``report(entry, outcome)``
 * hears of each. Returns the instant (ms) of the next try still waiting, or null.
 * One tab replays at a time (Web Locks); the others skip.
 */
export async function replay(member, context, report) {
  const run = async () => {
    let next = null;
    for (const entry of await entriesOf(member)) {
      if ((entry.nextAt || 0) > Date.now()) {
        next = next === null ? entry.nextAt : Math.min(next, entry.nextAt);
        continue;
      }
      const outcome = await send(entry, context);
      if (outcome.keep) {
        const nextAt = Date.now() + outcome.delay;
        await put({ ...entry, attempts: (entry.attempts || 0) + 1, nextAt });
        next = next === null ? nextAt : Math.min(next, nextAt);
      } else {
        await remove(entry.key);
      }
      report(entry, outcome);
      if (outcome.stop) break; // the rest would be refused alike
    }
    return next;
  };
  if (navigator.locks) {
    return navigator.locks.request(LOCK, { ifAvailable: true }, (lock) => (lock ? run() : null));
  }
  return run();
}
