"""Portal adapters: what a profile's data cannot express.

The engine calls these hooks and never names a portal's selectors. The base
``PortalAdapter`` implements everything from the profile's data; a club whose
portal has a quirk that data cannot describe gets a small subclass of it,
named in its profile's ``adapter`` either by a short name registered in
``ADAPTERS`` or by dotted path (``package.module:ClassName``), so a new
portal never needs an edit here.
"""

from __future__ import annotations

import hashlib
import importlib
import re
from datetime import date, datetime, time, timedelta

from tennisbook.values import InvalidValue, TimeSlot

from ..classify import normalize
from ..rows import read_time


class PortalAdapter:
    """Profile-driven behaviour shared by every portal."""

    def __init__(self, profile: dict):
        self.profile = profile

    def format_day(self, day: date) -> str:
        """The date as the portal writes it in URLs and form fields."""
        return self.profile["day_format"].format(year=day.year, month=day.month, day=day.day)

    def slot_label(self, slot: TimeSlot) -> str:
        """The slot as the portal's form labels it (``{start}`` alone or with ``{end}``)."""
        spec = self.profile["slot_label"]
        fmt = spec["time_format"]
        return spec["format"].format(start=slot.start.strftime(fmt), end=slot.end.strftime(fmt))

    def slot_from_start(self, start) -> TimeSlot:
        """The slot beginning at ``start``, as long as the profile's ``slot_minutes``."""
        end = datetime.combine(date(2000, 1, 1), start) + timedelta(
            minutes=self.profile["slot_minutes"]
        )
        if end.date() != date(2000, 1, 1):
            raise InvalidValue("time_slot", f"a slot at {start:%H:%M} would end after midnight.")
        return TimeSlot(start, end.time())

    def parse_slot(self, value: str, field: str = "time_slot") -> TimeSlot:
        """A slot written as ``HH:MM``, ``HH:MM-HH:MM``, the demo club's label, or this
        portal's own label (``slot_label``): what a member may put in ``TIME_SLOT``."""
        raw = value.strip() if isinstance(value, str) else value
        for parse in (_clock_range, TimeSlot.parse, self._from_label):
            try:
                slot = parse(raw)
            except (InvalidValue, ValueError, TypeError):
                continue
            if isinstance(slot, TimeSlot):
                return slot
            return self.slot_from_start(slot)
        example = self.slot_label(self.slot_from_start(time(7, 0)))
        raise InvalidValue(
            field, f"expected a start time like 07:00, 07:00-08:00 or {example!r}, got {value!r}."
        )

    def _from_label(self, raw: str):
        """Read this portal's label back: the format's pieces around strptime'd times."""
        spec = self.profile["slot_label"]
        pieces = re.split(r"(\{start\}|\{end\})", spec["format"])
        pattern = "".join(
            "(?P<start>.+?)" if p == "{start}" else "(?P<end>.+?)" if p == "{end}"
            else re.escape(_fold(p))
            for p in pieces
        )  # fmt: skip
        match = re.fullmatch(pattern, _fold(raw).strip())
        if not match:
            raise ValueError(raw)
        times = {
            k: _strptime(v.strip(), spec["time_format"]) for k, v in match.groupdict().items() if v
        }
        if "end" in times:
            return TimeSlot(times["start"], times["end"])
        return times["start"]

    def door_password(self, password: str) -> str:
        """The password as the door wants it on every call (some portals hash it)."""
        kind = self.profile["door"].get("password_hash", "none")
        if kind == "none":
            return password
        return hashlib.new(kind, password.encode(), usedforsecurity=False).hexdigest()

    def door_schedule_id(self, web_id: str) -> str | None:
        """The door's id of a slot from its web id, when the door cannot list them."""
        return None


class DemoclubAdapter(PortalAdapter):
    """The demo club (and the real portal it imitates).

    Its door's schedule ids are the web form's ids minus 2 (PORTAL.md): a rule
    of arithmetic, not data, used only when ``get_schedules`` is unavailable.
    """

    def door_schedule_id(self, web_id: str) -> str | None:
        return str(int(web_id) - 2) if web_id.isdigit() else None


ADAPTERS: dict[str, type[PortalAdapter]] = {
    "default": PortalAdapter,
    "democlub": DemoclubAdapter,
}
_DOTTED = re.compile(r"^[A-Za-z_][\w.]*[:.][A-Za-z_]\w*$")


def resolve_adapter(name: str, field: str = "portal_profile.adapter") -> type[PortalAdapter]:
    """The adapter class a profile names: a registered name or ``module:Class``."""
    if name in ADAPTERS:
        return ADAPTERS[name]
    if not _DOTTED.match(name):
        known = ", ".join(ADAPTERS)
        raise InvalidValue(field, f"unknown adapter; known: {known}, or a path module:Class.")
    module_name, _, class_name = name.replace(":", ".").rpartition(".")
    try:
        found = getattr(importlib.import_module(module_name), class_name)
    except Exception as exc:  # any failure of the named module's import is the profile's
        raise InvalidValue(
            field, f"cannot import {name!r} ({type(exc).__name__}: {exc})."
        ) from None
    if not (isinstance(found, type) and issubclass(found, PortalAdapter)):
        raise InvalidValue(field, f"{name!r} is not a PortalAdapter subclass.")
    return found


def adapter_for(profile: dict) -> PortalAdapter:
    return resolve_adapter(profile.get("adapter", "default"))(profile)


def _fold(text: str) -> str:
    """``normalize`` without trimming: the spaces around a label's pieces matter."""
    return re.sub(r"\s+", " ", normalize(f"x{text}x"))[1:-1]


def _clock_range(raw: str):
    """``07:00`` (a start) or ``07:00-08:30`` (a slot)."""
    start, sep, end = raw.partition("-")
    first = _strptime(start, "%H:%M")
    return TimeSlot(first, _strptime(end, "%H:%M")) if sep else first


def _strptime(text: str, fmt: str) -> time:
    """A time of day read with ``fmt`` (``7:00 am`` as well as ``7:00 AM``)."""
    found = read_time(text.strip(), [fmt])
    if found is None:
        raise ValueError(text)
    return time.fromisoformat(found)
