"""Instants as member pages show them: in the club's zone, and how long until.

The page's script (static/js/site.js) redraws the same texts every second and
adds the member's own zone; these give the first paint and the no-script page.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


def club_time(instant: datetime, zone_name: str) -> str:
    """``Thu 3 Dec 00:00``: the instant on the club's clock."""
    local = instant.astimezone(ZoneInfo(zone_name))
    return f"{local:%a} {local.day} {local:%b %H:%M}"


def club_day(day) -> str:
    """``Thu 3 Dec``: a club date."""
    return f"{day:%a} {day.day} {day:%b}"


def until(instant: datetime, now: datetime) -> str:
    """``in 1 d 9 h``, ``in 5 min 3 s``, ``in 12 s``; ``now`` once it has passed."""
    seconds = int((instant - now).total_seconds())
    if seconds <= 0:
        return "now"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"in {days} d {hours} h"
    if hours:
        return f"in {hours} h {minutes} min"
    if minutes:
        return f"in {minutes} min {secs} s"
    return f"in {secs} s"
