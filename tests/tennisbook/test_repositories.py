"""Repositories against the in-process emulator: conditions, versions, TTL, errors."""

import socket
from datetime import UTC, date, datetime, timedelta

import pytest

from bookings.choices import RequestStatus
from bookings.dynamo import BookingRequest
from bookings.repositories import BookingRequestRepository
from configs.repositories import UserConfigRepository
from tennisbook.dynamo import Conflict, NotFound, TableMissing, Unavailable, bind_models
from tests import factories

pytestmark = pytest.mark.usefixtures("dynamo")

bookings = BookingRequestRepository()
configs = UserConfigRepository()


def test_create_refuses_a_duplicate_key():
    item = factories.user_config(save=False, portal_username="101")
    configs.create(item)
    duplicate = factories.user_config(save=False, user_id=item.user_id, portal_username="202")
    with pytest.raises(Conflict):
        configs.create(duplicate)
    assert configs.get(item.config_key).portal_username == "101"  # not the duplicate's 202


def test_a_conditional_update_that_lost_raises_conflict_and_changes_nothing():
    request = factories.booking_request()
    with pytest.raises(Conflict):
        bookings.update(
            request,
            [BookingRequest.status.set(RequestStatus.PROCESSING.value)],
            condition=BookingRequest.status == RequestStatus.COMPLETED.value,
        )
    stored = bookings.get(request.request_id, request.user_id)
    assert stored.status == RequestStatus.PENDING.value


def test_a_conditional_update_that_holds_returns_the_new_state():
    request = factories.booking_request()
    bookings.update(
        request,
        [BookingRequest.status.set(RequestStatus.PROCESSING.value)],
        condition=BookingRequest.status == RequestStatus.PENDING.value,
    )
    assert request.status == RequestStatus.PROCESSING.value
    assert request.version == 2
    stored = bookings.get(request.request_id, request.user_id)
    assert (stored.status, stored.version) == (RequestStatus.PROCESSING.value, 2)


def test_a_stale_version_cannot_overwrite_a_newer_edit():
    config = factories.user_config()
    first = configs.get(config.config_key)
    second = configs.get(config.config_key)
    first.preferred_court = 7
    configs.save(first)
    second.preferred_court = 5
    with pytest.raises(Conflict):
        configs.save(second)
    assert configs.get(config.config_key).preferred_court == 7


def test_expired_items_are_invisible_to_every_read():
    past = datetime.now(UTC) - timedelta(seconds=5)
    expired = factories.booking_request(ttl=past, user_id="u1", date="2030-01-02")
    live = factories.booking_request(
        ttl=datetime.now(UTC) + timedelta(days=1), user_id="u1", date="2030-01-03"
    )
    with pytest.raises(NotFound):
        bookings.get(expired.request_id, expired.user_id)
    assert bookings.find(expired.request_id, expired.user_id) is None
    assert [r.request_id for r in bookings.for_user("u1")] == [live.request_id]
    assert expired.request_id not in {r.request_id for r in bookings.scan()}


def test_a_members_requests_are_listed_by_date_without_a_scan():
    for day in ("2030-01-05", "2030-01-01", "2030-01-03"):
        factories.booking_request(user_id="u2", date=day)
    factories.booking_request(user_id="someone-else", date="2030-01-02")
    assert [r.date for r in bookings.for_user("u2")] == ["2030-01-01", "2030-01-03", "2030-01-05"]
    assert [r.date for r in bookings.for_user("u2", newest_first=True, limit=1)] == ["2030-01-05"]
    window = bookings.for_user("u2", date_from=date(2030, 1, 2), date_to=date(2030, 1, 4))
    assert [r.date for r in window] == ["2030-01-03"]


def test_due_work_is_found_by_status_and_fire_time():
    now = datetime.now(UTC)
    soon = factories.booking_request(fire_at=now + timedelta(minutes=1))
    factories.booking_request(fire_at=now + timedelta(hours=5))
    factories.booking_request(fire_at=now, status=RequestStatus.CANCELLED.value)
    due = bookings.due(RequestStatus.PENDING.value, now + timedelta(minutes=5))
    assert [r.request_id for r in due] == [soon.request_id]


def test_get_of_a_missing_item_raises_not_found():
    with pytest.raises(NotFound):
        configs.get("nobody")


def test_a_missing_table_says_to_run_create_tables():
    UserConfigRepository.model.delete_table()
    with pytest.raises(TableMissing, match="create_tables"):
        configs.get("anyone")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_unreachable_endpoint_raises_unavailable_naming_it():
    url = f"http://127.0.0.1:{_closed_port()}"
    previous = bind_models(endpoint_url=url, max_retry_attempts=0, connect_timeout=0.5)
    try:
        with pytest.raises(Unavailable, match=url):
            configs.get("anyone")
    finally:
        bind_models(**previous)


def test_a_hanging_endpoint_raises_unavailable_not_a_crash():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)  # accepts connections, never answers
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    previous = bind_models(endpoint_url=url, max_retry_attempts=0, read_timeout=0.5)
    try:
        with pytest.raises(Unavailable, match="unavailable"):
            configs.get("anyone")
    finally:
        bind_models(**previous)
        listener.close()
