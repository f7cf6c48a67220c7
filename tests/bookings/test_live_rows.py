"""What the live pages fetch: one history row with the page's filter, and the run a page follows.

The browser suite (tests/pages/test_live_pages.py) watches real runs change
the pages; these pin down the row a page gets when its request changes
(as it is now, marked when the filter no longer selects it, only for its
member) and the instant a request's page starts drawing steps from.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from bookings import services, workflow
from bookings.choices import RequestStatus
from bookings.live_run import live_state
from tests.bookings.conftest import finish
from tests.bookings.page_clients import logged_in
from tests.factories import in_days

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dynamo")]

NOON = "De 12:00 PM a 01:00 PM"


@pytest.fixture
def alice_client(alice, django_user_model):
    return logged_in(django_user_model.objects.get(pk=alice))


def row_of(client, request_id: str, query: str = ""):
    response = client.get(f"/bookings/{request_id}/history-row" + (f"?{query}" if query else ""))
    return response.status_code, response.content.decode()


def test_a_row_is_drawn_as_the_request_is_now(alice, alice_client, make_request):
    item = make_request(alice, day=in_days(4), slot=NOON)
    status, html = row_of(alice_client, item.request_id)
    assert status == 200
    assert f'data-request-id="{item.request_id}"' in html
    assert 'data-status="pending"' in html
    assert re.match(r"\s*<table><tbody>\s*<tr ", html)  # a whole table: it parses by itself

    finish(item, RequestStatus.COMPLETED)
    status, html = row_of(alice_client, item.request_id, "status=pending")
    assert 'data-status="completed"' in html
    assert "Booked" in html
    assert 'data-matches="false"' in html
    assert "no longer matches the filter" in html


def test_a_row_that_still_matches_the_filter_is_not_marked(alice, alice_client, make_request):
    item = workflow.cancel(
        make_request(alice, day=in_days(5), slot=NOON), actor="member", by="alice"
    )
    _, html = row_of(alice_client, item.request_id, "status=cancelled&court=5")
    assert 'data-status="cancelled"' in html
    assert "data-matches" not in html


def test_a_bad_filter_value_is_left_out_never_a_500(alice, alice_client, make_request):
    item = make_request(alice, day=in_days(4), slot=NOON)
    status, html = row_of(alice_client, item.request_id, "status=bogus&court=99&from=yesterday")
    assert status == 200
    assert "data-matches" not in html  # the filter that remains (none) selects it


def test_another_members_row_and_a_made_up_id_are_404(alice, bob, make_request, django_user_model):
    item = make_request(alice, day=in_days(4), slot=NOON)
    bob_client = logged_in(django_user_model.objects.get(pk=bob))
    assert row_of(bob_client, item.request_id)[0] == 404
    assert row_of(bob_client, "00000000-0000-4000-8000-000000000000")[0] == 404
    assert bob_client.get("/bookings/not-a-uuid/history-row").status_code == 404


def test_a_visitor_is_sent_to_log_in(client, alice, make_request):
    item = make_request(alice, day=in_days(4), slot=NOON)
    response = client.get(f"/bookings/{item.request_id}/history-row")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_request_page_follows_the_run_under_way_or_the_next_one(alice, make_request):
    now = datetime.now(UTC)
    item = make_request(alice, day=in_days(4), slot=NOON)
    assert live_state(item, now) == {"since": now.isoformat(), "status": "pending"}

    workflow.take(item, "worker-1", timedelta(seconds=30))
    taken = services.get_request(alice, item.request_id)
    state = live_state(taken, now + timedelta(minutes=5))
    assert state["status"] == "processing"
    assert state["since"] == taken.history[-1].at.isoformat()  # when the worker took it


def test_the_request_page_says_which_run_it_follows(alice, alice_client, make_request):
    item = make_request(alice, day=in_days(4), slot=NOON)
    html = alice_client.get(f"/bookings/{item.request_id}/").content.decode()
    assert 'id="live-request"' in html
    assert 'data-status="pending"' in html
    assert 'id="live-run"' in html
    assert "hx-trigger" not in html  # no more polling by htmx: the socket (or the fallback)
