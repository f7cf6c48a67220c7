"""Small helpers shared by the democlub tests (dates, releases)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

CLUB = ZoneInfo("America/Costa_Rica")
SLOT_7AM = "De 07:00 AM a 08:00 AM"


def portal_day(day: dt.date) -> str:
    """``2031-3-8``: the portal's unpadded date parameter."""
    return f"{day.year}-{day.month}-{day.day}"


def club_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=CLUB)


def fixed_release(day: dt.date, days_ahead: int) -> dt.datetime:
    """When a fixed-daily-opening rule at midnight opens ``day``."""
    return club_midnight(day - dt.timedelta(days=days_ahead))


# --- the grid kind (America/New_York, slots by seconds since midnight) ---

GRID_CLUB = ZoneInfo("America/New_York")
SEVEN_AM, EIGHT_AM = 7 * 3600, 8 * 3600


def grid_at(day: dt.date, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    """An instant of the grid club's day, in its zone."""
    return dt.datetime.combine(day, dt.time(hour, minute, second), tzinfo=GRID_CLUB)
