"""Factories for the three tables: valid items with overridable fields."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from bookings.choices import RequestStatus
from bookings.dynamo import BookingRequest, HistoryEntry
from configs.dynamo import SystemConfigItem, UserConfig
from configs.system_keys import item_key

# The default club (settings.DEFAULT_CLUB_ID): what a single-club deployment is.
CLUB = "default"
SEVEN = "De 07:00 AM a 08:00 AM"
EIGHT = "De 08:00 AM a 09:00 AM"


# The instant "today" is read from while a test runs: tests/conftest.py pins
# it as each test starts, so a test that runs across midnight UTC computes
# the same date in its fixtures and in its body. None: the clock.
_pinned_now: datetime | None = None


def pin_now(instant: datetime | None) -> None:
    global _pinned_now
    _pinned_now = instant


def in_days(n: int) -> str:
    """The UTC date ``n`` days from now (the test's start), as YYYY-MM-DD."""
    now = _pinned_now or datetime.now(UTC)
    return (now + timedelta(days=n)).date().isoformat()


def user_config(save: bool = True, **fields: Any) -> UserConfig:
    now = datetime.now(UTC)
    values = {
        "user_id": str(uuid.uuid4()),
        "club_id": CLUB,
        "portal_username": "101",
        "preferred_court": 5,
        "created_at": now,
        "updated_at": now,
    } | fields
    item = UserConfig.for_member(values.pop("user_id"), values.pop("club_id"), **values)
    if save:
        item.save()
    return item


def booking_request(save: bool = True, **fields: Any) -> BookingRequest:
    now = datetime.now(UTC)
    values = {
        "request_id": str(uuid.uuid4()),
        "user_id": str(uuid.uuid4()),
        "club_id": CLUB,
        "court_id": 5,
        "date": (now + timedelta(days=10)).date().isoformat(),
        "time_slot": "De 07:00 AM a 08:00 AM",
        "status": RequestStatus.PENDING.value,
        "fire_at": now + timedelta(days=2),
        "history": [HistoryEntry(at=now, actor="factory", to_status=RequestStatus.PENDING.value)],
        "created_at": now,
        "updated_at": now,
    } | fields
    item = BookingRequest(values.pop("request_id"), values.pop("user_id"), **values)
    if save:
        item.save()
    return item


def system_config(
    key: str = "feature_flags", value: Any = None, save: bool = True, club: str = CLUB
) -> SystemConfigItem:
    item = SystemConfigItem(
        item_key(club, key),
        config_value={} if value is None else value,
        last_modified=datetime.now(UTC),
    )
    if save:
        item.save()
    return item
