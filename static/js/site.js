// tennisbook: what every member page does in the browser.
// - countdowns ("in 1 d 9 h") and the member's own time beside the club's;
// - keyboard shortcuts (n, h, s, ?) that never fire while typing in a field;
// - small conveniences: confirm before a destructive form, a club choice that
//   applies itself, the booking draft cleared once the server confirmed it.
// The pages work without it: the server renders every text first.

import { isTyping, markReady, until } from "./common.js";
// The live socket, for every member page (it opens only on <body data-live>).
import "./live.js";

// The member's own zone: the one chosen in their profile (<body data-member-zone>),
// else this browser's; a zone this browser does not know falls back to its own.
const BROWSER_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;
function knownZone(zone) {
  try {
    new Intl.DateTimeFormat("en-GB", { timeZone: zone });
    return zone;
  } catch {
    return BROWSER_ZONE;
  }
}
const OWN_ZONE = knownZone(document.body.dataset.memberZone || BROWSER_ZONE);
const LOCAL_FORMAT = new Intl.DateTimeFormat("en-GB", {
  weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
  hourCycle: "h23", timeZone: OWN_ZONE,
});

function localTimes(root) {
  for (const time of root.querySelectorAll("time[data-local]:not([data-local-done])")) {
    time.dataset.localDone = "1";
    const instant = new Date(time.getAttribute("datetime"));
    if (Number.isNaN(instant.getTime()) || time.dataset.zone === OWN_ZONE) continue;
    const yours = document.createElement("span");
    yours.className = "local-time";
    yours.textContent = ` (your time: ${LOCAL_FORMAT.format(instant).replace(",", "")})`;
    time.after(yours);
  }
}

function tick() {
  for (const node of document.querySelectorAll("[data-countdown]")) {
    const instant = Date.parse(node.dataset.countdown);
    if (!Number.isNaN(instant)) node.textContent = until(instant);
  }
}

function shortcuts() {
  const dialog = document.getElementById("shortcuts");
  const targets = document.getElementById("shortcut-targets");
  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTyping(event.target) || (dialog && dialog.open)) return;
    if (event.key === "?") {
      event.preventDefault();
      dialog?.showModal();
      return;
    }
    const url = targets?.dataset[event.key];
    if (url && event.key.length === 1) {
      event.preventDefault();
      window.location.assign(url);
    }
  });
}

function conveniences() {
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) event.preventDefault();
  });
  for (const button of document.querySelectorAll("[data-js-hide]")) button.hidden = true;
  const clubChoice = document.getElementById("club-choice");
  clubChoice?.addEventListener("change", () => clubChoice.form.requestSubmit());
  const confirmation = document.querySelector("[data-clear-draft]");
  if (confirmation) {
    try {
      window.localStorage.removeItem(`tennisbook:draft:${confirmation.dataset.clearDraft}`);
    } catch {
      // storage refused (private mode): there is no draft to clear
    }
  }
}

localTimes(document);
tick();
setInterval(tick, 1000);
shortcuts();
conveniences();
document.addEventListener("htmx:afterSettle", (event) => {
  localTimes(event.target);
  tick();
});
markReady("site");
