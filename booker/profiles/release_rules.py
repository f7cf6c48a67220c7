"""When a club's slots open: the release rules' format, validated.

One format for two places: the club's ``release_rules`` SystemConfig key
(``configs.system_keys``) and a portal profile's ``release_rules`` section.
``bookings.release`` computes instants from a validated value. Django-free,
like the rest of ``booker.profiles``.
"""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tennisbook.values import InvalidValue, parse_court_id

from .checks import check_keys, expect, whole_number

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def validate_rule(value: Any, path: str) -> dict:
    """A fixed daily opening, or a rolling window before each slot's start."""
    expect(value, dict, path, "a release rule object")
    kind = value.get("kind")
    if kind == "fixed_daily":
        check_keys(value, path, set(), {"kind", "days_ahead", "at"})
        at = value.get("at", "00:00")
        if not isinstance(at, str) or not _HHMM.match(at):
            raise InvalidValue(f"{path}.at", "expected a time of day as HH:MM (24-hour).")
        days = whole_number(value.get("days_ahead"), f"{path}.days_ahead", 0, 366)
        return {"kind": kind, "days_ahead": days, "at": at}
    if kind == "rolling":
        check_keys(value, path, set(), {"kind", "minutes_before"})
        minutes = whole_number(
            value.get("minutes_before"), f"{path}.minutes_before", 1, 366 * 24 * 60
        )
        return {"kind": kind, "minutes_before": minutes}
    raise InvalidValue(f"{path}.kind", "expected 'fixed_daily' or 'rolling'.")


def default_release_rules() -> dict:
    """The club of PORTAL.md: court 5 opens 8 days ahead, court 7 nine, at midnight."""
    return {
        "time_zone": "America/Costa_Rica",
        "default": {"kind": "fixed_daily", "days_ahead": 8, "at": "00:00"},
        "courts": {
            "5": {"kind": "fixed_daily", "days_ahead": 8, "at": "00:00"},
            "7": {"kind": "fixed_daily", "days_ahead": 9, "at": "00:00"},
        },
    }


def validate_release_rules(value: Any, path: str = "release_rules") -> dict:
    expect(value, dict, path, "an object with time_zone, default and courts")
    check_keys(value, path, set(), {"time_zone", "default", "courts"})
    zone = value.get("time_zone")
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, TypeError, ValueError):
        raise InvalidValue(f"{path}.time_zone", f"{zone!r} is not an IANA time zone.") from None
    courts = value.get("courts", {})
    expect(courts, dict, f"{path}.courts", "an object keyed by court id")
    return {
        "time_zone": zone,
        "default": validate_rule(value.get("default"), f"{path}.default"),
        "courts": {
            str(parse_court_id(key, f"{path}.courts.{key}")): validate_rule(
                rule, f"{path}.courts.{key}"
            )
            for key, rule in courts.items()
        },
    }
