// A request's run, drawn step by step as the engine reports it (the ``booking.step``
// events of docs/realtime.md) in templates/bookings/_live_run.html. No side effects:
// live-pages.js makes one Timeline per request page.
//
// Each step is a line: its label, its state in words, the instant on the member's clock
// and how long it took; a started step is completed by its own "done" or "error"; the wait
// counts down to ``fire_at``; an error shows the portal's (or engine's) message at once.

const STATE_TEXT = { started: "in progress", done: "done", error: "failed" };
const ANNOUNCED = new Set(["wait", "submit", "reply", "finished"]);

function knownZone(zone) {
  try {
    new Intl.DateTimeFormat("en-GB", { timeZone: zone });
    return zone;
  } catch {
    return undefined; // the browser's own
  }
}

const CLOCK = new Intl.DateTimeFormat("en-GB", {
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  fractionalSecondDigits: 3,
  hourCycle: "h23",
  timeZone: knownZone(document.body.dataset.memberZone || undefined),
});

/** ``0.42 ms``, ``12.3 ms``, ``4,512 ms (4.5 s)``: as bookings/run_report.py's ms_text. */
export function msText(value) {
  const size = Math.abs(value);
  if (size >= 1000) {
    const whole = Math.round(value).toLocaleString("en-US");
    return `${whole} ms (${(value / 1000).toFixed(1)} s)`;
  }
  const digits = (size < 10 ? value.toFixed(2) : value.toFixed(1)).replace(/\.?0+$/, "");
  return `${digits} ms`;
}

/** "in 2.4 s", "in 1 min 5 s", "now": the wait's countdown (tenths below a minute). */
export function countdown(fireAt, now = Date.now()) {
  const left = (fireAt - now) / 1000;
  if (left <= 0) return "now";
  if (left < 60) return `in ${left.toFixed(1)} s`;
  const minutes = Math.floor(left / 60);
  return `in ${minutes} min ${Math.floor(left % 60)} s`;
}

function number(value) {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function clockDetail(data) {
  const offset = number(data.offset_ms);
  if (offset === null) return "";
  const uncertainty = number(data.uncertainty_ms);
  let said = "the portal's clock matches tennisbook's";
  if (offset > 0) said = `the portal's clock is ${msText(offset)} ahead`;
  if (offset < 0) said = `the portal's clock is ${msText(-offset)} behind`;
  return uncertainty === null ? said : `${said} ± ${msText(uncertainty)}`;
}

/** What a step adds to its label: the event's own words (the portal's, for a reply). */
function details(data) {
  const said = typeof data.detail === "string" ? data.detail.trim() : "";
  if (data.step === "reply" && said) return `The portal said: “${said}”`;
  if (data.step === "clock_sync" && !said) return clockDetail(data);
  return said;
}

function labelOf(data) {
  if (typeof data.label === "string" && data.label.trim()) return data.label.trim();
  const name = String(data.step || "step").replaceAll("_", " ");
  return name.charAt(0).toUpperCase() + name.slice(1);
}

function span(className, text = "") {
  const node = document.createElement("span");
  node.className = className;
  node.textContent = text;
  return node;
}

export class Timeline {
  constructor(section) {
    this.section = section;
    this.list = section.querySelector("#live-steps");
    this.error = section.querySelector("#live-run-error");
    this.news = section.querySelector("#live-run-news");
    this.attempt = null;
    this.timer = null;
    this.offsetMs = 0; // the portal's clock minus ours, once the clock sync told it
  }

  /** Start over (a new run): the lines of the last one go. */
  reset() {
    this.list.replaceChildren();
    this.error.textContent = "";
    this.attempt = null;
    this.offsetMs = 0;
    this.stopCountdown();
  }

  /** Draw one ``booking.step`` event's data. */
  add(data) {
    const another = data.attempt !== undefined && this.attempt !== null && data.attempt !== this.attempt;
    const begins = data.step === "attempt" && data.state === "started";
    if (another || (begins && this.list.children.length)) {
      this.reset(); // a new attempt (tried again, or resumed by another worker) starts afresh
    }
    if (data.attempt !== undefined) this.attempt = data.attempt;
    if (data.step === "clock_sync" && number(data.offset_ms) !== null) this.offsetMs = data.offset_ms;
    this.section.hidden = false;
    const open = [...this.list.querySelectorAll("li.state-started")];
    const own = open.reverse().find((line) => line.dataset.step === String(data.step));
    const line = data.state !== "started" && own ? own : this.newLine(data);
    // A step that was shown as it started (the attempt, the wait) is over once another
    // step is told: the engine tells no end of its own for those.
    for (const earlier of open) if (earlier !== line) this.passed(earlier);
    this.fill(line, data);
    if (data.state === "error" && (data.step !== "finished" || !this.error.textContent)) {
      const said = typeof data.detail === "string" ? data.detail.trim() : "";
      this.error.textContent = said ? `${labelOf(data)}: ${said}` : labelOf(data);
    } else if (ANNOUNCED.has(data.step) && this.news) {
      const said = details(data);
      this.news.textContent = `${labelOf(data)}${said ? `: ${said}` : ""}`;
    }
  }

  passed(line) {
    line.classList.replace("state-started", "state-done");
    line.querySelector(".live-step-state").textContent = line.dataset.step === "wait" ? "over" : "";
    line.querySelector(".live-countdown")?.parentElement.replaceChildren("released");
  }

  newLine(data) {
    const line = document.createElement("li");
    line.dataset.step = String(data.step);
    line.append(
      span("live-step-label"),
      span("live-step-state"),
      span("live-step-when"),
      span("live-step-detail"),
    );
    this.list.append(line);
    return line;
  }

  fill(line, data) {
    const state = STATE_TEXT[data.state] ? data.state : "done";
    line.className = `live-step step-${String(data.step).replace(/[^\w-]/g, "")} state-${state}`;
    line.querySelector(".live-step-label").textContent = labelOf(data);
    line.querySelector(".live-step-state").textContent = STATE_TEXT[state];
    const when = line.querySelector(".live-step-when");
    const at = new Date(data.at);
    const pieces = [];
    if (!Number.isNaN(at.getTime())) {
      const time = document.createElement("time");
      time.dateTime = data.at;
      time.textContent = CLOCK.format(at);
      pieces.push(time);
    }
    const elapsed = number(data.elapsed_ms);
    if (elapsed !== null && state !== "started") pieces.push(span("live-step-ms", msText(elapsed)));
    when.replaceChildren(...pieces.flatMap((piece, i) => (i ? [" · ", piece] : [piece])));
    const detail = line.querySelector(".live-step-detail");
    detail.textContent = details(data);
    const fireAt = Date.parse(data.fire_at || "");
    if (data.step === "wait" && state === "started" && !Number.isNaN(fireAt)) {
      const counter = span("live-countdown");
      // ``fire_at`` is the release on the portal's clock: ours shows it offset_ms earlier.
      counter.dataset.fireAt = String(fireAt - this.offsetMs);
      detail.replaceChildren("fires ", counter);
      this.startCountdown();
    }
  }

  startCountdown() {
    const tick = () => {
      const counters = this.list.querySelectorAll("li.state-started .live-countdown");
      for (const counter of counters) counter.textContent = countdown(Number(counter.dataset.fireAt));
      if (!counters.length) this.stopCountdown();
    };
    tick();
    if (this.timer === null) this.timer = setInterval(tick, 100);
  }

  stopCountdown() {
    clearInterval(this.timer);
    this.timer = null;
  }
}
