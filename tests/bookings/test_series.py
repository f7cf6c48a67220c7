"""Recurring series: each date's request made on time, through the workflow, once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bookings import series as series_service
from bookings.choices import RequestStatus
from bookings.dynamo import BookingRequest
from bookings.models import SeriesOccurrence
from configs import services as config_services
from tennisbook.values import InvalidValue
from tests.factories import CLUB, EIGHT, SEVEN

pytestmark = pytest.mark.usefixtures("dynamo")

COSTA_RICA = ZoneInfo("America/Costa_Rica")  # UTC-6, no summer time
# Wednesday 2 December 2026, 12:00 at the club.
NOON = datetime(2026, 12, 2, 18, 0, tzinfo=UTC)
TUESDAY = 1


@pytest.fixture
def owner(member, portal_member):
    portal_member(str(member.pk))
    return member


def body(**fields):
    return {
        "name": "Tuesday mornings",
        "court_id": 5,
        "time_slot": SEVEN,
        "alternatives": [{"court_id": 7, "time_slot": SEVEN}],
        "weekdays": [TUESDAY],
        "starts_on": "2026-12-02",
        "ends_on": "2027-01-31",
        "partners": ["Dana"],
        "notes": "",
    } | fields


def make(owner, now=NOON, **fields):
    return series_service.create_series(owner, CLUB, body(**fields), now=now)


def stored(series) -> list[BookingRequest]:
    series.refresh_from_db()
    return series_service.series_requests(series)


# --- checking ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"weekdays": []}, "weekdays"),
        ({"weekdays": [7]}, "weekdays"),
        ({"weekdays": [True]}, "weekdays"),
        ({"ends_on": None}, "ends_on"),
        ({"ends_on": "2026-11-30"}, "ends_on"),
        ({"ends_on": "2026-12-01", "starts_on": "2026-11-01"}, "ends_on"),
        ({"starts_on": "2026-02-30"}, "starts_on"),
        ({"ends_on": "2028-12-31"}, "ends_on"),
        ({"skipped": ["2027-03-01"]}, "skipped"),
        ({"skipped": "2026-12-24"}, "skipped"),
        ({"court_id": 99}, "court_id"),
        ({"time_slot": "De 11:00 PM a 11:30 PM"}, "time_slot"),
        ({"name": ""}, "name"),
    ],
)
def test_a_bad_series_is_refused_naming_its_field(owner, fields, field):
    with pytest.raises(InvalidValue) as refused:
        make(owner, **fields)
    assert refused.value.field == field


def test_a_member_without_credentials_at_the_club_cannot_start_one(member):
    with pytest.raises(InvalidValue) as refused:
        make(member)
    assert refused.value.field == "portal_credentials"


# --- planning: on time, once ---------------------------------------------------------


def release_of(day: date) -> datetime:
    """Court 5 opens 8 days ahead at the club's midnight (the default rules)."""
    return datetime.combine(day - timedelta(days=8), datetime.min.time(), COSTA_RICA)


def test_across_a_month_each_date_is_made_once_between_its_lead_and_its_release(owner):
    series = make(owner, skipped=["2026-12-22"])
    made_at: dict[str, datetime] = {}
    now = NOON
    while now < datetime(2027, 1, 6, tzinfo=UTC):
        series_service.plan(now)
        for request in stored(series):
            made_at.setdefault(request.date, now)
        now += timedelta(hours=3)

    tuesdays = ["2026-12-08", "2026-12-15", "2026-12-29", "2027-01-05", "2027-01-12"]
    assert sorted(made_at) == tuesdays  # 22 Dec skipped; no later date is due yet
    for day, at in made_at.items():
        release = release_of(date.fromisoformat(day))
        # created within a planner period of its creation instant, and well before its release
        due = max(release - series_service.lead(), NOON)
        assert due <= at < due + timedelta(hours=3), day
        assert at < release or release < NOON  # 8 Dec had opened before the series began
    requests = {r.date: r for r in stored(series)}
    assert requests["2026-12-15"].fire_at == release_of(date(2026, 12, 15))
    assert all(r.series_id == str(series.pk) for r in requests.values())
    assert all(r.partners == ["Dana"] for r in requests.values())
    assert [a.court_id for a in requests["2027-01-05"].alternatives] == [7]
    assert SeriesOccurrence.objects.filter(series=series, state="created").count() == 5


def test_a_date_whose_release_has_passed_is_made_at_once_and_fires_at_once(owner):
    series = make(owner)
    series_service.plan(NOON)
    request = {r.date: r for r in stored(series)}["2026-12-08"]  # opened on 30 Nov
    assert request.fire_at == NOON


def test_a_date_whose_slot_has_begun_is_never_made(owner):
    at_seven = datetime(2026, 12, 8, 13, 30, tzinfo=UTC)  # 07:30 on Tuesday 8 Dec at the club
    series = make(owner, starts_on="2026-12-08", now=at_seven)
    series_service.plan(at_seven)
    assert "2026-12-08" not in {r.date for r in stored(series)}


def test_two_planners_make_one_request_per_date(owner):
    series = make(owner)
    series_service.plan(NOON)
    series_service.plan(NOON)
    series_service.plan_series(series, now=NOON)  # a planner that read the series before
    dates = [r.date for r in stored(series)]
    assert len(dates) == len(set(dates))
    assert SeriesOccurrence.objects.filter(series=series).count() == len(dates)


def test_a_date_the_club_refuses_is_recorded_with_the_clubs_words(owner, bob, make_request):
    make_request(bob, day="2026-12-08")  # bob holds court 5 at 07:00 that Tuesday
    config_services.set_system_value("conflict_policy", "reject", club=CLUB, actor="test")
    series = make(owner, on_conflict="suggest")
    series_service.plan(NOON)
    refused = SeriesOccurrence.objects.get(series=series, date=date(2026, 12, 8))
    assert refused.state == "refused"
    assert "another member" in refused.message.lower()
    assert "2026-12-08" not in {r.date for r in stored(series)}


def test_the_members_quota_applies_to_a_series(owner):
    config_services.set_system_value("limits", {"max_active_requests": 1}, club=CLUB, actor="test")
    series = make(owner, weekdays=[0, 1, 2, 3, 4, 5, 6])
    series_service.plan(NOON)
    states = set(SeriesOccurrence.objects.filter(series=series).values_list("state", flat=True))
    assert states == {"created", "refused"}
    assert len(stored(series)) == 1


def test_a_time_zone_with_summer_time_moves_the_release_with_it(owner):
    madrid = {
        "time_zone": "Europe/Madrid",
        "default": {"kind": "fixed_daily", "days_ahead": 8, "at": "00:00"},
        "courts": {},
    }
    config_services.set_system_value("release_rules", madrid, club=CLUB, actor="test")
    start = datetime(2027, 3, 20, 12, 0, tzinfo=UTC)
    series = make(owner, now=start, starts_on="2027-03-20", ends_on="2027-04-30", weekdays=[0])
    now = start
    while now < datetime(2027, 4, 8, tzinfo=UTC):
        series_service.plan(now)
        now += timedelta(hours=2)
    fires = {r.date: r.fire_at for r in stored(series)}
    # Madrid moves to summer time on 28 March 2027 at 02:00.
    assert fires["2027-04-05"] == datetime(2027, 3, 27, 23, 0, tzinfo=UTC)  # midnight, CET
    assert fires["2027-04-12"] == datetime(2027, 4, 3, 22, 0, tzinfo=UTC)  # midnight, CEST
    assert fires["2027-04-12"] > datetime(2027, 3, 20, 12, 0, tzinfo=UTC) + timedelta(days=10)


# --- pause, skip, edit, end ------------------------------------------------------------


def test_a_paused_series_makes_nothing_until_resumed(owner):
    series = make(owner)
    series_service.set_paused(owner, series.pk, True)
    series_service.plan(NOON)
    assert stored(series) == []
    series_service.set_paused(owner, series.pk, False)
    series_service.plan(NOON)
    assert stored(series) != []


def test_skipping_a_date_cancels_its_request_and_it_is_not_made_again(owner):
    series = make(owner)
    series_service.plan(NOON)
    series_service.skip_date(owner, series.pk, "2026-12-08", now=NOON)
    series_service.plan(NOON + timedelta(hours=1))
    request = {r.date: r for r in stored(series)}["2026-12-08"]
    assert request.status == RequestStatus.CANCELLED.value
    occurrence = SeriesOccurrence.objects.get(series=series, date=date(2026, 12, 8))
    assert occurrence.state == "skipped"


def test_a_date_taken_back_gets_a_new_request(owner):
    series = make(owner)
    series_service.plan(NOON)
    series_service.skip_date(owner, series.pk, "2026-12-08", now=NOON)
    series_service.unskip_date(owner, series.pk, "2026-12-08")
    series_service.plan(NOON + timedelta(hours=1))
    request = {r.date: r for r in stored(series)}["2026-12-08"]
    assert request.status == RequestStatus.PENDING.value


def test_only_a_date_of_the_series_may_be_skipped(owner):
    series = make(owner)
    with pytest.raises(InvalidValue) as refused:
        series_service.skip_date(owner, series.pk, "2026-12-09", now=NOON)  # a Wednesday
    assert refused.value.field == "date"


def test_editing_changes_the_dates_to_come_and_the_requests_not_started(owner):
    series = make(owner)
    series_service.plan(NOON)
    edited, problems = series_service.edit_series(
        owner, series.pk, body(time_slot=EIGHT, notes="bring balls"), series.version, now=NOON
    )
    assert problems == []
    for request in stored(edited):
        if request.status == RequestStatus.PENDING.value:
            assert (request.time_slot, request.notes) == (EIGHT, "bring balls")


def test_an_edit_drawn_from_an_old_version_is_refused(owner):
    series = make(owner)
    series_service.set_paused(owner, series.pk, True)
    with pytest.raises(series_service.StaleSeries):
        series_service.edit_series(owner, series.pk, body(), 1, now=NOON)


def test_a_date_that_leaves_the_series_on_an_edit_is_cancelled(owner):
    series = make(owner)
    series_service.plan(NOON)
    edited, _ = series_service.edit_series(
        owner, series.pk, body(weekdays=[3]), series.version, now=NOON
    )
    tuesdays = [r for r in stored(edited) if date.fromisoformat(r.date).weekday() == TUESDAY]
    assert tuesdays
    assert all(r.status == RequestStatus.CANCELLED.value for r in tuesdays)


def test_ending_stops_the_series_and_may_cancel_what_has_not_started(owner):
    series = make(owner)
    series_service.plan(NOON)
    ended, cancelled = series_service.end_series(owner, series.pk, now=NOON, cancel_pending=True)
    assert ended.state == "ended"
    assert cancelled == len(stored(ended)) > 0
    series_service.plan(NOON + timedelta(days=3))
    assert all(r.status == RequestStatus.CANCELLED.value for r in stored(ended))
    with pytest.raises(InvalidValue):
        series_service.set_paused(owner, series.pk, True)


def test_a_series_past_its_last_date_ends_by_itself(owner):
    series = make(owner, ends_on="2026-12-10")
    series_service.plan(datetime(2026, 12, 12, tzinfo=UTC))
    series.refresh_from_db()
    assert series.state == "ended"


def test_another_members_series_does_not_exist_for_them(owner, other_member):
    series = make(owner)
    with pytest.raises(series_service.NoSuchSeries):
        series_service.own_series(other_member, series.pk)
    with pytest.raises(series_service.NoSuchSeries):
        series_service.skip_date(other_member, series.pk, "2026-12-08", now=NOON)
    with pytest.raises(series_service.NoSuchSeries):
        series_service.own_series(owner, "not-a-uuid")


def test_the_upcoming_dates_say_when_each_is_made_and_opens(owner):
    series = make(owner)
    series_service.plan(NOON)
    upcoming = series_service.upcoming(series, now=NOON, limit=3)
    assert [u["date"] for u in upcoming] == [
        date(2026, 12, 8),
        date(2026, 12, 15),
        date(2026, 12, 22),
    ]
    assert upcoming[0]["occurrence"].state == "created"
    assert upcoming[2]["occurrence"] is None
    assert upcoming[2]["release_at"] == release_of(date(2026, 12, 22))


def test_a_series_request_says_the_series_made_it(owner):
    series = make(owner)
    series_service.plan(NOON)
    first = stored(series)[0]
    assert first.history[0].actor == f"series:{series.pk}"
