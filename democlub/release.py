"""When a slot becomes bookable, in the club's time zone.

All instants are aware datetimes. The club's *date* is taken in the club's
zone, never the host's: a worker in UTC that computes "today + 8" at 18:30
Costa Rica time is already a day ahead (the off-by-one of PORTAL.md).
"""

from __future__ import annotations

import datetime as dt

from democlub.settings import Area, Settings


def slot_start(settings: Settings, day: dt.date, start: dt.time) -> dt.datetime:
    """The aware instant a slot starts, in club time."""
    return dt.datetime.combine(day, start, tzinfo=settings.timezone)


def opens_at(settings: Settings, area: Area, day: dt.date, start: dt.time) -> dt.datetime:
    """The instant the slot (area, day, start) becomes bookable.

    An explicit per-date override (the demo release among them) wins over the
    area's rule.
    """
    override = settings.override_for(area.id, day)
    if override is not None:
        return override.opens_at
    rule = area.release
    if rule.kind == "fixed":
        opening_day = day - dt.timedelta(days=rule.days_ahead)
        return dt.datetime.combine(opening_day, rule.time, tzinfo=settings.timezone)
    return slot_start(settings, day, start) - dt.timedelta(minutes=rule.window_minutes)


def day_opens_at(settings: Settings, area: Area, day: dt.date) -> dt.datetime:
    """When the first slot of the day opens (a calendar day becomes clickable)."""
    starts = settings.grid(area).starts()
    return min(opens_at(settings, area, day, s) for s in starts)


def advance_text(area: Area) -> str:
    """``8 días`` for the "not yet open" message (hours for short rolling windows)."""
    rule = area.release
    if rule.kind == "fixed":
        return f"{rule.days_ahead} día" if rule.days_ahead == 1 else f"{rule.days_ahead} días"
    minutes = rule.window_minutes
    if minutes % 1440 == 0:
        days = int(minutes // 1440)
        return f"{days} día" if days == 1 else f"{days} días"
    if minutes % 60 == 0:
        hours = int(minutes // 60)
        return f"{hours} hora" if hours == 1 else f"{hours} horas"
    return f"{minutes:g} minutos"


def to_ns(moment: dt.datetime) -> int:
    """An aware datetime as integer nanoseconds since the epoch (exact)."""
    delta = moment - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1_000
