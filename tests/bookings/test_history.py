"""Statistics, CSV and iCalendar exports, and the stale-claim sweep."""

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.test import APIClient

from bookings import claims, exports, maintenance, queries, services, stats, workflow
from bookings.choices import RequestStatus
from bookings.lifecycle import Actor
from tennisbook.dynamo import Unavailable
from tests.bookings.conftest import SEVEN, in_days
from tests.bookings.conftest import finish as finish_as_worker
from tests.factories import CLUB
from tests.factories import booking_request as factory_request


def finish(request, status, confirmation_ms=None):
    result = {"release_to_confirmation_ms": confirmation_ms} if confirmation_ms else None
    return finish_as_worker(request, status, result=result)


def test_stats_count_statuses_rate_decided_requests_and_take_the_median(alice, make_request):
    finish(make_request(alice, day=in_days(3)), RequestStatus.COMPLETED, 300)
    finish(make_request(alice, day=in_days(4)), RequestStatus.COMPLETED, 500)
    finish(make_request(alice, day=in_days(5), court=7), RequestStatus.FAILED)
    make_request(alice, day=in_days(6))
    summary = stats.summarize(services.list_requests(alice), None, None)
    assert summary["total"] == 4
    assert summary["by_status"]["completed"] == 2
    assert summary["by_status"]["pending"] == 1
    assert summary["success_rate"] == round(2 / 3, 4)
    assert summary["median_release_to_confirmation_ms"] == 400
    assert [c["court_id"] for c in summary["by_court"]] == [5, 7]
    assert summary["by_court"][1]["success_rate"] == 0


def test_stats_of_nothing_say_nothing():
    summary = stats.summarize([], None, None)
    assert summary["success_rate"] is None
    assert summary["median_release_to_confirmation_ms"] is None


def test_the_csv_export_has_a_row_per_request_and_defuses_formulas(alice, make_request):
    request = finish(make_request(alice), RequestStatus.COMPLETED)
    stored = services.get_request(alice, request.request_id)
    stored.result = {"confirmation": "=HYPERLINK(1)"}
    names = {(CLUB, 5): "Cancha de Tenis 1"}
    rows = list(csv.DictReader(io.StringIO(exports.to_csv([stored], names))))
    assert rows[0]["club"] == CLUB
    assert rows[0]["court"] == "Cancha de Tenis 1"
    assert rows[0]["status"] == "completed"
    assert rows[0]["confirmation"] == "'=HYPERLINK(1)"


def test_both_exports_name_the_partners(alice):
    request = workflow.create(
        alice, 5, in_days(10), SEVEN, club=CLUB, partners=["Ana", "@bob", "=cmd()"]
    )
    finish(request, RequestStatus.COMPLETED)
    [stored] = services.list_requests(alice)
    names = {(CLUB, 5): "Cancha de Tenis 1"}

    [row] = csv.DictReader(io.StringIO(exports.to_csv([stored], names)))
    feed = icalendar.Calendar.from_ical(exports.to_ics([stored], names, {CLUB: "UTC"}))

    assert row["partners"] == "Ana, @bob, =cmd()"  # only a leading formula sign is defused
    [event] = feed.walk("VEVENT")
    assert str(event["DESCRIPTION"]).endswith("With Ana, @bob, =cmd().")


def test_the_calendar_feed_places_bookings_in_the_club_time_zone(alice, make_request):
    booked = finish(make_request(alice, day=in_days(10)), RequestStatus.COMPLETED)
    make_request(alice, day=in_days(11), slot="De 06:00 PM a 07:00 PM")
    cancelled = workflow.cancel(
        make_request(alice, day=in_days(12)), actor=Actor.MEMBER, by="alice"
    )
    feed = exports.to_ics(
        services.list_requests(alice),
        {(CLUB, 5): "Cancha de Tenis 1"},
        {CLUB: "America/Costa_Rica"},
    )
    assert feed.startswith("BEGIN:VCALENDAR\r\n")
    assert feed.endswith("END:VCALENDAR\r\n")
    assert f"UID:{booked.request_id}@tennisbook" in feed
    assert f"DTSTART:{in_days(10).replace('-', '')}T130000Z" in feed  # 07:00 club time, UTC-6
    # 18:00 at the club on day 11 is midnight UTC on day 12.
    assert f"DTSTART:{in_days(12).replace('-', '')}T000000Z" in feed
    assert "STATUS:TENTATIVE" in feed
    assert cancelled.request_id not in feed
    assert all(len(line.encode()) <= 75 for line in feed.split("\r\n"))


def test_the_sweep_frees_a_slot_whose_holder_vanished(alice, bob, make_request):
    request = make_request(alice)
    services.get_request(alice, request.request_id).delete()
    assert claims.get_slot_claim(CLUB, 5, request.date, SEVEN) is not None
    assert maintenance.release_stale_claims() == 1
    assert claims.get_slot_claim(CLUB, 5, request.date, SEVEN) is None
    assert make_request(bob).status == RequestStatus.PENDING
    assert maintenance.release_stale_claims() == 0


# --- the history page (bookings/history.py) through the test client ---------------------

NOON = "De 12:00 PM a 01:00 PM"
ONE = "De 01:00 PM a 02:00 PM"
RELEASE_NS = 1_796_277_600_000_000_000  # 2026-12-03 00:00 at the club (06:00 UTC)


def attempts(*rows):
    """A stored result's attempts: (outcome, sent_at_ns, ms_after_release) each."""
    return [
        {"outcome": outcome, "sent_at_ns": sent, "ms_after_release": ms, "path": "http"}
        for outcome, sent, ms in rows
    ]


@pytest.fixture
def history_of(db, django_user_model):
    """``history_of(member_id)``: a test client logged in as that member."""

    def client_for(user_id: str) -> Client:
        client = Client()
        client.force_login(django_user_model.objects.get(pk=user_id))
        return client

    return client_for


@pytest.fixture
def story(alice, make_request):
    """alice's requests in every status, with the engine's attempts where it tried."""
    booked = finish_as_worker(
        make_request(alice, court=5, day=in_days(3), slot=NOON),
        RequestStatus.COMPLETED,
        result={
            "attempts": attempts(
                ("slot_taken", RELEASE_NS + 2_000_000, 2.1),
                ("success", RELEASE_NS + 9_000_000, 8.5),
            ),
            "choice": {"court": 7, "slot": NOON},
        },
    )
    failed = finish_as_worker(
        make_request(alice, court=7, day=in_days(4), slot=ONE),
        RequestStatus.FAILED,
        reason="slot_taken",
        result={"attempts": attempts(("slot_taken", RELEASE_NS + 1_000_000, 1.25))},
    )
    pending = make_request(alice, court=5, day=in_days(6), slot=ONE)
    cancelled = workflow.cancel(
        make_request(alice, court=7, day=in_days(5), slot=NOON), actor=Actor.MEMBER, by="alice"
    )
    return {"booked": booked, "failed": failed, "pending": pending, "cancelled": cancelled}


def row_ids(response) -> list[str]:
    return [row["id"] for row in response.context["rows"]]


def test_the_history_shows_each_request_with_its_outcome_and_the_engines_timing(
    alice, story, history_of
):
    page = history_of(alice).get("/bookings/history")
    assert page.status_code == 200
    rows = {row["id"]: row for row in page.context["rows"]}
    assert len(rows) == 4
    booked = rows[story["booked"].request_id]
    assert booked["outcome"] == "Booked: Cancha de Tenis 2, " + NOON  # an alternative
    assert booked["fired_text"] == "Thu 3 Dec 00:00:00.002"  # the first attempt, club time
    assert booked["ms_text"] == "8.5"  # the attempt that decided: the success
    failed = rows[story["failed"].request_id]
    assert failed["outcome"] == "Someone else booked the slot (and every alternative) first."
    assert failed["ms_text"] == "1.2" or failed["ms_text"] == "1.3"
    assert rows[story["pending"].request_id]["outcome"] == "Not tried yet"
    assert rows[story["pending"].request_id]["fired_at"] is None
    html = page.content.decode()
    assert 'role="columnheader" class="col-date" aria-sort="descending">' in html
    assert f'href="/bookings/{story["booked"].request_id}/"' in html
    assert 'class="chip chip-failed">Not booked<' in html


def test_filters_narrow_the_list_and_stay_in_every_link(alice, story, history_of):
    client = history_of(alice)
    cases = {
        "status=failed": [story["failed"]],
        "court=7": [story["cancelled"], story["failed"]],  # newest first
        f"from={in_days(4)}&to={in_days(5)}": [story["cancelled"], story["failed"]],
        f"club={CLUB}&status=completed": [story["booked"]],
    }
    for params, expected in cases.items():
        page = client.get(f"/bookings/history?{params}")
        assert page.status_code == 200, params
        assert row_ids(page) == [item.request_id for item in expected], params
    page = client.get("/bookings/history?status=failed&sort=court")
    assert page.context["export_params"] == "status=failed&sort=court"
    hrefs = [header["href"] for header in page.context["headers"]]
    assert all("status=failed" in href for href in hrefs)
    assert "?status=failed&sort=-court" in hrefs  # the sorted column turns around


def test_every_column_sorts_both_ways_and_rows_without_a_value_come_last(alice, story, history_of):
    client = history_of(alice)
    by_date = [story[k].request_id for k in ("booked", "failed", "cancelled", "pending")]
    assert row_ids(client.get("/bookings/history?sort=date")) == by_date
    assert row_ids(client.get("/bookings/history")) == by_date[::-1]  # newest first
    fired = row_ids(client.get("/bookings/history?sort=fired_at"))
    assert fired[:2] == [story["failed"].request_id, story["booked"].request_id]
    descending = row_ids(client.get("/bookings/history?sort=-ms"))
    assert descending[:2] == [story["booked"].request_id, story["failed"].request_id]
    assert set(descending[2:]) == {story["pending"].request_id, story["cancelled"].request_id}
    statuses = [r["status"] for r in client.get("/bookings/history?sort=status").context["rows"]]
    assert statuses == ["pending", "completed", "failed", "cancelled"]
    assert client.get("/bookings/history?sort=club").status_code == 200  # one club: no column
    for column in ("slot", "court", "outcome", "-outcome", "-slot"):
        page = client.get(f"/bookings/history?sort={column}")
        assert page.status_code == 200, column
        (header,) = [h for h in page.context["headers"] if h["aria_sort"]]
        assert header["key"] == column.removeprefix("-")


def test_pages_of_twenty_keep_the_filter_and_a_page_out_of_range_says_so(alice, history_of):
    for n in range(23):
        factory_request(
            user_id=alice,
            date=in_days(2 + n % 20),
            time_slot=NOON,
            status=RequestStatus.CANCELLED.value,
        )
    factory_request(user_id=alice, date=in_days(9), time_slot=ONE)
    client = history_of(alice)
    first = client.get("/bookings/history?status=cancelled")
    assert len(first.context["rows"]) == 20
    assert first.context["next_href"] == "?status=cancelled&page=2"
    second = client.get("/bookings/history?status=cancelled&page=2")
    assert len(second.context["rows"]) == 3
    assert second.context["previous_href"] == "?status=cancelled"
    for raw, expected_page, words in [
        ("999", 2, "there is no page 999: this list has 2 pages; showing page 2."),
        ("abc", 1, "'abc' is not a page number; showing page 1."),
        ("0", 1, "'0' is not a page number"),
    ]:
        page = client.get(f"/bookings/history?status=cancelled&page={raw}")
        assert page.status_code == 200
        assert page.context["page"].number == expected_page
        assert "Page</a>: " + words in page.content.decode().replace("&#x27;", "'")


def test_bad_filter_values_are_named_on_the_page_and_left_out(alice, story, history_of):
    client = history_of(alice)
    cases = [
        ("status=bogus", "Status", "'bogus' is not a status"),
        ("from=2026-13-40", "From", "'2026-13-40' is not a real calendar date."),
        ("to=12/05/2026", "To", "expected a date as YYYY-MM-DD"),
        (f"from={in_days(5)}&to={in_days(3)}", "To", "is before the From date"),
        ("court=abc", "Court", "expected a court id"),
        ("court=99", "Court", "there is no court 99 at any club."),
        ("club=nowhere", "Club", "there is no club 'nowhere'"),
        ("sort=price", "Sort", "'price' is not a column to sort by"),
    ]
    for params, label, words in cases:
        page = client.get(f"/bookings/history?{params}")
        assert page.status_code == 400, params
        html = page.content.decode().replace("&#x27;", "'")
        assert f">{label}</a>: " in html, params
        assert words in html, params
        assert len(page.context["rows"]) == 4, params  # the bad value is left out
    page = client.get("/bookings/history?status=bogus&court=7")
    assert row_ids(page) == [story["cancelled"].request_id, story["failed"].request_id]
    assert 'id="filter-status" name="status" aria-invalid="true"' in page.content.decode()


def test_an_empty_history_says_so_and_links_to_the_booking_form(alice, history_of):
    page = history_of(alice).get("/bookings/history")
    assert b"You have no requests yet." in page.content
    assert b'<a href="/book/">Book a court</a>' in page.content
    filtered = history_of(alice).get("/bookings/history?status=failed")
    assert b"No request matches this filter." in filtered.content


def test_the_exports_hold_the_current_filter_in_its_order(alice, story, history_of):
    client = history_of(alice)
    response = client.get("/bookings/history.csv?court=7&sort=date")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="tennisbook-history.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["request_id"] for r in rows] == [
        story["failed"].request_id,
        story["cancelled"].request_id,
    ]
    assert rows[0]["fired_at"] == "2026-12-03T06:00:00.001000+00:00"
    assert rows[0]["ms_after_release"] == "1.2"
    assert rows[1]["fired_at"] == rows[1]["ms_after_release"] == ""

    calendar = client.get("/bookings/history.ics?status=completed")
    assert calendar["Content-Type"].startswith("text/calendar")
    (event,) = icalendar.Calendar.from_ical(calendar.content).walk("VEVENT")
    assert str(event["UID"]) == f"{story['booked'].request_id}@tennisbook"

    bad = client.get("/bookings/history.csv?from=2026-02-30")
    assert bad.status_code == 400
    assert b"The filter cannot be exported: From:" in bad.content


def test_another_member_sees_none_of_the_first_members_requests(
    alice, bob, story, history_of, make_request
):
    own = make_request(bob, court=5, day=in_days(7), slot=NOON)
    client = history_of(bob)
    assert row_ids(client.get("/bookings/history")) == [own.request_id]
    exported = client.get("/bookings/history.csv").content.decode()
    assert all(item.request_id not in exported for item in story.values())
    assert client.get(f"/bookings/{story['booked'].request_id}/").status_code == 404


def test_the_history_needs_a_login(client):
    for path in ("/bookings/history", "/bookings/history.csv", "/bookings/history.ics"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert "/accounts/login/" in response["Location"]


def test_the_api_csv_has_the_engines_timing_columns_too(alice, story):
    api = APIClient()
    api.force_authenticate(get_user_model().objects.get(pk=alice))
    rows = list(csv.DictReader(io.StringIO(api.get("/api/bookings/export.csv").content.decode())))
    booked = next(r for r in rows if r["request_id"] == story["booked"].request_id)
    assert booked["ms_after_release"] == "8.5"
    assert booked["fired_at"] == "2026-12-03T06:00:00.002000+00:00"


@pytest.mark.parametrize("zone", ["Europe/Madrid", "America/New_York", "America/Costa_Rica"])
def test_the_feeds_time_zone_definition_agrees_with_the_zone_database(zone):
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN"]
    text = "\r\n".join([*lines, *exports.vtimezone(zone, [2026, 2027]), "END:VCALENDAR", ""])
    (component,) = icalendar.Calendar.from_ical(text).walk("VTIMEZONE")
    built, real = component.to_tz(), ZoneInfo(zone)
    for year in (2026, 2027):
        for month in range(1, 13):
            for day in (1, 15, 28):  # noon: never within hours of a change of offset
                ours = datetime(year, month, day, 12, tzinfo=built)
                theirs = datetime(year, month, day, 12, tzinfo=real)
                assert ours.utcoffset() == theirs.utcoffset(), theirs
    changes = {line for line in exports.vtimezone(zone, [2027]) if line.startswith("BEGIN:")}
    expected = {"BEGIN:VTIMEZONE", "BEGIN:STANDARD"}
    assert changes == (expected if zone == "America/Costa_Rica" else expected | {"BEGIN:DAYLIGHT"})


def test_the_forms_empty_and_default_fields_leave_the_address(alice, story, history_of):
    client = history_of(alice)
    sent = client.get("/bookings/history?status=failed&club=&court=&from=&to=&per=20&page=1")
    assert sent.status_code == 302
    assert sent["Location"] == "/bookings/history?status=failed&page=1"
    assert client.get("/bookings/history?sort=-date").headers["Location"] == "/bookings/history"
    assert client.get("/bookings/history?status=failed").status_code == 200


def test_the_member_chooses_the_rows_per_page(alice, history_of):
    for n in range(12):
        factory_request(user_id=alice, date=in_days(2 + n), status=RequestStatus.CANCELLED.value)
    client = history_of(alice)
    page = client.get("/bookings/history?per=10")
    assert len(page.context["rows"]) == 10
    assert page.context["next_href"] == "?per=10&page=2"
    assert all("per=10" in header["href"] for header in page.context["headers"])
    assert len(client.get("/bookings/history?per=10&page=2").context["rows"]) == 2
    wrong = client.get("/bookings/history?per=7")
    assert wrong.status_code == 400
    assert "Rows per page</a>: '7' is not one of 10, 20, 50, 100" in wrong.content.decode().replace(
        "&#x27;", "'"
    )
    assert len(wrong.context["rows"]) == 12  # 20 a page


def test_a_database_outage_is_a_page_saying_so_not_a_500(alice, history_of, monkeypatch):
    def down(*args, **kwargs):
        raise Unavailable("DynamoDB does not answer")

    monkeypatch.setattr(queries, "list_requests", down)
    monkeypatch.setattr(services, "list_requests", down)
    client = history_of(alice)
    for path in ("/bookings/history", "/bookings/history.csv", "/calendar/"):
        response = client.get(path)
        assert response.status_code == 503, path
        assert b"Temporarily unavailable" in response.content, path
