"""The page where members edit one template together: ``/templates/<id>/edit``.

Its owner and each member it is shared with by username
(``template_editing.editable_template``; 404 for anyone else) change its
name, first choice, alternatives, partners, notes, weekdays and conflict
choice in a plain form that works without scripts: a bad field comes back
named beside it, a save drawn from an older version (409) comes back drawn
over the current one (``template_editing.rebase``) saying who changed it,
with their value and the member's side by side where both changed a field.
static/js/template-edit.js keeps an open form in step with the others'
saves as they happen; the rule it follows is ``template_editing``'s.
Deleting and sharing stay on the list page, the owner's alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from configs import services as config_services
from tennisbook import timefmt
from tennisbook.pages import PageError

from . import template_editing
from .choices import MAX_PARTNERS, NOTES_MAX_LENGTH, OnConflict
from .forms import Alternative, BookingForm
from .pages import court_names
from .template_editing import FIELDS, StaleTemplate
from .template_pages import WEEKDAYS, club_zone, found, last_change

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAY_VALUES = {str(day) for day in range(7)}
# How the page names each field in its notices: "dana changed notes".
FIELD_LABELS = {
    "name": "name",
    "court_id": "court",
    "time_slot": "time slot",
    "alternatives": "alternatives",
    "partners": "partners",
    "notes": "notes",
    "weekdays": "weekdays",
    "on_conflict": "conflict choice",
}


@dataclass
class TemplateForm:
    """The edit form as typed (text), and the body ``check_template`` takes."""

    wish: BookingForm
    name: str = ""
    weekdays: list[str] = field(default_factory=list)

    @classmethod
    def from_post(cls, club: str, data) -> TemplateForm:
        return cls(BookingForm.from_post(club, data), data.get("name", ""), data.getlist("weekday"))

    @classmethod
    def from_values(cls, club: str, values: dict) -> TemplateForm:
        wish = BookingForm(
            club,
            court_id=str(values["court_id"]),
            time_slot=values["time_slot"],
            alternatives=[
                Alternative(str(alt["court_id"]), alt["time_slot"])
                for alt in values["alternatives"]
            ],
            partners=list(values["partners"]),
            notes=values["notes"],
            on_conflict=values["on_conflict"],
        )
        return cls(wish, values["name"], [str(day) for day in values["weekdays"]])

    def body(self) -> dict:
        days = [int(day) if day in WEEKDAY_VALUES else day for day in self.weekdays]
        return {**self.wish.body(), "name": self.name, "weekdays": days}


@login_required
@require_http_methods(["GET", "POST"])
def template_edit(request, template_id):
    """``/templates/<id>/edit``: its owner and the members it is shared with by username."""
    template = found(template_editing.editable_template, request.user, template_id)
    if request.method == "GET":
        form = TemplateForm.from_values(template.club_id, template_editing.values_of(template))
        return edit_page(request, template, form)
    form = TemplateForm.from_post(template.club_id, request.POST)
    version = request.POST.get("version")
    try:
        edit = template_editing.edit_template
        edited = found(edit, request.user, template.pk, form.body(), version)
    except StaleTemplate as stale:
        return stale_page(request, stale)
    except PageError as exc:  # drawn from the same version still: the page catches up live
        return edit_page(request, template, form, exc, drawn=_drawn(request), status=exc.status)
    if edited.fields:
        names = ", ".join(FIELD_LABELS[name] for name in edited.fields)
        messages.success(request, f"Saved your changes ({names}).")
    else:
        messages.info(request, "Nothing changed: the template is as it was.")
    return redirect("bookings:template-edit", template_id=template.pk)


def _drawn(request) -> tuple[int, dict] | None:
    """The version a posted form was drawn from and its copy of it; None if it lost them."""
    try:
        version, base = int(request.POST.get("version", "")), json.loads(request.POST["base"])
    except (KeyError, ValueError):
        return None
    return (version, base) if version >= 1 and isinstance(base, dict) else None


def stale_page(request, stale: StaleTemplate):
    """A save drawn from an older version: the form again, over the current one (409)."""
    template = stale.template
    current = template_editing.values_of(template)
    drawn = _drawn(request)
    rebased = template_editing.rebase(drawn[1] if drawn else None, stale.mine, current)
    names = court_names(template.club_id)
    shown = {
        "message": stale.message,
        "by": stale.by or "another member",
        "at": timefmt.club_time(
            stale.at, request.user.display_time_zone or club_zone(template.club_id)
        ),
        "theirs": [FIELD_LABELS[name] for name in rebased.theirs],
        "conflicts": {
            name: {
                "theirs": in_words(name, current[name], names),
                "mine": in_words(name, stale.mine[name], names),
            }
            for name in rebased.conflicts
        },
    }
    form = TemplateForm.from_values(template.club_id, rebased.values)
    return edit_page(request, template, form, stale=shown, status=409)


def in_words(name: str, value, names: dict[int, str]) -> str:
    """A field's value as the page says it beside the form."""

    def court(court_id) -> str:
        return names.get(court_id, f"Court {court_id}")

    if name == "court_id":
        return court(value)
    if name == "alternatives":
        return "; ".join(f"{court(a['court_id'])}, {a['time_slot']}" for a in value) or "none"
    if name == "partners":
        return ", ".join(value) or "none"
    if name == "weekdays":
        return ", ".join(WEEKDAYS[day] for day in value) or "any day"
    if name == "on_conflict":
        return dict(OnConflict.choices).get(value, "not chosen")
    return value or "(empty)"


def edit_page(
    request, template, form: TemplateForm, error=None, *, stale=None, drawn=None, status=200
):
    club = template.club_id
    courts = config_services.get_courts(club)
    limits = config_services.get_system_value("limits", club=club)
    errors = error.fields if error else {}
    conflicts = stale["conflicts"] if stale else {}
    wish = form.wish
    rows = wish.alternatives + [Alternative()] * (
        limits["max_alternatives"] - len(wish.alternatives)
    )
    version, base = drawn or (template.version, template_editing.values_of(template))
    editors = template_editing.editors(template)
    context = {
        "template": template,
        "form": form,
        "error": error,
        "stale": stale,
        "owner": template.owner_id == request.user.pk,
        "editors": editors,
        "also": [name for name in editors if name != request.user.get_username()],
        "last_change": last_change(template, request.user),
        "courts": courts,
        "slots": _all_slots(courts),
        "court_slots": {str(court["id"]): court["slots"] for court in courts},
        "fields": {
            name: {"errors": errors.get(name, []), "conflict": conflicts.get(name)}
            for name in FIELDS
        },
        "alternative_rows": [
            {
                "court_id": alt.court_id,
                "time_slot": alt.time_slot,
                "errors": {
                    "court_id": errors.get(f"alternatives[{i}].court_id", []),
                    "time_slot": errors.get(f"alternatives[{i}].time_slot", []),
                    "row": errors.get(f"alternatives[{i}]", []),
                },
            }
            for i, alt in enumerate(rows)
        ],
        "partner_rows": [
            {"value": name, "errors": errors.get(f"partners[{i}]", [])}
            for i, name in enumerate(wish.partner_inputs)
        ],
        "weekdays": [
            {"value": str(day), "name": WEEKDAY_NAMES[day], "checked": str(day) in form.weekdays}
            for day in range(7)
        ],
        "conflict_choices": OnConflict.choices,
        "notes_max": NOTES_MAX_LENGTH,
        "max_partners": MAX_PARTNERS,
        "version": version,
        "base": json.dumps(base),
        "live": {
            "template_id": str(template.pk),
            "me": request.user.get_username(),
            "by": template.updated_by.get_username() if template.updated_by_id else "",
            "labels": FIELD_LABELS,
        },
    }
    return render(request, "bookings/template_edit.html", context, status=status)


def _all_slots(courts: list[dict]) -> list[str]:
    """Every slot of the club's courts once, in order: the no-script form offers them all."""
    return list(dict.fromkeys(slot for court in courts for slot in court["slots"]))
