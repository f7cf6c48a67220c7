"""Finding a booking in the member's reservation list (the portal's own truth)."""

from __future__ import annotations

from tennisbook.values import InvalidValue, TimeSlot, parse_date

from .classify import normalize
from .results import Choice, Plan


def _same_day(text: str, wanted: str, plan: Plan) -> bool:
    if normalize(text) == normalize(wanted) or text == plan.day.isoformat():
        return True
    if text == f"--{plan.day.month:02d}-{plan.day.day:02d}":  # a list without years
        return True
    parts = text.strip().split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        try:
            return parse_date(f"{parts[0]}-{int(parts[1]):02d}-{int(parts[2]):02d}") == plan.day
        except InvalidValue:
            return False
    return False


def _same_slot(text: str, slot: TimeSlot) -> bool:
    try:
        return TimeSlot.parse(text) == slot
    except InvalidValue:
        return False


def _same_times(row: dict, slot: TimeSlot) -> bool:
    """A row with parsed ``start`` (and maybe ``end``, both ``HH:MM``) against the slot."""
    if row["start"] != slot.start.strftime("%H:%M"):
        return False
    return not row.get("end") or row["end"] == slot.end.strftime("%H:%M")


def _same_court(row: dict, choice: Choice, area_name: str) -> bool:
    # Rows from the HTTP door carry the court's id as "area"; a parsed row may carry
    # "court" (its id, or a name when the portal shows only names).
    for key in ("area", "court"):
        value = str(row.get(key) or "").strip()
        if value and value.isdigit() and int(value) != choice.court:
            return False
        # A name is compared with the name the navigation captured; without one
        # it cannot be told apart from another court's: no match (unverified
        # rather than a wrong "booked").
        if value and not value.isdigit() and normalize(value) != normalize(area_name or ""):
            return False
    # When both the list and the navigation name the court, they must agree.
    listed = row.get("area_name")
    return not (listed and area_name and normalize(listed) != normalize(area_name))


def row_matches(engine, plan: Plan, choice: Choice, row: dict, area_name: str) -> bool:
    """Does ``row`` (normalised by ``booker.rows``) hold ``choice`` on the plan's day?"""
    if not _same_court(row, choice, area_name):
        return False
    day = engine.adapter.format_day(plan.day)
    if not _same_day(row.get("day", ""), day, plan):
        return False
    if row.get("start"):
        return _same_times(row, choice.slot)
    label = engine.adapter.slot_label(choice.slot)
    return normalize(row.get("slot", "")) == normalize(label) or _same_slot(
        row.get("slot", ""), choice.slot
    )


def find_booking(
    engine, plan: Plan, rows: list[dict], area_names: dict[int, str], only: Choice | None = None
) -> tuple[Choice, dict] | None:
    """The first of the plan's choices (or ``only``) that the list holds, with its row."""
    for choice in [only] if only else plan.choices:
        for row in rows:
            if row_matches(engine, plan, choice, row, area_names.get(choice.court, "")):
                return choice, row
    return None
