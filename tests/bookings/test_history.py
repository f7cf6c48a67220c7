"""Statistics, CSV and iCalendar exports, and the stale-claim sweep."""

import csv
import io

from bookings import claims, exports, maintenance, services, stats, workflow
from bookings.choices import RequestStatus
from bookings.lifecycle import Actor
from tests.bookings.conftest import SEVEN, in_days
from tests.bookings.conftest import finish as finish_as_worker
from tests.factories import CLUB


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
