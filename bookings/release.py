"""When a court's slots open for booking: the club's release rules.

Two kinds of rule, as real portals use them (validated by
``booker.profiles.release_rules``, for the ``release_rules`` SystemConfig key):

- ``fixed_daily``: the whole day D opens ``days_ahead`` days before D at a
  time of day (the club's default: midnight), in the club's time zone;
- ``rolling``: each slot opens ``minutes_before`` its own start.

All arithmetic happens in the club's zone and returns aware UTC instants.
Dates are club dates: "8 days ahead" is counted on the club's calendar at
the release instant, never on the worker's local date.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tennisbook.values import TimeSlot


def rule_for_court(rules: dict, court_id: int) -> dict:
    return rules["courts"].get(str(court_id), rules["default"])


def release_instant(rule: dict, day: date, slot: TimeSlot, zone: ZoneInfo) -> datetime:
    """The UTC instant at which ``slot`` on club date ``day`` becomes bookable."""
    if rule["kind"] == "fixed_daily":
        hour, minute = (int(part) for part in rule["at"].split(":"))
        local = datetime.combine(day - timedelta(days=rule["days_ahead"]), time(hour, minute), zone)
    else:
        start = datetime.combine(day, slot.start, zone)
        local = start - timedelta(minutes=rule["minutes_before"])
    return local.astimezone(UTC)


def one_off_opening(rules: dict, court_id: int, day: date) -> datetime | None:
    """The instant of a one-off opening of ``court_id``'s ``day`` (``openings``), if any."""
    for opening in rules.get("openings", ()):
        if opening["court"] == court_id and opening["date"] == day.isoformat():
            return datetime.fromisoformat(opening["at"]).astimezone(UTC)
    return None


def opening_instant(rules: dict, court_id: int, day: date, slot: TimeSlot) -> datetime:
    """When ``slot`` of ``court_id`` on ``day`` opens: a one-off opening, else the rule."""
    special = one_off_opening(rules, court_id, day)
    if special is not None:
        return special
    zone = ZoneInfo(rules["time_zone"])
    return release_instant(rule_for_court(rules, court_id), day, slot, zone)


def fire_time(rules: dict, court_id: int, day: date, slot: TimeSlot, now: datetime) -> datetime:
    """When the engine should submit: the release instant, or ``now`` if already open."""
    return max(opening_instant(rules, court_id, day, slot), now)


def club_today(zone_name: str, now: datetime) -> date:
    """The club's calendar date at ``now`` (not the server's)."""
    return now.astimezone(ZoneInfo(zone_name)).date()


def date_opening_at(rule: dict, instant: datetime, zone: ZoneInfo) -> date:
    """For a fixed daily rule: the club date whose slots open at ``instant``.

    Counted on the club's calendar at the release instant itself. Taking
    "today" from a worker's clock instead (UTC, or read a few minutes before
    club midnight) targets the wrong day: the off-by-one seen in the wild.
    """
    return instant.astimezone(zone).date() + timedelta(days=rule["days_ahead"])


def next_release(
    rule: dict, slots: list[TimeSlot], now: datetime, zone: ZoneInfo
) -> tuple[datetime, date, TimeSlot | None] | None:
    """The first release after ``now`` under ``rule``: instant, club date, slot.

    A fixed daily rule opens a whole day (slot None); a rolling rule opens
    one slot at a time, so the answer is the earliest slot whose opening is
    still ahead. None when a rolling rule has no slots to open.
    """
    if rule["kind"] == "fixed_daily":
        hour, minute = (int(part) for part in rule["at"].split(":"))
        local_now = now.astimezone(zone)
        local = datetime.combine(local_now.date(), time(hour, minute), zone)
        if local <= now:
            local = datetime.combine(local_now.date() + timedelta(days=1), time(hour, minute), zone)
        instant = local.astimezone(UTC)
        return instant, date_opening_at(rule, instant, zone), None
    if not slots:
        return None
    first_day = (now + timedelta(minutes=rule["minutes_before"])).astimezone(zone).date()
    for offset in range(-1, 3):
        day = first_day + timedelta(days=offset)
        for slot in sorted(slots):
            instant = release_instant(rule, day, slot, zone)
            if instant > now:
                return instant, day, slot
    return None
