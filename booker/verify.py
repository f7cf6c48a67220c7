"""Finding a booking in the member's reservation list (the portal's own truth)."""

from __future__ import annotations

from tennisbook.values import InvalidValue, TimeSlot, parse_date

from .classify import normalize
from .results import Choice, Plan


def _same_day(text: str, wanted: str, plan: Plan) -> bool:
    if normalize(text) == normalize(wanted):
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


def row_matches(engine, plan: Plan, choice: Choice, row: dict, area_name: str) -> bool:
    # Rows from the HTTP door carry the court's id; the web list only its name.
    if row.get("area") and str(row["area"]) != str(choice.court):
        return False
    day = engine.adapter.format_day(plan.day)
    if not _same_day(row.get("day", ""), day, plan):
        return False
    label = engine.adapter.slot_label(choice.slot)
    if normalize(row.get("slot", "")) != normalize(label) and not _same_slot(
        row.get("slot", ""), choice.slot
    ):
        return False
    # When both the list and the navigation name the court, they must agree.
    listed = row.get("area_name")
    return not (listed and area_name and normalize(listed) != normalize(area_name))


def find_booking(
    engine, plan: Plan, rows: list[dict], area_names: dict[int, str], only: Choice | None = None
) -> tuple[Choice, dict] | None:
    """The first of the plan's choices (or ``only``) that the list holds, with its row."""
    for choice in [only] if only else plan.choices:
        for row in rows:
            if row_matches(engine, plan, choice, row, area_names.get(choice.court, "")):
                return choice, row
    return None
