// Helpers shared by the page scripts, without side effects: importing this
// module twice (from site.js and a page's own script) runs nothing twice.

/** "in 1 d 9 h", "in 5 min 3 s", "in 12 s", "now": as tennisbook/timefmt.py. */
export function until(instant, now = Date.now()) {
  const seconds = Math.floor((instant - now) / 1000);
  if (seconds <= 0) return "now";
  const days = Math.floor(seconds / 86400);
  const hours = Math.floor((seconds % 86400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const secs = seconds % 60;
  if (days) return `in ${days} d ${hours} h`;
  if (hours) return `in ${hours} h ${minutes} min`;
  if (minutes) return `in ${minutes} min ${secs} s`;
  return `in ${secs} s`;
}

/**
 * Fill a slot <select> with the slots of the court ``courtId``; the member's
 * ``favourites`` among them come first, in a group of their own.
 */
export function fillSlots(slotSelect, courtId, courtSlots, favourites = []) {
  const wanted = slotSelect.value || slotSelect.dataset.value || "";
  const first = slotSelect.options[0];
  const slots = courtSlots[courtId] || [];
  const option = (slot) => new Option(slot, slot, false, slot === wanted);
  slotSelect.replaceChildren(first);
  const liked = slots.filter((slot) => favourites.includes(slot));
  if (liked.length) {
    const group = (label, members) => {
      const node = document.createElement("optgroup");
      node.label = label;
      node.append(...members.map(option));
      return node;
    };
    slotSelect.append(group("Favourite slots", liked));
    const others = slots.filter((slot) => !favourites.includes(slot));
    if (others.length) slotSelect.append(group("Other slots", others));
  } else {
    slotSelect.append(...slots.map(option));
  }
  slotSelect.value = slots.includes(wanted) ? wanted : "";
}

/**
 * Say that the page script ``name`` has set itself up: ``<html data-scripts="site book">``.
 * Nothing reads it on the page; tests and support wait for it before they act.
 */
export function markReady(name) {
  const root = document.documentElement;
  const done = new Set((root.dataset.scripts || "").split(" ").filter(Boolean));
  done.add(name);
  root.dataset.scripts = [...done].join(" ");
}

export function isTyping(target) {
  if (!(target instanceof Element)) return false;
  return Boolean(target.closest("input, textarea, select, [contenteditable=''], [contenteditable=true]"));
}

