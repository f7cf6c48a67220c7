// The template edit page (/templates/<id>/edit): members editing one template
// together see each other's saves as they happen (bookings/template_editing.py).
//
// It watches template:<id>. Each "template.changed" names the fields a save
// changed and their new values:
// - a field this member has not changed (its value is still the newest one
//   the page knows) takes the new value at once, and a notice says
//   "dana changed notes";
// - a field this member has changed keeps their text; beside it the page
//   offers the other value: "Use dana's" or "Keep mine".
//
// The rule for the form's hidden version (what the server checks a save
// against): it is the newest version every change of which the form either
// shows or the member has answered. While a change to a field they touched
// waits for their answer, or while the page knows it missed an event (a gap
// in the versions, a "reload" from the socket), the version stays behind,
// so a save is refused and drawn again with both values (never laid over the
// other member's change unseen). The hidden "base" is the template's values
// at that version: after a refusal the server compares it, the member's
// values and the current ones, field by field. A page that missed a version
// asks the server's page for the current one and applies it by the same rule.
// Without this script the page is a plain form, and the server's check alone
// keeps saves apart.

import { fillSlots, markReady } from "./common.js";
import { live } from "./live.js";
import { coalesce, fetchDocument } from "./live-parts.js";

const NEWS_KEPT = 3;

function jsonOf(id) {
  const node = document.getElementById(id);
  return node ? JSON.parse(node.textContent) : null;
}

/** A field's value as one comparable string (the server's cleaning, roughly). */
function canon(name, value) {
  switch (name) {
    case "name":
      return String(value ?? "").normalize("NFC").trim();
    case "notes":
      return String(value ?? "").normalize("NFC").replace(/\r\n?/g, "\n").trim();
    case "court_id":
      return value === null || value === undefined || value === "" ? "" : String(Number(value));
    case "alternatives":
      return JSON.stringify((value || []).map((alt) => [Number(alt.court_id), String(alt.time_slot || "")]));
    case "partners":
      return JSON.stringify((value || []).map((p) => String(p).trim()).filter(Boolean));
    case "weekdays":
      return JSON.stringify([...(value || [])].map(Number).sort((a, b) => a - b));
    default:
      return String(value ?? "");
  }
}

class TemplateEditor {
  constructor(form) {
    this.form = form;
    const setup = jsonOf("edit-live");
    this.me = setup.me;
    this.labels = setup.labels;
    this.stream = `template:${setup.template_id}`;
    this.courtSlots = jsonOf("court-slots") || {};
    this.versionInput = document.getElementById("edit-version");
    this.baseInput = document.getElementById("edit-base");
    this.version = Number(this.versionInput.value);
    this.latestVersion = this.version; // the newest version the page knows
    this.latest = JSON.parse(this.baseInput.value || "{}"); // its values
    this.conflicts = new Map(); // field → {by, blocking}
    this.behind = false; // while true, the page knows it missed a version
    this.catchUp = coalesce(() => this.fetchCurrent());
    this.news = document.getElementById("edit-news");
  }

  start() {
    this.form.querySelector("#court_id").addEventListener("change", () => this.narrowSlots());
    for (const row of this.form.querySelectorAll(".edit-alternative")) {
      row.querySelector(".alt-court").addEventListener("change", () => this.narrowRow(row));
    }
    this.narrowSlots();
    for (const row of this.form.querySelectorAll(".edit-alternative")) this.narrowRow(row);
    // Conflicts the server drew after a refusal: shown already, so they hold nothing back.
    for (const box of this.form.querySelectorAll(".field-other[data-conflict]")) {
      this.offer(box.dataset.other, null, false);
    }
    this.form.addEventListener("input", () => this.recheck());
    this.form.addEventListener("change", () => this.recheck());
    live.watch(this.stream, (event) => {
      if (event.kind === "template.changed") this.changed(event.data);
    });
    live.onReload((stream) => {
      if (stream !== this.stream) return;
      this.behind = true;
      this.catchUp();
    });
  }

  // --- reading and writing the form ------------------------------------------------

  narrowSlots() {
    const court = this.form.querySelector("#court_id").value;
    fillSlots(this.form.querySelector("#time_slot"), court, this.courtSlots);
  }

  narrowRow(row) {
    fillSlots(row.querySelector(".alt-slot"), row.querySelector(".alt-court").value, this.courtSlots);
  }

  read(name) {
    const form = this.form;
    switch (name) {
      case "name":
      case "notes":
      case "time_slot":
        return form.querySelector(`#${name}`).value;
      case "court_id": {
        const value = form.querySelector("#court_id").value;
        return value === "" ? "" : Number(value);
      }
      case "alternatives":
        return [...form.querySelectorAll(".edit-alternative")]
          .map((row) => ({
            court_id: row.querySelector(".alt-court").value,
            time_slot: row.querySelector(".alt-slot").value,
          }))
          .filter((alt) => alt.court_id || alt.time_slot)
          .map((alt) => ({ court_id: Number(alt.court_id), time_slot: alt.time_slot }));
      case "partners":
        return [...form.querySelectorAll("input[name=partner]")].map((box) => box.value.trim()).filter(Boolean);
      case "weekdays":
        return [...form.querySelectorAll("input[name=weekday]:checked")].map((box) => Number(box.value));
      case "on_conflict":
        return form.querySelector("input[name=on_conflict]:checked")?.value || "";
      default:
        return undefined;
    }
  }

  write(name, value) {
    const form = this.form;
    switch (name) {
      case "name":
      case "notes":
        form.querySelector(`#${name}`).value = value ?? "";
        break;
      case "court_id":
        form.querySelector("#court_id").value = String(value ?? "");
        this.narrowSlots();
        break;
      case "time_slot": {
        const select = form.querySelector("#time_slot");
        this.narrowSlots();
        select.value = value ?? "";
        break;
      }
      case "alternatives":
        form.querySelectorAll(".edit-alternative").forEach((row, i) => {
          const alt = (value || [])[i];
          row.querySelector(".alt-court").value = alt ? String(alt.court_id) : "";
          this.narrowRow(row);
          row.querySelector(".alt-slot").value = alt ? alt.time_slot : "";
        });
        break;
      case "partners":
        form.querySelectorAll("input[name=partner]").forEach((box, i) => {
          box.value = (value || [])[i] || "";
        });
        break;
      case "weekdays":
        for (const box of form.querySelectorAll("input[name=weekday]")) {
          box.checked = (value || []).map(String).includes(box.value);
        }
        break;
      case "on_conflict":
        for (const box of form.querySelectorAll("input[name=on_conflict]")) box.checked = box.value === value;
        break;
      default:
    }
  }

  /** Whether the member changed ``name`` from the newest value the page knows. */
  touched(name) {
    return canon(name, this.read(name)) !== canon(name, this.latest[name]);
  }

  /** A value in words, as the form shows it. */
  words(name, value) {
    const courtName = (id) =>
      [...this.form.querySelector("#court_id").options].find((o) => o.value === String(id))?.text || `Court ${id}`;
    switch (name) {
      case "court_id":
        return courtName(value);
      case "alternatives":
        return (value || []).map((alt) => `${courtName(alt.court_id)}, ${alt.time_slot}`).join("; ") || "none";
      case "partners":
        return (value || []).join(", ") || "none";
      case "weekdays":
        return (
          (value || [])
            .map((day) => this.form.querySelector(`label[for="weekday-${day}"]`)?.textContent.trim())
            .join(", ") || "any day"
        );
      case "on_conflict":
        return this.form.querySelector(`label[for="on_conflict-${value}"]`)?.textContent.trim() || "not chosen";
      default:
        return String(value ?? "") || "(empty)";
    }
  }

  // --- the others' changes --------------------------------------------------------------

  changed(data) {
    const version = Number(data.version);
    if (!(version > this.latestVersion)) return; // this page's own state, or older (a replay)
    if (version !== this.latestVersion + 1) {
      // A version this page never heard of (its event was lost): ask the page itself.
      this.behind = true;
      this.catchUp();
      return;
    }
    this.take(data.by, data.values || {}, data.fields || []);
    this.latestVersion = version;
    this.settle();
  }

  /** Apply the new ``values`` of ``fields`` by the rule above; ``by`` made them. */
  take(by, values, fields) {
    const who = by === this.me ? "you (in another window)" : by || "another member";
    const known = fields.filter((name) => name in this.labels);
    // Before any write: a new court narrows the slots, which is not the member's doing.
    const mine = new Set(known.filter((name) => this.touched(name)));
    const shown = [];
    for (const name of known) {
      const value = values[name];
      this.latest[name] = value;
      if (!mine.has(name)) {
        this.write(name, value);
        this.clearOffer(name);
        shown.push(this.labels[name]);
      } else if (canon(name, this.read(name)) === canon(name, value)) {
        this.clearOffer(name); // both made the same change
      } else {
        this.offer(name, who, true);
      }
    }
    if (shown.length) this.tell(`${who} changed ${shown.join(", ")}`);
  }

  /** Learn the current version from the page itself (after a gap, or a "reload"). */
  async fetchCurrent() {
    const fresh = await fetchDocument(window.location.pathname);
    const version = Number(fresh?.getElementById("edit-version")?.value);
    if (!fresh || !version) {
      this.behind = true;
      this.tell(
        "This template may have changed in ways this page could not hear of: reload it " +
          "(a save now is checked against them first, and nothing of theirs is lost)"
      );
      return;
    }
    if (version > this.latestVersion) {
      const values = JSON.parse(fresh.getElementById("edit-base").value || "{}");
      const fields = Object.keys(this.labels).filter(
        (name) => canon(name, values[name]) !== canon(name, this.latest[name])
      );
      const setup = JSON.parse(fresh.getElementById("edit-live")?.textContent || "{}");
      this.take(setup.by, values, fields);
      this.latestVersion = version;
    }
    this.behind = false;
    this.settle();
  }

  /** Follow the newest version once every change is shown or answered. */
  settle() {
    const waiting = [...this.conflicts.values()].some((conflict) => conflict.blocking);
    if (this.behind || waiting || this.version === this.latestVersion) return;
    this.version = this.latestVersion;
    this.versionInput.value = String(this.version);
    this.baseInput.value = JSON.stringify(this.latest);
  }

  /** Offer the other value of ``name`` beside the member's own. */
  offer(name, by, blocking) {
    const box = this.form.querySelector(`[data-other="${name}"]`);
    if (!box) return;
    this.conflicts.set(name, { by, blocking });
    if (by) {
      const text = document.createElement("p");
      const who = document.createElement("strong");
      who.textContent = `${by} changed the ${this.labels[name]}: `;
      text.append(who, `“${this.words(name, this.latest[name])}”. Yours stays in the form until you choose.`);
      box.replaceChildren(text);
    }
    const choices = document.createElement("p");
    choices.className = "other-choices";
    const use = document.createElement("button");
    use.type = "button";
    use.className = "secondary";
    use.textContent = by && !by.startsWith("you") ? `Use ${by}'s` : "Use theirs";
    // The buttons go once answered: the focus goes back to the field.
    const control = () =>
      this.form.querySelector(
        `[data-field="${name}"] input, [data-field="${name}"] select, [data-field="${name}"] textarea`
      );
    use.addEventListener("click", () => {
      this.write(name, this.latest[name]);
      this.answer(name);
      control()?.focus();
    });
    const keep = document.createElement("button");
    keep.type = "button";
    keep.className = "secondary";
    keep.textContent = "Keep mine";
    keep.addEventListener("click", () => {
      this.answer(name);
      control()?.focus();
    });
    choices.append(use, keep);
    box.querySelector(".other-choices")?.remove();
    box.append(choices);
    box.closest("[data-field]")?.classList.add("has-other");
  }

  answer(name) {
    this.clearOffer(name);
    this.settle();
  }

  clearOffer(name) {
    this.conflicts.delete(name);
    const box = this.form.querySelector(`[data-other="${name}"]`);
    if (box) {
      box.replaceChildren();
      delete box.dataset.conflict;
      box.closest("[data-field]")?.classList.remove("has-other");
    }
  }

  /** A field the member put back to the newest value needs no answer any more. */
  recheck() {
    for (const name of [...this.conflicts.keys()]) {
      if (!this.touched(name)) this.answer(name);
    }
  }

  tell(text) {
    const item = document.createElement("p");
    item.textContent = `${text}.`.replace(/\.\.$/, ".");
    this.news.append(item);
    while (this.news.children.length > NEWS_KEPT) this.news.firstElementChild.remove();
    this.news.hidden = false;
  }
}

const form = document.getElementById("template-edit");
if (form) new TemplateEditor(form).start();
markReady("template-edit");
