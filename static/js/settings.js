// The settings page and the wizard: the preferred slot follows the preferred court;
// a page sent back with errors puts the focus on their summary (read out first).

import { fillSlots, markReady } from "./common.js";

const slots = document.getElementById("court-slots");
const courtSlots = slots ? JSON.parse(slots.textContent) : {};
for (const slotSelect of document.querySelectorAll("select[data-court-select]")) {
  const court = document.getElementById(slotSelect.dataset.courtSelect);
  if (!court) continue;
  court.addEventListener("change", () => fillSlots(slotSelect, court.value, courtSlots));
  fillSlots(slotSelect, court.value, courtSlots);
}

document.getElementById("form-errors")?.focus();
markReady("settings");
