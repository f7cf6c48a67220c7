"""The portal's settings: parsed from JSON, validated, and serialised back.

Everything that tests and benchmarks may change at run time lives here, in
one immutable ``Settings`` value. The control API never mutates it: it merges
a JSON patch into ``Settings.to_json()``, parses the result
(``democlub.parsing``), and swaps the whole value in, so a bad patch leaves
the running portal untouched.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from democlub.slots import SlotGrid, slot_text

DEFAULT_TIMEZONE = "America/Costa_Rica"
# The kinds of portal one process can imitate (``--kind``): the condominium
# portal of PORTAL.md, or a self-hosted, English, MRBS-like booking grid.
KINDS = ("condo", "grid")
# How an injected 500 (``error_rate``) hits a reservation attempt: "before"
# deciding it (nothing is booked), or "after_booking" (the slot is booked,
# then the reply is lost to a 500; only bookings are hit in that mode).
ERROR_MODES = ("before", "after_booking")


@dataclass(frozen=True)
class ReleaseRule:
    """How a date (or slot) of an area becomes bookable.

    ``fixed``: day D opens at ``time`` (club time) ``days_ahead`` days before D.
    ``rolling``: a slot opens ``window_minutes`` before it starts.
    """

    kind: str
    days_ahead: int = 0
    time: dt.time = dt.time(0, 0)
    window_minutes: float = 0.0

    def to_json(self) -> dict[str, Any]:
        if self.kind == "fixed":
            return {"kind": "fixed", "days_ahead": self.days_ahead, "time": _hhmmss(self.time)}
        return {"kind": "rolling", "window_minutes": self.window_minutes}


@dataclass(frozen=True)
class Area:
    """A bookable amenity (a tennis court, the basketball court, a rancho...)."""

    id: int
    name: str
    rules_text: str
    release: ReleaseRule
    member_quota: int | None
    slots: SlotGrid | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "rules_text": self.rules_text,
            "release": self.release.to_json(),
            "member_quota": self.member_quota,
        }
        if self.slots is not None:
            data["slots"] = self.slots.to_json()
        return data


@dataclass(frozen=True)
class Member:
    """A member account on the portal (house number and password)."""

    member: str
    password: str
    name: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"member": self.member, "password": self.password, "name": self.name}


@dataclass(frozen=True)
class ReleaseOverride:
    """One date of one area that opens at an explicit instant, whatever the rule."""

    area: int
    day: dt.date
    opens_at: dt.datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "area": self.area,
            "day": self.day.isoformat(),
            "opens_at": self.opens_at.isoformat(),
        }


@dataclass(frozen=True)
class DemoRelease(ReleaseOverride):
    """The release a newcomer watches in ``make run``: an override plus a suggested slot."""

    slot: dt.time = dt.time(7, 0)

    def to_json(self, kind: str = "condo") -> dict[str, Any]:
        return {**super().to_json(), "slot": slot_text(kind, self.slot, 60)}


@dataclass(frozen=True)
class Competitor:
    """Another member who takes a slot ``delay_ms`` after it is released."""

    member: str
    area: int
    day: dt.date
    slot: dt.time
    delay_ms: float

    def key(self) -> tuple:
        return (self.member, self.area, self.day, self.slot, self.delay_ms)

    def to_json(self) -> dict[str, Any]:
        return {
            "member": self.member,
            "area": self.area,
            "day": self.day.isoformat(),
            "slot": self.slot.strftime("%H:%M"),
            "delay_ms": self.delay_ms,
        }


@dataclass(frozen=True)
class Settings:
    """Everything configurable about the portal, as one immutable value.

    ``kind`` is fixed for the process (``--kind``), not a config key: it picks
    the defaults of missing keys, the slot ids and the web layer.
    """

    kind: str = "condo"  # one of KINDS
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo(DEFAULT_TIMEZONE))
    clock_offset_ms: float = 0.0
    latency_ms: float = 0.0
    latency_jitter_ms: float = 0.0
    error_rate: float = 0.0
    error_mode: str = "before"  # one of ERROR_MODES
    session_ttl_seconds: float = 1800.0
    http_door: bool = True
    slots: SlotGrid = field(default_factory=SlotGrid)
    members: tuple[Member, ...] = ()
    areas: tuple[Area, ...] = ()
    release_overrides: tuple[ReleaseOverride, ...] = ()
    competitors: tuple[Competitor, ...] = ()
    demo_release: DemoRelease | None = None
    demo_release_minutes: float = 3.0

    def area(self, area_id: int) -> Area | None:
        return next((a for a in self.areas if a.id == area_id), None)

    def member(self, number: str) -> Member | None:
        return next((m for m in self.members if m.member == number), None)

    def grid(self, area: Area) -> SlotGrid:
        return area.slots or self.slots

    def override_for(self, area_id: int, day: dt.date) -> ReleaseOverride | None:
        """The explicit opening of (area, day), the demo release included."""
        candidates = [*self.release_overrides]
        if self.demo_release is not None:
            candidates.append(self.demo_release)
        return next((o for o in candidates if o.area == area_id and o.day == day), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "timezone": self.timezone.key,
            "clock_offset_ms": self.clock_offset_ms,
            "latency_ms": self.latency_ms,
            "latency_jitter_ms": self.latency_jitter_ms,
            "error_rate": self.error_rate,
            "error_mode": self.error_mode,
            "session_ttl_seconds": self.session_ttl_seconds,
            "http_door": self.http_door,
            "slots": self.slots.to_json(),
            "members": [m.to_json() for m in self.members],
            "areas": [a.to_json() for a in self.areas],
            "release_overrides": [o.to_json() for o in self.release_overrides],
            "competitors": [c.to_json() for c in self.competitors],
            "demo_release": self.demo_release.to_json(self.kind) if self.demo_release else None,
            "demo_release_minutes": self.demo_release_minutes,
        }


def _hhmmss(value: dt.time) -> str:
    return value.strftime("%H:%M:%S") if value.second else value.strftime("%H:%M")


def _fixed(days: int) -> ReleaseRule:
    return ReleaseRule(kind="fixed", days_ahead=days, time=dt.time(0, 0))


_TENNIS_RULES = (
    "Uso exclusivo de residentes. Máximo dos reservaciones activas por filial. "
    "Presentarse con calzado adecuado."
)


def default_settings(kind: str = "condo") -> Settings:
    """The club of PORTAL.md (two tennis courts plus the non-tennis areas), or the grid's."""
    if kind == "grid":
        return _grid_settings()
    areas = (
        Area(5, "Cancha de Tenis 1", _TENNIS_RULES, _fixed(8), 2),
        Area(7, "Cancha de Tenis 2", _TENNIS_RULES, _fixed(9), 2),
        Area(17, "Cancha Basquet", "Uso exclusivo de residentes.", _fixed(8), 2),
        Area(21, "Rancho 1", "Capacidad máxima 20 personas.", _fixed(30), 1),
        Area(22, "Rancho 2", "Capacidad máxima 20 personas.", _fixed(30), 1),
        Area(30, "Salón de Eventos", "Requiere depósito de garantía.", _fixed(30), 1),
    )
    return Settings(areas=areas)


# The grid club: four courts, hourly slots 07:00-22:00, each slot bookable
# from exactly one week before it starts (MRBS-style rolling window).
GRID_TIMEZONE = "America/New_York"
GRID_WINDOW_MINUTES = 7 * 24 * 60.0  # a float, as parsed settings hold it
_GRID_RULES = "Members only. Up to two upcoming bookings per court."


def _grid_settings() -> Settings:
    rule = ReleaseRule(kind="rolling", window_minutes=GRID_WINDOW_MINUTES)
    areas = tuple(Area(n, f"Court {n}", _GRID_RULES, rule, 2) for n in range(1, 5))
    return Settings(
        kind="grid",
        timezone=ZoneInfo(GRID_TIMEZONE),
        slots=SlotGrid(start=dt.time(7, 0), end=dt.time(22, 0), minutes=60),
        areas=areas,
    )
