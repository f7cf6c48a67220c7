// The page's live socket (docs/realtime.md): one per page, shared by every
// page script that imports it. Import it relatively ("./live.js"), never by
// its hashed static URL: one URL is one module, so one socket.
//
// - opens ws(s)://<site>/ws/live/ when the page is a member's (<body data-live>);
// - reconnects after 0.5 s, doubling to 30 s, each delay ±50 % at random so
//   that a restarted server is not met by every page at once;
// - resumes each stream from the last id it saw, so a page misses nothing the
//   log still holds; beyond the log it tells the page to reload its data;
// - says what it is: "connecting", "live", "reconnecting", "offline".

const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 30_000;
const OFFLINE_AFTER_TRIES = 3;
const PING_EVERY_MS = 25_000;
const PONG_WITHIN_MS = 10_000;
const NOT_AUTHENTICATED = 4401;
const LEAVING_MS = 5_000;
const ORIGIN_REFUSED = 4403;

const LABELS = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  offline: "Offline",
};

class Live {
  constructor() {
    this.state = "connecting";
    this.socket = null;
    this.ownStream = null;
    this.last = new Map(); // stream → the newest id handled
    this.watchers = new Map(); // stream → Set of handlers
    this.kinds = new Map(); // kind → Set of handlers (the member's own stream)
    this.stateHandlers = new Set();
    this.reloadHandlers = new Set();
    this.tries = 0;
    this.timer = null;
    this.pingTimer = null;
    this.pongTimer = null;
    this.stopped = false;
    this.everLive = false;
    this.leavingAt = -Infinity;
  }

  /** Handle events of ``kind`` on the member's own stream: ``fn(data, event)``. */
  on(kind, fn) {
    if (!this.kinds.has(kind)) this.kinds.set(kind, new Set());
    this.kinds.get(kind).add(fn);
    return () => this.kinds.get(kind).delete(fn);
  }

  /** Receive every event of ``stream`` (``request:<id>``, ...): ``fn(event)``. */
  watch(stream, fn) {
    const first = !this.watchers.has(stream);
    if (first) this.watchers.set(stream, new Set());
    this.watchers.get(stream).add(fn);
    if (first && this.state === "live") this.send({ type: "watch", stream, after: this.last.get(stream) || 0 });
    return () => {
      const handlers = this.watchers.get(stream);
      handlers?.delete(fn);
      if (handlers && handlers.size === 0) {
        this.watchers.delete(stream);
        this.last.delete(stream);
        this.send({ type: "unwatch", stream });
      }
    };
  }

  /** ``fn(state, {first})`` now and whenever the state changes. */
  onState(fn) {
    this.stateHandlers.add(fn);
    fn(this.state, { first: !this.everLive });
    return () => this.stateHandlers.delete(fn);
  }

  /** ``fn(stream)`` when the page must fetch that stream's data again. */
  onReload(fn) {
    this.reloadHandlers.add(fn);
    return () => this.reloadHandlers.delete(fn);
  }

  start() {
    if (!document.body.hasAttribute("data-live")) return;
    window.addEventListener("online", () => this.retryNow());
    window.addEventListener("beforeunload", () => {
      this.leavingAt = Date.now();
    });
    window.addEventListener("offline", () => {
      this.setState("offline");
      this.socket?.close();
    });
    this.connect();
  }

  url() {
    const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    return `${scheme}//${window.location.host}/ws/live/`;
  }

  connect() {
    clearTimeout(this.timer);
    if (this.stopped) return;
    if (navigator.onLine === false) {
      this.setState("offline");
      return;
    }
    let socket;
    try {
      socket = new WebSocket(this.url());
    } catch {
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    socket.addEventListener("message", (message) => this.receive(message));
    socket.addEventListener("close", (closed) => this.closed(socket, closed.code));
  }

  closed(socket, code) {
    if (socket !== this.socket) return;
    this.socket = null;
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
    if (code === NOT_AUTHENTICATED && Date.now() - this.leavingAt < LEAVING_MS) {
      // This page is being left (its logout form was sent): the next page says
      // what happened. Should it stay after all, ask again then.
      setTimeout(() => this.connect(), LEAVING_MS);
      return;
    }
    if (code === NOT_AUTHENTICATED) {
      // The session ended (logged out elsewhere, expired): retrying would be
      // refused again. Back to the login page, then to this one.
      this.stopped = true;
      this.setState("offline", "Offline: log in again");
      const here = window.location.pathname + window.location.search;
      const login = document.body.dataset.loginUrl || "/accounts/login/";
      window.location.assign(`${login}?next=${encodeURIComponent(here)}`);
      return;
    }
    if (code === ORIGIN_REFUSED) {
      this.stopped = true;
      this.setState("offline");
      return;
    }
    this.scheduleRetry();
  }

  scheduleRetry() {
    this.tries += 1;
    const offline = navigator.onLine === false || this.tries > OFFLINE_AFTER_TRIES;
    this.setState(offline ? "offline" : "reconnecting");
    const ceiling = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (this.tries - 1));
    const delay = ceiling * (0.5 + Math.random());
    this.timer = setTimeout(() => this.connect(), delay);
  }

  retryNow() {
    if (this.stopped || this.socket) return;
    this.tries = 0;
    this.connect();
  }

  send(message) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(message));
    }
  }

  receive(message) {
    let data;
    try {
      data = JSON.parse(message.data);
    } catch {
      return;
    }
    if (data.type === "hello") this.hello(data);
    else if (data.type === "event") this.event(data);
    else if (data.type === "reload") this.reload(data);
    else if (data.type === "pong") clearTimeout(this.pongTimer);
    else if (data.type === "error" && data.code !== "bad_message") {
      console.warn(`live: ${data.code} ${data.stream || ""}: ${data.message}`);
    }
  }

  hello(data) {
    [this.ownStream] = Object.keys(data.streams);
    const newest = data.streams[this.ownStream];
    const seen = this.last.get(this.ownStream);
    if (seen === undefined) {
      this.last.set(this.ownStream, newest); // a fresh page: its HTML is newer
    } else if (seen !== newest) {
      this.send({ type: "resume", stream: this.ownStream, after: seen });
    }
    for (const stream of this.watchers.keys()) {
      this.send({ type: "watch", stream, after: this.last.get(stream) || 0 });
    }
    this.tries = 0;
    const first = !this.everLive;
    this.everLive = true;
    this.setState("live", undefined, first);
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => this.ping(), PING_EVERY_MS);
  }

  ping() {
    this.send({ type: "ping" });
    clearTimeout(this.pongTimer);
    // No pong: the connection is dead without a close (a sleeping laptop).
    this.pongTimer = setTimeout(() => this.socket?.close(), PONG_WITHIN_MS);
  }

  event(event) {
    const last = this.last.get(event.stream) || 0;
    if (event.id <= last) return;
    this.last.set(event.stream, event.id);
    if (event.stream === this.ownStream) {
      for (const fn of this.kinds.get(event.kind) || []) safely(() => fn(event.data, event));
    }
    for (const fn of this.watchers.get(event.stream) || []) safely(() => fn(event));
  }

  reload(data) {
    this.last.set(data.stream, data.last);
    for (const fn of this.reloadHandlers) safely(() => fn(data.stream));
  }

  setState(state, label, first = false) {
    if (state === this.state && !label) return;
    this.state = state;
    for (const fn of this.stateHandlers) safely(() => fn(state, { first }));
    const indicator = document.getElementById("live-state");
    if (indicator) {
      indicator.hidden = false;
      indicator.dataset.state = state;
      indicator.textContent = label || LABELS[state];
    }
  }
}

function safely(fn) {
  try {
    fn();
  } catch (error) {
    // One page script's bug must not stop the others' updates.
    console.error(error);
  }
}

export const live = new Live();
live.start();
