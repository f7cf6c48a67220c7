"""The member's reservation rows, from cell texts to comparable fields.

A list page gives each row's cells as text (``reservations.fields``). Some
portals show one combined cell ("Tuesday, December 8, 2026 at 7:00 AM");
the profile's ``reservations.parse`` splits a cell with a regular expression
whose named groups (day, slot, start, end, court, area_name) become fields.
Then ``day`` is written as an ISO date and ``start``/``end`` as ``HH:MM``
when the profile's ``formats`` (or ISO) can read them; a text that none
reads is kept as it is, for ``verify`` to compare with the portal's own
spelling.
"""

from __future__ import annotations

import re
from datetime import datetime

_SPACE = re.compile(r"\s+")


def _clean(text: object) -> str:
    return _SPACE.sub(" ", str(text or "")).strip()


def read_day(text: str, formats: list[str]) -> str | None:
    """``text`` as an ISO date, if one of ``formats`` reads it.

    A format without a year (lists often leave it out) gives ``--MM-DD``,
    ISO 8601's date without a year, which ``verify`` compares by month and day.
    """
    for fmt in [*formats, "%Y-%m-%d"]:
        try:
            # Only the calendar date is kept: no instant, so no time zone.
            found = datetime.strptime(text, fmt).date()  # noqa: DTZ007
        except ValueError:
            continue
        if "%Y" in fmt or "%y" in fmt:
            return found.isoformat()
        return f"--{found.month:02d}-{found.day:02d}"
    return None


def read_time(text: str, formats: list[str]) -> str | None:
    """``text`` as ``HH:MM`` (24 h), if one of ``formats`` reads it (``7:00 am`` too)."""
    candidates = {text, text.upper(), text.upper().replace(".", "")}
    for fmt in [*formats, "%H:%M", "%I:%M %p"]:
        for candidate in candidates:
            try:
                moment = datetime.strptime(candidate, fmt.replace("%-", "%"))  # noqa: DTZ007
                return moment.strftime("%H:%M")  # a time of day: no zone applies
            except ValueError:
                continue
    return None


def normalize_row(cells: dict, spec: dict) -> dict:
    """One row's fields from its cells' texts (``cells`` holds ``id`` and each cell)."""
    row = {name: _clean(value) for name, value in cells.items()}
    for cell, pattern in spec.get("parse", {}).items():
        match = re.search(pattern, row.get(cell, ""))
        if match:
            row.update({k: _clean(v) for k, v in match.groupdict().items() if v})
    formats = spec.get("formats", {})
    if row.get("day"):
        row["day"] = read_day(row["day"], formats.get("day", [])) or row["day"]
    for name in ("start", "end"):
        if row.get(name):
            row[name] = read_time(row[name], formats.get("time", [])) or row[name]
    return row
