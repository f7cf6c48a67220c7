// The calendar page: copy the feed link, and keep the focus where the member is
// when htmx replaces the feed section (create, regenerate, stop).
// Without it the page still works: the forms post, the link can be selected by hand.

import { markReady } from "./common.js";

function showCopyButtons(root) {
  for (const button of root.querySelectorAll("[data-copy]")) button.hidden = false;
}

async function copy(button) {
  const field = document.getElementById(button.dataset.copy);
  const status = document.getElementById("copy-status");
  if (!field) return;
  let copied = false;
  try {
    await navigator.clipboard.writeText(field.value);
    copied = true;
  } catch {
    // no clipboard permission (an http page, an old browser): select it for the member
    field.focus();
    field.select();
  }
  if (status) {
    status.textContent = copied
      ? "Copied: paste it into your calendar app."
      : "The link is selected: copy it with Ctrl+C (or ⌘C).";
  }
}

function feedSwapped(event) {
  const feed = document.getElementById("feed");
  if (!feed || !feed.contains(event.target)) return;
  showCopyButtons(feed);
  // The button that was pressed is gone: the focus goes to what the member needs next.
  const link = document.getElementById("feed-url");
  const next = link || document.getElementById("feed-error") || document.getElementById("feed-title");
  if (next && document.activeElement !== next) {
    if (!next.hasAttribute("tabindex") && next !== link) next.setAttribute("tabindex", "-1");
    next.focus();
    if (link) link.select();
  }
}

document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest("[data-copy]") : null;
  if (button) copy(button);
});
document.addEventListener("htmx:afterSettle", feedSwapped);
showCopyButtons(document);
markReady("calendar");
