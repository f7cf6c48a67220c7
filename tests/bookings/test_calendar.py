"""The club's calendar as pages show it: the booking window and release instants."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bookings import release, services
from configs import services as config_services
from tennisbook.values import InvalidValue, TimeSlot
from tests.factories import CLUB, SEVEN

pytestmark = pytest.mark.usefixtures("dynamo")

ZONE = ZoneInfo("America/Costa_Rica")  # UTC-6, no summer time
NOON = datetime(2026, 12, 2, 18, 0, tzinfo=UTC)  # 12:00 at the club
SLOTS = [TimeSlot.parse("De 07:00 AM a 08:00 AM"), TimeSlot.parse("De 08:00 AM a 09:00 AM")]


def rules(**courts):
    return {
        "time_zone": ZONE.key,
        "default": {"kind": "fixed_daily", "days_ahead": 8, "at": "00:00"},
        "courts": courts,
    }


def test_a_fixed_daily_rule_next_opens_the_day_eight_days_after_next_midnight():
    at, day, slot = release.next_release(rules()["default"], SLOTS, NOON, ZONE)
    assert at == datetime(2026, 12, 3, 6, 0, tzinfo=UTC)  # midnight at the club
    assert day == date(2026, 12, 11)
    assert slot is None


def test_a_rolling_rule_next_opens_the_earliest_slot_still_ahead():
    rule = {"kind": "rolling", "minutes_before": 48 * 60}
    at, day, slot = release.next_release(rule, SLOTS, NOON, ZONE)
    assert (day, slot) == (date(2026, 12, 5), SLOTS[0])
    assert at == datetime(2026, 12, 3, 13, 0, tzinfo=UTC)  # 07:00 on the 3rd at the club


def test_the_window_runs_from_the_club_today_to_the_horizon():
    first, last = services.booking_window(CLUB, NOON)
    limits = config_services.get_system_value("limits", club=CLUB)
    assert first == date(2026, 12, 2)
    assert (last - first).days == limits["horizon_days"]


def test_opening_of_a_date_is_the_instant_the_engine_fires_at():
    config_services.set_system_value("release_rules", rules(), actor="test", club=CLUB)
    opening = services.opening_of(CLUB, 5, "2026-12-11", SEVEN, now=NOON)
    assert opening.at == datetime(2026, 12, 3, 6, 0, tzinfo=UTC)
    assert opening.time_slot is None  # the whole day opens at once
    already_open = services.opening_of(CLUB, 5, "2026-12-05", None, now=NOON)
    assert already_open.at == NOON


def test_opening_of_names_the_bad_field():
    for args, field in [
        ((6, "2026-12-11", SEVEN), "court_id"),
        ((5, "2026-02-30", SEVEN), "date"),
        ((5, "2026-11-30", SEVEN), "date"),
        ((5, "2026-12-11", "De 11:00 PM a 11:30 PM"), "time_slot"),
    ]:
        with pytest.raises(InvalidValue) as caught:
            services.opening_of(CLUB, *args, now=NOON)
        assert caught.value.field == field, args


def test_next_openings_list_every_court_soonest_first():
    rolling = {"kind": "rolling", "minutes_before": 60}
    config_services.set_system_value("release_rules", rules(**{"7": rolling}), actor="t", club=CLUB)
    openings = services.next_openings(CLUB, NOON)
    courts = {opening.court_id: opening for opening in openings}
    assert set(courts) == {c["id"] for c in config_services.get_courts(CLUB)}
    assert courts[7].at < courts[5].at
    assert courts[7].time_slot is not None
    assert courts[5].time_slot is None
    assert [o.at for o in openings] == sorted(o.at for o in openings)


def test_a_court_whose_next_date_was_opened_early_shows_the_release_after():
    # The rule's next release (Dec 3, 00:00) would open Dec 11, which opened at 11:00 already.
    early = {"court": 5, "date": "2026-12-11", "at": "2026-12-02T11:00:00-06:00"}
    config_services.set_system_value(
        "release_rules", rules() | {"openings": [early]}, actor="t", club=CLUB
    )
    openings = {o.court_id: o for o in services.next_openings(CLUB, NOON)}
    assert openings[5].day == date(2026, 12, 12)
    assert openings[5].at == datetime(2026, 12, 4, 6, 0, tzinfo=UTC)
