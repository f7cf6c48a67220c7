"""Slots, their labels, portal-style dates and the slot ids of each kind.

The condo portal's ``select#schedule`` option values are database ids that
differ per area and date; an engine must read them from the form, never
compute them. We imitate that with ids derived from a hash of
(area, date, slot start): deterministic, so a page saved today still matches
tomorrow, but not guessable from the label. The HTTP door's id for the same
slot is the web id minus ``DOOR_ID_SHIFT``. The grid kind's slot id is plain
and public instead: the start as seconds since midnight (``25200`` for 7:00),
the way MRBS-like systems post it; it has no door.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from typing import Any

DOOR_ID_SHIFT = 2
_ID_LOW, _ID_SPAN = 100_000, 9_000_000  # seven-digit ids, like a busy database's
_LABEL = re.compile(r"^\s*de\s+(\d{1,2}):(\d{2})\s*([ap])\.?\s*m\.?\s+a\s+", re.IGNORECASE)
_SHORT = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*([ap])\.?\s*m\.?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class SlotGrid:
    """Equal slots from ``start`` to ``end`` (club time), ``minutes`` long each."""

    start: dt.time = dt.time(6, 0)
    end: dt.time = dt.time(19, 0)
    minutes: int = 60

    def starts(self) -> list[dt.time]:
        first = self.start.hour * 60 + self.start.minute
        last = self.end.hour * 60 + self.end.minute
        return [
            dt.time(m // 60, m % 60) for m in range(first, last - self.minutes + 1, self.minutes)
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "start": self.start.strftime("%H:%M"),
            "end": self.end.strftime("%H:%M"),
            "minutes": self.minutes,
        }


def twelve_hour(value: dt.time) -> str:
    """``07:00 AM`` / ``12:30 PM``, independent of the process locale."""
    hour = value.hour % 12 or 12
    return f"{hour:02d}:{value.minute:02d} {'AM' if value.hour < 12 else 'PM'}"


def short_time(value: dt.time) -> str:
    """The grid's 12-hour time, unpadded: ``7:00 AM`` / ``12:00 PM`` (seconds if any)."""
    hour = value.hour % 12 or 12
    seconds = f":{value.second:02d}" if value.second else ""
    return f"{hour}:{value.minute:02d}{seconds} {'AM' if value.hour < 12 else 'PM'}"


def slot_label(start: dt.time, minutes: int) -> str:
    """The option text of the form: ``De 07:00 AM a 08:00 AM``."""
    end_minutes = (start.hour * 60 + start.minute + minutes) % (24 * 60)
    end = dt.time(end_minutes // 60, end_minutes % 60)
    return f"De {twelve_hour(start)} a {twelve_hour(end)}"


def slot_text(kind: str, start: dt.time, minutes: int) -> str:
    """A slot's label as the kind's pages show it (logs and the control API use it too)."""
    return short_time(start) if kind == "grid" else slot_label(start, minutes)


def reserved_text(start: dt.time, minutes: int) -> str:
    """The day view's line for a taken slot: ``Reservado de 06:00 AM a 07:00 AM``."""
    return "Reservado d" + slot_label(start, minutes)[1:]


def parse_slot_start(text: str) -> dt.time:
    """Accept ``07:00``, a label ``De 07:00 AM a 08:00 AM`` or ``7:00 AM``; return the start."""
    match = _LABEL.match(text) or _SHORT.match(text)
    if match:
        hour, minute, half = int(match.group(1)), int(match.group(2)), match.group(3).lower()
        if not 1 <= hour <= 12:
            raise ValueError(text)
        return dt.time(hour % 12 + (12 if half == "p" else 0), minute)
    return dt.time.fromisoformat(text.strip())


def format_day(day: dt.date) -> str:
    """The portal's date parameter, without zero padding: ``2026-12-5``."""
    return f"{day.year}-{day.month}-{day.day}"


def parse_day(text: str) -> dt.date:
    """Read ``2026-12-5`` (portal style) or ``2026-12-05`` (ISO)."""
    parts = text.strip().split("-")
    if len(parts) != 3 or not all(p.isdigit() for p in parts) or len(parts[0]) != 4:
        raise ValueError(f"bad day {text!r}")
    return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))


def _raw_id(area: int, day: dt.date, start: dt.time, bump: int) -> int:
    seed = f"democlub:{area}:{day.isoformat()}:{start.strftime('%H:%M')}:{bump}"
    digest = hashlib.sha256(seed.encode()).digest()
    return _ID_LOW + int.from_bytes(digest[:8], "big") % _ID_SPAN


def schedule_ids(area: int, day: dt.date, starts: list[dt.time]) -> dict[dt.time, int]:
    """Web ids of a day's slots, unique within the day (collisions are re-hashed)."""
    ids: dict[dt.time, int] = {}
    used: set[int] = set()
    for start in starts:
        bump = 0
        # The door ids (web id - 2) must stay unique too, hence the +-2 guard.
        while (value := _raw_id(area, day, start, bump)) in used or any(
            value + d in used for d in (-DOOR_ID_SHIFT, DOOR_ID_SHIFT)
        ):
            bump += 1
        ids[start] = value
        used.add(value)
    return ids


def slot_for_id(area: int, day: dt.date, starts: list[dt.time], web_id: int) -> dt.time | None:
    """The slot start whose web id is ``web_id`` on that area and day, if any."""
    for start, value in schedule_ids(area, day, starts).items():
        if value == web_id:
            return start
    return None


def seconds_of(start: dt.time) -> int:
    """The grid's slot id: seconds since midnight (``25200`` for 07:00)."""
    return start.hour * 3600 + start.minute * 60 + start.second


def web_ids(kind: str, area: int, day: dt.date, starts: list[dt.time]) -> dict[dt.time, int]:
    """The ids a kind's booking form posts for a day's slots."""
    if kind == "grid":
        return {start: seconds_of(start) for start in starts}
    return schedule_ids(area, day, starts)


def slot_for_web_id(
    kind: str, area: int, day: dt.date, starts: list[dt.time], web_id: int
) -> dt.time | None:
    """The slot start a kind's form id names on that area and day, if any."""
    if kind == "grid":
        return next((s for s in starts if seconds_of(s) == web_id), None)
    return slot_for_id(area, day, starts, web_id)


def door_id(kind: str, web_id: int) -> int | None:
    """The HTTP door's id of a slot (None: the kind has no door)."""
    return None if kind == "grid" else web_id - DOOR_ID_SHIFT
