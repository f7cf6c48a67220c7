"""When a club's slots open: the release rules' format, validated.

One format for two places: the club's ``release_rules`` SystemConfig key
(``configs.system_keys``) and a portal profile's ``release_rules`` section.
``bookings.release`` computes instants from a validated value. Django-free,
like the rest of ``booker.profiles``.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tennisbook.values import InvalidValue, parse_court_id, parse_date

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


MAX_OPENINGS = 100


def validate_opening(value: Any, path: str) -> dict:
    """A one-off opening: the portal opens ``court``'s ``date`` at the instant ``at``."""
    expect(value, dict, path, "an object with court, date and at")
    check_keys(value, path, {"court", "date", "at"}, {"court", "date", "at"})
    court = parse_court_id(value["court"], f"{path}.court")
    day = parse_date(value["date"], f"{path}.date")
    at = value["at"]
    try:
        instant = datetime.fromisoformat(at) if isinstance(at, str) else None
    except ValueError:
        instant = None
    if instant is None or instant.tzinfo is None:
        raise InvalidValue(
            f"{path}.at", "expected an instant with its UTC offset, e.g. 2026-12-03T00:00:00-06:00."
        )
    return {"court": court, "date": day.isoformat(), "at": instant.isoformat()}


def validate_release_rules(value: Any, path: str = "release_rules") -> dict:
    """Time zone, the default rule, rules per court, and one-off ``openings``.

    ``openings`` (optional) are dates a portal opens at another instant than
    its rule says (a holiday, a special release, the demo portal's demo
    release); each wins over the court's rule for that date.
    """
    expect(value, dict, path, "an object with time_zone, default and courts")
    check_keys(value, path, set(), {"time_zone", "default", "courts", "openings"})
    zone = value.get("time_zone")
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, TypeError, ValueError):
        raise InvalidValue(f"{path}.time_zone", f"{zone!r} is not an IANA time zone.") from None
    courts = value.get("courts", {})
    expect(courts, dict, f"{path}.courts", "an object keyed by court id")
    openings = value.get("openings", [])
    expect(openings, list, f"{path}.openings", "a list of {court, date, at}")
    if len(openings) > MAX_OPENINGS:
        raise InvalidValue(f"{path}.openings", f"at most {MAX_OPENINGS} one-off openings.")
    checked = [validate_opening(item, f"{path}.openings[{i}]") for i, item in enumerate(openings)]
    seen: set[tuple[int, str]] = set()
    for i, item in enumerate(checked):
        if (item["court"], item["date"]) in seen:
            raise InvalidValue(
                f"{path}.openings[{i}]", f"court {item['court']} on {item['date']} is listed twice."
            )
        seen.add((item["court"], item["date"]))
    rules = {
        "time_zone": zone,
        "default": validate_rule(value.get("default"), f"{path}.default"),
        "courts": {
            str(parse_court_id(key, f"{path}.courts.{key}")): validate_rule(
                rule, f"{path}.courts.{key}"
            )
            for key, rule in courts.items()
        },
    }
    if checked:
        rules["openings"] = checked
    return rules
