"""Fire times across the club's time zone and month and year boundaries."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bookings.release import club_today, date_opening_at, fire_time, release_instant
from configs.system_keys import default_release_rules
from tennisbook.values import TimeSlot

CLUB = ZoneInfo("America/Costa_Rica")
SEVEN = TimeSlot(time(7), time(8))
RULES = default_release_rules()
LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


def test_a_fixed_daily_rule_opens_the_day_n_days_before_at_club_midnight():
    instant = fire_time(RULES, 5, date(2026, 12, 9), SEVEN, LONG_AGO)
    # Club midnight of Dec 1 is 06:00 UTC (UTC-6, no daylight saving).
    assert instant == datetime(2026, 12, 1, 6, 0, tzinfo=UTC)


def test_each_court_has_its_own_days_ahead():
    assert fire_time(RULES, 7, date(2026, 12, 9), SEVEN, LONG_AGO) == datetime(
        2026, 11, 30, 6, 0, tzinfo=UTC
    )
    assert fire_time(RULES, 99, date(2026, 12, 9), SEVEN, LONG_AGO) == datetime(
        2026, 12, 1, 6, 0, tzinfo=UTC
    )


def test_the_release_crosses_month_and_year_boundaries_backwards():
    assert release_instant(RULES["courts"]["5"], date(2027, 1, 3), SEVEN, CLUB) == datetime(
        2026, 12, 26, 6, 0, tzinfo=UTC
    )
    assert release_instant(RULES["courts"]["7"], date(2027, 3, 1), SEVEN, CLUB) == datetime(
        2027, 2, 20, 6, 0, tzinfo=UTC
    )


def test_a_rolling_rule_opens_each_slot_a_fixed_duration_before_it_starts():
    rule = {"kind": "rolling", "minutes_before": 48 * 60}
    assert release_instant(rule, date(2027, 1, 1), SEVEN, CLUB) == datetime(
        2026, 12, 30, 13, 0, tzinfo=UTC
    )


def test_a_fixed_rule_at_a_time_of_day_uses_the_club_clock():
    rule = {"kind": "fixed_daily", "days_ahead": 2, "at": "07:30"}
    assert release_instant(rule, date(2026, 12, 1), SEVEN, CLUB) == datetime(
        2026, 11, 29, 13, 30, tzinfo=UTC
    )


def test_a_request_made_after_release_fires_at_once():
    now = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
    assert fire_time(RULES, 5, date(2026, 12, 9), SEVEN, now) == now


def test_the_club_date_is_not_the_servers_date():
    # 02:00 UTC on Dec 2 is still Dec 1, 20:00 at the club.
    assert club_today("America/Costa_Rica", datetime(2026, 12, 2, 2, 0, tzinfo=UTC)) == date(
        2026, 12, 1
    )


def test_the_day_that_opens_is_counted_on_the_club_calendar_at_release():
    rule = RULES["courts"]["5"]
    release = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)  # club midnight, Dec 1
    assert date_opening_at(rule, release, CLUB) == date(2026, 12, 9)
    # A worker preparing five minutes early must not take "today" as Nov 30:
    # the instant it asks about is the release, not its own now.
    early = release - timedelta(minutes=5)
    assert date_opening_at(rule, early, CLUB) == date(2026, 12, 8)
    assert release_instant(rule, date_opening_at(rule, release, CLUB), SEVEN, CLUB) == release


def test_a_one_off_opening_wins_over_the_rule_for_its_court_and_date_only():
    from booker.profiles.release_rules import validate_release_rules

    special = {"court": 5, "date": "2026-12-09", "at": "2026-12-02T09:30:00-06:00"}
    rules = validate_release_rules(RULES | {"openings": [special]})
    assert fire_time(rules, 5, date(2026, 12, 9), SEVEN, LONG_AGO) == datetime(
        2026, 12, 2, 15, 30, tzinfo=UTC
    )
    # Another court, or another date of that court, keeps its rule.
    assert fire_time(rules, 7, date(2026, 12, 9), SEVEN, LONG_AGO) == datetime(
        2026, 11, 30, 6, 0, tzinfo=UTC
    )
    assert fire_time(rules, 5, date(2026, 12, 10), SEVEN, LONG_AGO) == datetime(
        2026, 12, 2, 6, 0, tzinfo=UTC
    )


def test_bad_one_off_openings_name_the_path():
    import pytest

    from booker.profiles.release_rules import validate_release_rules
    from tennisbook.values import InvalidValue

    good = {"court": 5, "date": "2026-12-09", "at": "2026-12-02T09:30:00-06:00"}
    for openings, path in [
        ("soon", "release_rules.openings"),
        ([good | {"at": "2026-12-02T09:30:00"}], "release_rules.openings[0].at"),
        ([good | {"at": "tomorrow"}], "release_rules.openings[0].at"),
        ([good | {"date": "2026-02-30"}], "release_rules.openings[0].date"),
        ([good | {"court": "x"}], "release_rules.openings[0].court"),
        ([good, good], "release_rules.openings[1]"),
        ([{"court": 5, "date": "2026-12-09"}], "release_rules.openings[0]"),
    ]:
        with pytest.raises(InvalidValue) as caught:
            validate_release_rules(RULES | {"openings": openings})
        assert caught.value.field.startswith(path), (openings, caught.value.field)
