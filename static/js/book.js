// The booking form in the browser: live validation that mirrors the server's
// rules, the day picker, slots per court, ordered alternatives (buttons,
// keyboard and drag and drop), a draft kept across reloads, templates, the
// one-click suggestions of a held slot, and a submit that cannot go twice.
// The server checks everything again: this only answers sooner.

import { fillSlots, markReady } from "./common.js";

const form = document.getElementById("booking-form");
if (form) setUp(form);
markReady("book");

function json(id, fallback) {
  const node = document.getElementById(id);
  return node ? JSON.parse(node.textContent) : fallback;
}

function storage() {
  try {
    const probe = "tennisbook:probe";
    window.localStorage.setItem(probe, "1");
    window.localStorage.removeItem(probe);
    return window.localStorage;
  } catch {
    return null; // private mode or storage refused: no drafts, no own templates
  }
}

function isoDate(value) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  const [year, month, day] = value.split("-").map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  const same = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1
    && date.getUTCDate() === day;
  return same ? date : null;
}

function setUp(form) {
  const rules = json("form-rules", {});
  const courtSlots = json("court-slots", {});
  const favouriteSlots = rules.favourite_slots || [];
  const readyTemplates = json("ready-templates", []);
  const store = storage();
  const draftKey = `tennisbook:draft:${rules.draft_key}`;
  const slotPattern = new RegExp(rules.slot_pattern, "i");
  const court = form.querySelector("#court_id");
  const date = form.querySelector("#date");
  const slot = form.querySelector("#time_slot");
  const list = form.querySelector("#alternatives");
  const addButton = form.querySelector("#add-alternative");
  const rowTemplate = document.getElementById("alternative-template");
  const status = document.getElementById("alternatives-status");
  const submit = form.querySelector("#submit-booking");
  const touched = new Set();
  let rowCounter = list.children.length;
  let submitting = false;

  // --- messages next to fields ------------------------------------------------------
  function show(input, message) {
    const box = document.getElementById(`${input.id}-error`);
    const field = input.closest(".field");
    if (box) box.textContent = message || "";
    field?.classList.toggle("has-error", Boolean(message));
    if (message) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }

  function checkDate(value) {
    if (!value.trim()) return "Enter the date you want to play (YYYY-MM-DD).";
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value.trim())) {
      return `Use the format YYYY-MM-DD, for example ${rules.first}.`;
    }
    if (!isoDate(value.trim())) return `There is no such date as ${value.trim()}.`;
    if (value.trim() < rules.first) {
      return `${value.trim()} is in the past for the club (its first bookable date is ${rules.first}).`;
    }
    if (value.trim() > rules.last) {
      return `${value.trim()} is beyond the club's booking window (the last date is ${rules.last}).`;
    }
    return "";
  }

  function checkSlot(value, required = true) {
    if (!value) return required ? "Choose a time slot." : "";
    if (!slotPattern.test(value)) return "Expected a slot like “De 07:00 AM a 08:00 AM”.";
    return "";
  }

  function rows() {
    return [...list.querySelectorAll(".alternative")];
  }

  function checkRow(row, seen) {
    const rowCourt = row.querySelector(".alt-court");
    const rowSlot = row.querySelector(".alt-slot");
    let courtMessage = "";
    let slotMessage = "";
    if (rowSlot.value && !rowCourt.value) courtMessage = "Choose a court for this alternative.";
    if (rowCourt.value) slotMessage = checkSlot(rowSlot.value);
    const key = `${rowCourt.value}|${rowSlot.value}`;
    if (!slotMessage && rowCourt.value && seen.has(key)) {
      slotMessage = "This repeats your first choice or another alternative.";
    }
    seen.add(key);
    return { rowCourt, rowSlot, courtMessage, slotMessage };
  }

  function validate(all = false) {
    const problems = [];
    const report = (input, message) => {
      if (all || touched.has(input.id)) show(input, message);
      if (message) problems.push(input);
    };
    report(court, court.value ? "" : "Choose a court.");
    report(date, checkDate(date.value));
    report(slot, checkSlot(slot.value));
    const seen = new Set([`${court.value}|${slot.value}`]);
    for (const row of rows()) {
      const { rowCourt, rowSlot, courtMessage, slotMessage } = checkRow(row, seen);
      report(rowCourt, courtMessage);
      report(rowSlot, slotMessage);
    }
    return problems;
  }

  form.addEventListener("focusout", (event) => {
    if (event.target.id) touched.add(event.target.id);
    validate();
  });
  form.addEventListener("input", (event) => {
    // Typing a date shows its problems once it has the full length or was left once.
    if (event.target === date && date.value.length >= 10) touched.add(date.id);
    validate();
    saveDraft();
  });
  form.addEventListener("change", () => {
    validate();
    saveDraft();
  });

  // --- slots per court, and when the chosen date opens ----------------------------------
  function refreshOpening() {
    if (date.value && window.htmx) window.htmx.trigger(date, "pick");
  }
  // Ask the server when the date opens only for a court and a date it could answer
  // for: else the hint would repeat the date's own error, or name the empty court.
  date.addEventListener("htmx:confirm", (event) => {
    if (court.value && !checkDate(date.value)) return;
    event.preventDefault();
    document.getElementById("opening")?.replaceChildren();
  });
  court.addEventListener("change", () => {
    fillSlots(slot, court.value, courtSlots, favouriteSlots);
    refreshOpening();
  });
  slot.addEventListener("change", refreshOpening);
  fillSlots(slot, court.value, courtSlots, favouriteSlots);

  const dayButtons = [...form.querySelectorAll(".day-picker .day")];
  function markDay() {
    for (const button of dayButtons) {
      const chosen = button.dataset.date === date.value.trim();
      button.classList.toggle("chosen", chosen);
      button.setAttribute("aria-pressed", chosen ? "true" : "false");
    }
  }
  for (const button of dayButtons) {
    button.addEventListener("click", () => {
      date.value = button.dataset.date;
      touched.add(date.id);
      markDay();
      validate();
      saveDraft();
      refreshOpening();
    });
  }
  date.addEventListener("input", markDay);

  // --- alternatives -----------------------------------------------------------------------
  function renumber() {
    rows().forEach((row, index) => {
      for (const label of row.querySelectorAll(".alt-position")) {
        label.textContent = `(alternative ${index + 1})`;
      }
      row.querySelector(".alt-number").textContent = `${index + 1}.`;
      row.querySelector(".alt-up").disabled = index === 0;
      row.querySelector(".alt-down").disabled = index === rows().length - 1;
    });
    addButton.disabled = rows().length >= rules.max_alternatives;
  }

  function wire(row) {
    const rowCourt = row.querySelector(".alt-court");
    const rowSlot = row.querySelector(".alt-slot");
    rowCourt.addEventListener("change", () => fillSlots(rowSlot, rowCourt.value, courtSlots, favouriteSlots));
    fillSlots(rowSlot, rowCourt.value, courtSlots, favouriteSlots);
  }

  function addRow(values = {}) {
    if (rows().length >= rules.max_alternatives) return null;
    const index = `n${rowCounter++}`;
    const html = rowTemplate.innerHTML.replaceAll("__i__", index);
    list.insertAdjacentHTML("beforeend", html);
    const row = list.lastElementChild;
    const rowCourt = row.querySelector(".alt-court");
    const rowSlot = row.querySelector(".alt-slot");
    rowCourt.value = values.court_id ? String(values.court_id) : "";
    rowSlot.dataset.value = values.time_slot || "";
    wire(row);
    renumber();
    return row;
  }

  function announce(text) {
    status.textContent = "";
    window.setTimeout(() => { status.textContent = text; }, 50);
  }

  addButton.addEventListener("click", () => {
    const row = addRow();
    if (row) {
      row.querySelector(".alt-court").focus();
      announce(`Alternative ${rows().length} added.`);
      saveDraft();
    }
  });

  list.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    const row = event.target.closest(".alternative");
    if (!button || !row) return;
    const position = rows().indexOf(row);
    if (button.classList.contains("alt-remove")) {
      const next = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      renumber();
      (next?.querySelector(".alt-court") || addButton).focus();
      announce(`Alternative ${position + 1} removed.`);
    } else if (button.classList.contains("alt-up") && row.previousElementSibling) {
      list.insertBefore(row, row.previousElementSibling);
      renumber();
      (button.disabled ? row.querySelector(".alt-down") : button).focus();
      announce(`Moved to position ${position} of ${rows().length}.`);
    } else if (button.classList.contains("alt-down") && row.nextElementSibling) {
      list.insertBefore(row.nextElementSibling, row);
      renumber();
      (button.disabled ? row.querySelector(".alt-up") : button).focus();
      announce(`Moved to position ${position + 2} of ${rows().length}.`);
    } else {
      return;
    }
    validate();
    saveDraft();
  });

  let dragged = null;
  list.addEventListener("dragstart", (event) => {
    dragged = event.target.closest(".alternative");
    if (!dragged) return;
    dragged.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.dataset.index || "");
  });
  list.addEventListener("dragover", (event) => {
    if (!dragged) return;
    event.preventDefault();
    const over = event.target.closest(".alternative");
    if (!over || over === dragged) return;
    const box = over.getBoundingClientRect();
    const after = event.clientY > box.top + box.height / 2;
    list.insertBefore(dragged, after ? over.nextElementSibling : over);
  });
  list.addEventListener("drop", (event) => event.preventDefault());
  list.addEventListener("dragend", () => {
    if (!dragged) return;
    dragged.classList.remove("dragging");
    const position = rows().indexOf(dragged) + 1;
    dragged = null;
    renumber();
    announce(`Moved to position ${position} of ${rows().length}.`);
    saveDraft();
  });

  for (const row of rows()) wire(row);
  renumber();

  // --- the form as data: drafts and templates ------------------------------------------------
  function snapshot() {
    return {
      court_id: court.value,
      date: date.value,
      time_slot: slot.value,
      alternatives: rows().map((row) => ({
        court_id: row.querySelector(".alt-court").value,
        time_slot: row.querySelector(".alt-slot").value,
      })),
      partners: [...form.querySelectorAll("[name=partner]")].map((input) => input.value),
      notes: form.querySelector("#notes").value,
      on_conflict: form.querySelector("[name=on_conflict]:checked")?.value || "",
    };
  }

  function apply(values) {
    court.value = values.court_id ? String(values.court_id) : "";
    slot.dataset.value = values.time_slot || "";
    slot.value = "";
    fillSlots(slot, court.value, courtSlots, favouriteSlots);
    date.value = values.date || "";
    for (const row of rows()) row.remove();
    for (const alternative of values.alternatives || []) addRow(alternative);
    const partners = [...form.querySelectorAll("[name=partner]")];
    partners.forEach((input, index) => { input.value = (values.partners || [])[index] || ""; });
    form.querySelector("#notes").value = values.notes || "";
    const choice = form.querySelector(`[name=on_conflict][value="${values.on_conflict}"]`);
    if (choice) choice.checked = true;
    renumber();
    markDay();
    validate();
    refreshOpening();
  }

  let draftTimer = null;
  function saveDraft() {
    if (!store || submitting) return;
    window.clearTimeout(draftTimer);
    draftTimer = window.setTimeout(() => {
      store.setItem(draftKey, JSON.stringify({ saved: Date.now(), values: snapshot() }));
    }, 200);
  }

  const draftNotice = document.getElementById("draft-notice");
  if (store && !form.dataset.prefilled) {
    const draft = JSON.parse(store.getItem(draftKey) || "null");
    if (draft?.values) {
      apply(draft.values);
      draftNotice.hidden = false;
    }
  }
  document.getElementById("draft-discard")?.addEventListener("click", () => {
    store?.removeItem(draftKey);
    window.location.replace(window.location.pathname + window.location.search);
  });

  function nextDate(weekday) {
    // The first date of the window on that weekday (0 = Monday, as Python counts).
    const first = isoDate(rules.first);
    const last = isoDate(rules.last);
    for (let day = first; day <= last; day = new Date(day.getTime() + 86400000)) {
      if ((day.getUTCDay() + 6) % 7 === weekday) return day.toISOString().slice(0, 10);
    }
    return "";
  }

  // Ready-made and the member's own templates (kept by the server) fill the form in one click.
  const templateList = document.getElementById("template-list");
  templateList.addEventListener("click", (event) => {
    const button = event.target.closest("button.template-apply");
    if (!button) return;
    const template = readyTemplates[Number(button.dataset.templateIndex)];
    if (!template) return;
    const values = { ...template };
    if (!values.date && template.weekdays?.length) values.date = nextDate(template.weekdays[0]);
    apply(values);
    for (const id of [court.id, date.id, slot.id]) touched.add(id);
    validate();
    saveDraft();
    announce(`Filled in from the template “${template.name}”.`);
    court.focus();
  });

  // "Save template" sends this form to the server's template list: only its name is needed
  // (the server checks the courts and slots as for a request); the booking is not sent.
  const templateName = document.getElementById("template-name");
  function savingTemplate(event) {
    return event.submitter?.id === "save-template";
  }
  // Enter in the name saves the template; it must not send the booking form around it.
  templateName?.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    form.requestSubmit(document.getElementById("save-template"));
  });

  // --- a held slot's suggestions: one click asks for that one -------------------------------------
  for (const button of document.querySelectorAll(".suggestion")) {
    button.addEventListener("click", () => {
      court.value = button.dataset.court;
      slot.dataset.value = button.dataset.slot;
      slot.value = "";
      fillSlots(slot, court.value, courtSlots, favouriteSlots);
      date.value = button.dataset.date;
      form.requestSubmit();
    });
  }
  document.getElementById("suggestions")?.focus();
  if (!document.getElementById("suggestions")) {
    document.getElementById("form-errors")?.focus();
  }

  // --- submit: checked, then sent once ---------------------------------------------------------
  form.addEventListener("submit", (event) => {
    if (submitting) {
      event.preventDefault();
      return;
    }
    if (savingTemplate(event)) {
      if (!templateName.value.trim()) {
        event.preventDefault();
        show(templateName, "Give the template a name.");
        templateName.focus();
        return;
      }
      show(templateName, "");
      window.clearTimeout(draftTimer);
      // The draft comes back on the booking form the server returns to.
      if (store) store.setItem(draftKey, JSON.stringify({ saved: Date.now(), values: snapshot() }));
      return;
    }
    const problems = validate(true);
    if (problems.length) {
      event.preventDefault();
      problems[0].focus();
      return;
    }
    submitting = true;
    window.clearTimeout(draftTimer);
    if (store) store.setItem(draftKey, JSON.stringify({ saved: Date.now(), values: snapshot() }));
    submit.disabled = true;
    submit.setAttribute("aria-busy", "true");
    submit.querySelector(".when-idle").hidden = true;
    submit.querySelector(".when-busy").hidden = false;
  });
  window.addEventListener("pageshow", (event) => {
    if (!event.persisted) return;
    submitting = false; // back from the next page: the form may be sent again
    submit.disabled = false;
    submit.removeAttribute("aria-busy");
    submit.querySelector(".when-idle").hidden = false;
    submit.querySelector(".when-busy").hidden = true;
  });
  // Offline, offline.js queues the request instead of sending the form (or says why it
  // cannot): the form may be used again, and a queued request is no longer a draft.
  form.addEventListener("tennisbook:offline-queued", (event) => {
    submitting = false;
    submit.disabled = false;
    submit.removeAttribute("aria-busy");
    submit.querySelector(".when-idle").hidden = false;
    submit.querySelector(".when-busy").hidden = true;
    if (event.detail?.queued && store) store.removeItem(draftKey);
  });

  markDay();
}
