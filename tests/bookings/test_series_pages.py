"""The series pages: start one from a form, see its dates, skip, pause, edit, end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bookings import calendar_pages, series_pages
from bookings import series as series_service
from bookings.models import BookingSeries
from tests.factories import EIGHT, SEVEN

from .page_clients import logged_in, with_credentials

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dynamo")]

NOW = datetime(2026, 12, 2, 18, 0, tzinfo=UTC)  # Wednesday noon at the club


@pytest.fixture(autouse=True)
def _club_clock(monkeypatch):
    monkeypatch.setattr(series_pages, "now_utc", lambda: NOW)
    monkeypatch.setattr(calendar_pages, "now_utc", lambda: NOW)


def form(**fields):
    return {
        "club": "default",
        "name": "Tuesday mornings",
        "weekday": ["1"],
        "court_id": "5",
        "time_slot": SEVEN,
        "alt_court": ["7", ""],
        "alt_slot": [SEVEN, ""],
        "ends_on": "2027-01-31",
        "skipped": "2026-12-22",
        "partner": ["Dana", ""],
        "notes": "",
        "on_conflict": "suggest",
    } | fields


def test_a_member_starts_a_series_from_the_form_and_lands_on_its_page(member):
    client = with_credentials(member)
    answer = client.post("/series/new", form())
    series = BookingSeries.objects.get(owner=member)
    assert answer.status_code == 302
    assert answer["Location"] == f"/series/{series.pk}/"
    assert (series.weekdays, series.skipped, series.partners) == ([1], ["2026-12-22"], ["Dana"])
    assert series.alternatives == [{"court_id": 7, "time_slot": SEVEN}]
    page = client.get(answer["Location"])
    text = page.content.decode()
    assert "Dates to come" in text
    assert [d["iso"] for d in page.context["upcoming"]][:3] == [
        "2026-12-08",
        "2026-12-15",
        "2026-12-29",
    ]
    assert "Skipped" in text


def test_a_bad_form_shows_each_error_beside_its_field_and_keeps_what_was_typed(member):
    client = with_credentials(member)
    answer = client.post("/series/new", form(weekday=[], ends_on="2026-02-30", name="Keep me"))
    assert answer.status_code == 400
    assert answer.context["errors"]["weekdays"]
    assert answer.context["errors"]["ends_on"]
    assert 'value="Keep me"' in answer.content.decode()
    assert not BookingSeries.objects.exists()


def test_without_portal_credentials_the_form_says_what_to_do(member):
    answer = logged_in(member).post("/series/new", form())
    assert answer.status_code == 400
    assert "portal username and password" in answer.content.decode()


def test_repeat_every_week_opens_the_form_filled_from_the_booking_form(member):
    client = with_credentials(member)
    answer = client.post(
        "/series/new",
        {
            "prefill": "1",
            "club": "default",
            "court_id": "7",
            "date": "2026-12-12",
            "time_slot": EIGHT,
            "partner": ["Eve"],
        },
    )
    assert answer.status_code == 200
    assert answer.context["form"]["weekdays"] == ["5"]  # a Saturday
    assert answer.context["form"]["starts_on"] == "2026-12-12"
    assert answer.context["form"]["wish"].court_id == "7"
    assert not BookingSeries.objects.exists()


def test_skip_take_back_pause_resume_and_end_from_its_page(member):
    client = with_credentials(member)
    client.post("/series/new", form(skipped=""))
    series = BookingSeries.objects.get(owner=member)
    base = f"/series/{series.pk}"
    client.post(f"{base}/skip", {"date": "2026-12-15"})
    series.refresh_from_db()
    assert series.skipped == ["2026-12-15"]
    client.post(f"{base}/unskip", {"date": "2026-12-15"})
    client.post(f"{base}/pause")
    series.refresh_from_db()
    assert (series.skipped, series.state) == ([], "paused")
    assert "Paused" in client.get(f"{base}/").content.decode()
    client.post(f"{base}/resume")
    wrong = client.post(f"{base}/skip", {"date": "2026-12-16"}, follow=True)
    assert "not a date of this series" in wrong.content.decode()
    client.post(f"{base}/end", {"cancel_pending": "on"})
    series.refresh_from_db()
    assert series.state == "ended"


def test_editing_from_the_page_names_the_version(member):
    client = with_credentials(member)
    client.post("/series/new", form())
    series = BookingSeries.objects.get(owner=member)
    shown = client.get(f"/series/{series.pk}/edit")
    assert shown.context["form"]["name"] == "Tuesday mornings"
    answer = client.post(f"/series/{series.pk}/edit", form(time_slot=EIGHT, version="1"))
    assert answer.status_code == 302
    series.refresh_from_db()
    assert (series.time_slot, series.version) == (EIGHT, 2)
    stale = client.post(f"/series/{series.pk}/edit", form(version="1"))
    assert stale.status_code == 409
    assert "changed since you opened it" in stale.content.decode()


def test_another_members_series_pages_are_404(member, other_member):
    with_credentials(member).post("/series/new", form())
    series = BookingSeries.objects.get(owner=member)
    other = logged_in(other_member)
    for path in (f"/series/{series.pk}/", f"/series/{series.pk}/edit"):
        assert other.get(path).status_code == 404
    assert other.post(f"/series/{series.pk}/pause").status_code == 404
    series.refresh_from_db()
    assert series.state == "active"


def test_the_calendar_shows_the_dates_still_to_be_made_and_the_made_ones_as_requests(member):
    client = with_credentials(member)
    client.post("/series/new", form(skipped=""))
    series = BookingSeries.objects.get(owner=member)
    series_service.plan(NOW)  # makes 8 Dec (open already); 15 Dec is made on the 5th
    page = client.get("/calendar/?month=2026-12")
    days = {d["iso"]: d for d in page.context["days"]}
    assert days["2026-12-08"]["planned"] == []
    assert days["2026-12-08"]["events"][0]["series"] == str(series.pk)
    assert [m["name"] for m in days["2026-12-22"]["planned"]] == ["Tuesday mornings"]
    assert days["2026-12-23"]["planned"] == []
    assert "request not made yet" in page.content.decode()


def test_the_list_shows_every_series_with_its_state(member):
    client = with_credentials(member)
    client.post("/series/new", form())
    client.post("/series/new", form(name="Fridays", weekday=["4"]))
    page = client.get("/series/")
    assert [e["series"].name for e in page.context["entries"]] == ["Fridays", "Tuesday mornings"]
    assert page.content.decode().count("Active") == 2


def test_after_its_last_date_a_series_shows_what_each_date_became(member):
    client = with_credentials(member)
    client.post("/series/new", form(ends_on="2026-12-15", skipped=""))
    series = BookingSeries.objects.get(owner=member)
    for days in (0, 3, 14):  # the planner runs on; after the 15th the series is over
        series_service.plan(NOW + timedelta(days=days))
    page = client.get(f"/series/{series.pk}/")
    assert page.context["series"].state == "ended"
    assert [r["state"] for r in page.context["occurrences"]] == ["created", "created"]
    assert page.content.decode().count('data-state="created"') == 2


def test_history_names_the_series_each_request_came_from(member):
    client = with_credentials(member)
    client.post("/series/new", form(skipped=""))
    series_service.plan(NOW)
    page = client.get("/bookings/history")
    text = page.content.decode()
    assert text.count("(series “Tuesday mornings”)") == 1  # 8 Dec; 15 Dec is made later
    assert f'href="/series/{BookingSeries.objects.get().pk}/"' in text
