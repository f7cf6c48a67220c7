"""The calendar page through the test client: months and weeks, events, releases, bad input.

The club is the default one: courts 5 and 7 open 8 and 9 days ahead at
midnight in America/Costa_Rica (UTC-6, no summer time); its window is 30
days. The browser suite (tests/pages/test_calendar.py) drives the same page.
"""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from bookings import calendar_pages
from bookings.choices import RequestStatus
from configs import services as config_services
from tests.factories import CLUB, booking_request

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dynamo")]

ZONE = ZoneInfo("America/Costa_Rica")
NOON = "De 12:00 PM a 01:00 PM"
# 10:00 at the club on Wed 2 Dec 2026: the club's today is the 2nd.
NOW = datetime(2026, 12, 2, 16, 0, tzinfo=UTC)
TODAY = date(2026, 12, 2)


@pytest.fixture(autouse=True)
def _club_clock(monkeypatch):
    monkeypatch.setattr(calendar_pages, "now_utc", lambda: NOW)


@pytest.fixture
def page(db, django_user_model):
    def client_for(user_id: str) -> Client:
        client = Client()
        client.force_login(django_user_model.objects.get(pk=user_id))
        return client

    return client_for


def stored(user_id, day, slot, status, court=5):
    """A request as the table holds it (the calendar reads, whatever today is)."""
    return booking_request(
        user_id=user_id, date=day, time_slot=slot, status=status.value, court_id=court
    )


def day_of(response, iso: str) -> dict:
    return next(day for day in response.context["days"] if day["iso"] == iso)


def test_the_month_shows_each_day_with_the_members_requests_in_words_and_colour(alice, page):
    booked = stored(alice, "2026-12-10", NOON, RequestStatus.COMPLETED)
    stored(alice, "2026-12-10", "De 07:00 AM a 08:00 AM", RequestStatus.PENDING, court=7)
    cancelled = stored(alice, "2026-12-20", NOON, RequestStatus.CANCELLED)

    response = page(alice).get("/calendar/?month=2026-12")

    assert response.status_code == 200
    days = response.context["days"]
    assert [d["iso"] for d in days] == [f"2026-12-{n:02d}" for n in range(1, 32)]
    events = day_of(response, "2026-12-10")["events"]
    assert [(e["time"], e["court"], e["status_text"]) for e in events] == [
        ("07:00", "Cancha de Tenis 2", "Waiting for the release"),
        ("12:00", "Cancha de Tenis 1", "Booked"),
    ]
    html = response.content.decode()
    assert f'href="/bookings/{booked.request_id}/"' in html
    assert 'class="cal-event cal-status-completed"' in html
    assert day_of(response, "2026-12-20")["events"][0]["id"] == cancelled.request_id
    assert 'class="cal-day cal-today' in html
    assert 'data-date="2026-12-02" aria-current="date"' in html
    assert "cal-start-2" in html  # 1 Dec 2026 is a Tuesday
    assert "Legend" in html
    assert "Release:" in html


def test_a_day_in_the_clubs_window_opens_the_booking_form_for_it(alice, page):
    response = page(alice).get("/calendar/?month=2026-12")
    assert day_of(response, "2026-12-02")["book_href"] == f"/book/?date=2026-12-02&club={CLUB}"
    assert day_of(response, "2026-12-01")["book_href"] == ""  # past for the club
    january = page(alice).get("/calendar/?month=2027-01")
    assert day_of(january, "2027-01-01")["book_href"].startswith("/book/?date=2027-01-01")
    assert day_of(january, "2027-01-02")["book_href"] == ""  # beyond the 30-day window
    form = page(alice).get("/book/?date=2026-12-09&club=default")
    assert form.context["form"].date == "2026-12-09"


def test_the_clubs_releases_are_marked_on_the_days_they_happen(alice, page):
    response = page(alice).get("/calendar/?month=2026-12")
    marks = day_of(response, "2026-12-03")["releases"]  # the coming midnight at the club
    assert [(m["time"], m["court"], m["for_day"]) for m in marks] == [
        ("00:00", "Cancha de Tenis 1", "Fri 11 Dec"),
        ("00:00", "Cancha de Tenis 2", "Sat 12 Dec"),
    ]
    assert marks[0]["at"] == datetime(2026, 12, 3, 0, 0, tzinfo=ZONE)
    assert day_of(response, "2026-12-02")["releases"] == []  # today's midnight has passed
    # The last date in the window (1 Jan) opens for court 5 eight days before it.
    assert [m["for_day"] for m in day_of(response, "2026-12-24")["releases"]] == [
        "Fri 1 Jan",
        # court 7's 2 Jan is beyond the window: not known yet
    ]
    assert day_of(response, "2026-12-25")["releases"] == []
    html = response.content.decode()
    assert 'Release <time datetime="2026-12-03T06:00:00+00:00">00:00</time>' in html


def test_the_week_view_starts_on_monday_and_moves_by_seven_days(alice, page):
    response = page(alice).get("/calendar/?view=week&date=2026-12-09")
    assert response.status_code == 200
    assert [d["iso"] for d in response.context["days"]] == [
        f"2026-12-{n:02d}" for n in range(7, 14)
    ]
    assert response.context["period"].title == "Week of Mon 7 Dec 2026"
    assert response.context["previous_params"] == "view=week&date=2026-12-02"
    assert response.context["next_params"] == "view=week&date=2026-12-16"
    assert response.context["other_view_params"] == "month=2026-12"
    quiet = page(alice).get("/calendar/?view=week&date=2026-12-28")  # past the last release
    assert quiet.content.count(b"Nothing on this day.") == 7


def test_month_navigation_crosses_years_and_today_comes_back(alice, page):
    january = page(alice).get("/calendar/?month=2027-01")
    assert january.context["previous_params"] == "month=2026-12"
    assert january.context["next_params"] == "month=2027-02"
    assert january.context["period"].title == "January 2027"
    assert january.context["other_view_params"] == "view=week&date=2027-01-01"
    today = page(alice).get("/calendar/")
    assert today.context["period"].first == date(2026, 12, 1)
    assert today.context["other_view_params"] == "view=week&date=2026-12-02"
    assert page(alice).get("/calendar/?month=2100-12").context["next_params"] is None


@pytest.mark.parametrize(
    ("query", "label", "words"),
    [
        ("month=2026-13", "Month", "'2026-13' is not a month; write it as YYYY-MM"),
        ("month=december", "Month", "'december' is not a month"),
        ("month=1999-12", "Month", "outside the years the calendar shows (2000 to 2100)"),
        ("view=week&date=2026-13-40", "Date", "'2026-13-40' is not a real calendar date."),
        ("view=year", "View", "'year' is not month or week"),
    ],
)
def test_a_bad_period_is_named_and_the_calendar_shows_the_current_one(
    alice, page, query, label, words
):
    response = page(alice).get(f"/calendar/?{query}")
    assert response.status_code == 400
    html = response.content.decode().replace("&#x27;", "'")
    assert f'<li id="error-{label.lower()}">{label}: ' in html
    assert words in html
    assert "Showing this" in html
    assert TODAY.isoformat() in [d["iso"] for d in response.context["days"]]


def test_another_member_sees_only_their_own_requests(alice, bob, page):
    stored(alice, "2026-12-10", NOON, RequestStatus.PENDING)
    response = page(bob).get("/calendar/?month=2026-12")
    assert all(not day["events"] for day in response.context["days"])


def test_the_calendar_needs_a_login(client):
    response = client.get("/calendar/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_release_marks_of_a_rolling_rule_name_the_first_slot(alice, page):
    rules = config_services.get_system_value("release_rules", club=CLUB)
    rules["courts"]["7"] = {"kind": "rolling", "minutes_before": 48 * 60}
    config_services.set_system_value("release_rules", rules, club=CLUB, actor="test")
    config_services.forget_cached_settings()
    response = page(alice).get("/calendar/?view=week&date=2026-12-02")
    marks = [m for d in response.context["days"] for m in d["releases"] if m["court"].endswith("2")]
    seen = [(m["time"], m["for_day"], m["time_slot"]) for m in marks]
    # The very next one (next_openings): the 4th's 11:00 slot opens at 11:00 today.
    assert seen[0] == ("11:00", "Fri 4 Dec", "De 11:00 AM a 12:00 PM")
    # Each later date: its first slot, 48 h before (06:00 on the 5th opens at 06:00 on the 3rd).
    assert ("06:00", "Sat 5 Dec", "De 06:00 AM a 07:00 AM") in seen
    assert all(m["at"] > NOW for m in marks)


def test_a_court_booked_on_an_alternative_shows_the_court_it_got(alice, page):
    item = booking_request(
        user_id=alice,
        date="2026-12-10",
        time_slot=NOON,
        status=RequestStatus.COMPLETED.value,
        court_id=5,
        result={"outcome": "booked", "choice": {"court": 7, "slot": "De 01:00 PM a 02:00 PM"}},
    )

    response = page(alice).get("/calendar/?month=2026-12")

    events = day_of(response, "2026-12-10")["events"]
    assert [(e["id"], e["time"], e["court"]) for e in events] == [
        (item.request_id, "13:00", "Cancha de Tenis 2")
    ]
