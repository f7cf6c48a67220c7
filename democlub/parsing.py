"""Parsing and validating settings JSON (config file and control API).

Errors name the offending key with a path such as
``areas[0].release.days_ahead``; unknown keys are errors too, so a typo in a
config file is caught at start rather than silently ignored.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from democlub.settings import (
    ERROR_MODES,
    KINDS,
    Area,
    Competitor,
    DemoRelease,
    Member,
    ReleaseOverride,
    ReleaseRule,
    Settings,
    default_settings,
)
from democlub.slots import SlotGrid, parse_day, parse_slot_start


class ConfigError(ValueError):
    """A setting has a bad value; ``key`` is its dotted path."""

    def __init__(self, key: str, message: str):
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message


# --- parsing ---------------------------------------------------------------


def _obj(value: Any, key: str, allowed: set[str], required: set[str] = frozenset()) -> dict:
    if not isinstance(value, dict):
        raise ConfigError(key, "must be an object")
    for name in value:
        if name not in allowed:
            raise ConfigError(f"{key}.{name}" if key else name, "unknown key")
    for name in required:
        if name not in value:
            raise ConfigError(f"{key}.{name}" if key else name, "is required")
    return value


def _number(value: Any, key: str, minimum: float | None = None, maximum: float | None = None):
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(key, "must be a number")
    if minimum is not None and value < minimum:
        raise ConfigError(key, f"must be at least {minimum}")
    if maximum is not None and value > maximum:
        raise ConfigError(key, f"must be at most {maximum}")
    return float(value)


def _int(value: Any, key: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(key, "must be an integer")
    if value < minimum:
        raise ConfigError(key, f"must be at least {minimum}")
    return value


def _text(value: Any, key: str, allow_empty: bool = False) -> str:
    if not isinstance(value, str) or (not allow_empty and not value.strip()):
        raise ConfigError(key, "must be a non-empty string")
    return value


def _time(value: Any, key: str) -> dt.time:
    try:
        return dt.time.fromisoformat(_text(value, key))
    except ValueError:
        raise ConfigError(key, "must be a time of day like 00:00 or 07:30:00") from None


def _day(value: Any, key: str) -> dt.date:
    try:
        return parse_day(_text(value, key))
    except ValueError:
        raise ConfigError(key, "must be a date like 2026-12-5 or 2026-12-05") from None


def _aware(value: Any, key: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(_text(value, key))
    except ValueError:
        raise ConfigError(key, "must be an ISO 8601 date-time with an offset") from None
    if moment.tzinfo is None:
        raise ConfigError(key, "must carry a UTC offset (aware date-time)")
    return moment


def _list(value: Any, key: str) -> list:
    if not isinstance(value, list):
        raise ConfigError(key, "must be a list")
    return value


def parse_grid(value: Any, key: str, default: SlotGrid | None = None) -> SlotGrid:
    """A slot grid; missing keys take ``default``'s (the kind's default grid)."""
    base = (default or SlotGrid()).to_json()
    data = _obj(value, key, {"start", "end", "minutes"})
    grid = SlotGrid(
        start=_time(data.get("start", base["start"]), f"{key}.start"),
        end=_time(data.get("end", base["end"]), f"{key}.end"),
        minutes=_int(data.get("minutes", base["minutes"]), f"{key}.minutes", minimum=5),
    )
    if not grid.starts():
        raise ConfigError(key, "must hold at least one slot (start before end)")
    return grid


def parse_rule(value: Any, key: str) -> ReleaseRule:
    data = _obj(value, key, {"kind", "days_ahead", "time", "window_minutes"}, {"kind"})
    kind = data["kind"]
    if kind == "fixed":
        if "window_minutes" in data:
            raise ConfigError(f"{key}.window_minutes", "only applies to rolling rules")
        return ReleaseRule(
            kind="fixed",
            days_ahead=_int(data.get("days_ahead", 8), f"{key}.days_ahead"),
            time=_time(data.get("time", "00:00"), f"{key}.time"),
        )
    if kind == "rolling":
        for name in ("days_ahead", "time"):
            if name in data:
                raise ConfigError(f"{key}.{name}", "only applies to fixed rules")
        window = _number(data.get("window_minutes"), f"{key}.window_minutes", minimum=0)
        return ReleaseRule(kind="rolling", window_minutes=window)
    raise ConfigError(f"{key}.kind", 'must be "fixed" or "rolling"')


def parse_area(value: Any, key: str, default_grid: SlotGrid | None = None) -> Area:
    allowed = {"id", "name", "rules_text", "release", "member_quota", "slots"}
    data = _obj(value, key, allowed, {"id", "name"})
    quota = data.get("member_quota")
    return Area(
        id=_int(data["id"], f"{key}.id", minimum=1),
        name=_text(data["name"], f"{key}.name"),
        rules_text=_text(data.get("rules_text", ""), f"{key}.rules_text", allow_empty=True),
        release=parse_rule(data.get("release", {"kind": "fixed"}), f"{key}.release"),
        member_quota=None if quota is None else _int(quota, f"{key}.member_quota"),
        slots=(
            parse_grid(data["slots"], f"{key}.slots", default_grid) if data.get("slots") else None
        ),
    )


def parse_member(value: Any, key: str) -> Member:
    data = _obj(value, key, {"member", "password", "name"}, {"member", "password"})
    return Member(
        member=_text(
            str(data["member"]) if isinstance(data["member"], int) else data["member"],
            f"{key}.member",
        ),
        password=_text(data["password"], f"{key}.password"),
        name=_text(data.get("name", ""), f"{key}.name", allow_empty=True),
    )


def parse_override(value: Any, key: str) -> ReleaseOverride:
    data = _obj(value, key, {"area", "day", "opens_at"}, {"area", "day", "opens_at"})
    return ReleaseOverride(
        area=_int(data["area"], f"{key}.area", minimum=1),
        day=_day(data["day"], f"{key}.day"),
        opens_at=_aware(data["opens_at"], f"{key}.opens_at"),
    )


def parse_demo_release(value: Any, key: str) -> DemoRelease:
    data = _obj(value, key, {"area", "day", "opens_at", "slot"}, {"area", "day", "opens_at"})
    base = parse_override({k: v for k, v in data.items() if k != "slot"}, key)
    slot = _slot(data.get("slot", "07:00"), f"{key}.slot")
    return DemoRelease(area=base.area, day=base.day, opens_at=base.opens_at, slot=slot)


def _slot(value: Any, key: str) -> dt.time:
    try:
        return parse_slot_start(_text(value, key))
    except ValueError:
        raise ConfigError(key, 'must be "HH:MM" or a label like "De 07:00 AM a 08:00 AM"') from None


def parse_competitor(value: Any, key: str) -> Competitor:
    required = {"member", "area", "day", "slot"}
    data = _obj(value, key, {*required, "delay_ms"}, required)
    return Competitor(
        member=_text(
            str(data["member"]) if isinstance(data["member"], int) else data["member"],
            f"{key}.member",
        ),
        area=_int(data["area"], f"{key}.area", minimum=1),
        day=_day(data["day"], f"{key}.day"),
        slot=_slot(data["slot"], f"{key}.slot"),
        delay_ms=_number(data.get("delay_ms", 0), f"{key}.delay_ms", minimum=0),
    )


_TOP_KEYS = {
    "timezone", "clock_offset_ms", "latency_ms", "latency_jitter_ms", "error_rate", "error_mode",
    "session_ttl_seconds", "http_door", "slots", "members", "areas", "release_overrides",
    "competitors", "demo_release", "demo_release_minutes",
}  # fmt: skip


def parse_settings(value: Any, kind: str = "condo") -> Settings:
    """Build ``Settings`` of a kind from a JSON object; missing keys take its defaults."""
    if kind not in KINDS:
        raise ValueError(f"unknown portal kind {kind!r}")
    data = _obj(value, "", _TOP_KEYS)
    defaults = default_settings(kind)
    try:
        zone = ZoneInfo(_text(data.get("timezone", defaults.timezone.key), "timezone"))
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            "timezone", "must be an IANA time zone such as America/Costa_Rica"
        ) from None
    http_door = data.get("http_door", True)
    if not isinstance(http_door, bool):
        raise ConfigError("http_door", "must be true or false")
    error_mode = data.get("error_mode", "before")
    if error_mode not in ERROR_MODES:
        raise ConfigError("error_mode", f"must be one of: {', '.join(ERROR_MODES)}")
    areas = (
        tuple(
            parse_area(a, f"areas[{i}]", defaults.slots)
            for i, a in enumerate(_list(data["areas"], "areas"))
        )
        if "areas" in data
        else defaults.areas
    )
    _unique([a.id for a in areas], "areas", "id")
    members = tuple(
        parse_member(m, f"members[{i}]")
        for i, m in enumerate(_list(data.get("members", []), "members"))
    )
    _unique([m.member for m in members], "members", "member")
    overrides = tuple(
        parse_override(o, f"release_overrides[{i}]")
        for i, o in enumerate(_list(data.get("release_overrides", []), "release_overrides"))
    )
    competitors = tuple(
        parse_competitor(c, f"competitors[{i}]")
        for i, c in enumerate(_list(data.get("competitors", []), "competitors"))
    )
    demo = data.get("demo_release")
    return Settings(
        kind=kind,
        timezone=zone,
        clock_offset_ms=_number(data.get("clock_offset_ms", 0), "clock_offset_ms"),
        latency_ms=_number(data.get("latency_ms", 0), "latency_ms", minimum=0, maximum=60_000),
        latency_jitter_ms=_number(
            data.get("latency_jitter_ms", 0), "latency_jitter_ms", minimum=0, maximum=60_000
        ),
        error_rate=_number(data.get("error_rate", 0), "error_rate", minimum=0, maximum=1),
        error_mode=error_mode,
        session_ttl_seconds=_number(
            data.get("session_ttl_seconds", 1800), "session_ttl_seconds", minimum=0.1
        ),
        http_door=http_door,
        slots=(
            parse_grid(data["slots"], "slots", defaults.slots)
            if "slots" in data
            else defaults.slots
        ),
        members=members,
        areas=areas,
        release_overrides=overrides,
        competitors=competitors,
        demo_release=None if demo is None else parse_demo_release(demo, "demo_release"),
        demo_release_minutes=_number(
            data.get("demo_release_minutes", 3), "demo_release_minutes", minimum=0
        ),
    )


def _unique(values: list, key: str, name: str) -> None:
    seen = set()
    for i, value in enumerate(values):
        if value in seen:
            raise ConfigError(f"{key}[{i}].{name}", f"duplicate {name} {value!r}")
        seen.add(value)
