"""The faults found in the seam where requests are written, each pinned down.

Every test here failed against the code before ``bookings.workflow``: a
queue that changed under a release, a sweep that freed a claim won anew,
updates that reset the version, a queue joined behind a holder it never
read, a deleted member whose requests stayed pending.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command

from bookings import claims, maintenance, services, workflow
from bookings.choices import RequestStatus
from bookings.dynamo import BookingRequest
from bookings.errors import Quarantine, TransitionRefused
from bookings.lifecycle import Actor
from configs import services as config_services
from tennisbook.dynamo import Unavailable
from tests.bookings.conftest import EIGHT, SEVEN, finish, in_days
from tests.factories import CLUB

NINE = "De 09:00 AM a 10:00 AM"

LEASE = timedelta(seconds=30)


@pytest.fixture
def queue_policy(dynamo):
    config_services.set_system_value("conflict_policy", "queue", actor="test", club=CLUB)


def test_a_cancel_whose_slot_queue_changed_meanwhile_is_retried_not_refused(
    alice, bob, portal_member, make_request, queue_policy, monkeypatch
):
    first = make_request(alice)
    second = make_request(bob)
    carol = portal_member("carol")
    real_read = claims.get_slot_claim
    joined = []

    def read_then_someone_queues(*key):
        claim = real_read(*key)
        if not joined:  # between this read and the commit, carol joins the queue
            joined.append(None)
            monkeypatch.setattr(claims, "get_slot_claim", real_read)
            joined[0] = make_request(carol)
        return claim

    monkeypatch.setattr(claims, "get_slot_claim", read_then_someone_queues)
    cancelled = workflow.cancel(first, actor=Actor.MEMBER, by="alice")
    assert cancelled.status == RequestStatus.CANCELLED
    claim = claims.get_slot_claim(CLUB, 5, first.date, SEVEN)
    assert claim.holder == second.request_id
    assert claim.queue == [claims.queue_entry(joined[0])]
    assert services.get_request(bob, second.request_id).queued_behind is None


def test_joining_a_queue_is_conditioned_on_the_holder_that_was_read(
    alice, bob, make_request, queue_policy
):
    first = make_request(alice)
    stale = claims.get_slot_claim(CLUB, 5, first.date, SEVEN)
    stale.holder = "a-holder-that-left"  # as read before the slot changed hands
    newcomer = BookingRequest(str(uuid.uuid4()), bob, court_id=5, date=first.date, time_slot=SEVEN)
    tx = workflow.core.Transaction()
    claims.take(tx, newcomer, max_active=10, queue_behind_holder=True, holder=stale)
    with pytest.raises(claims.SlotHeld):
        tx.commit()
    assert claims.get_slot_claim(CLUB, 5, first.date, SEVEN).queue == []


def test_the_stale_claim_sweep_frees_only_the_claim_it_judged(alice, make_request):
    request = make_request(alice)
    judged = claims.get_slot_claim(CLUB, 5, request.date, SEVEN)
    cancelled = workflow.cancel(request, actor=Actor.MEMBER, by="alice")
    workflow.retry(cancelled, actor=Actor.MEMBER, by="alice")  # the same request claims anew
    assert workflow.release_stale_claim(judged) is False
    claim = claims.get_slot_claim(CLUB, 5, request.date, SEVEN)
    assert claim is not None
    assert claim.holder == request.request_id


def test_no_update_sets_the_version_back(alice, bob, make_request, queue_policy):
    first = make_request(alice)
    second = make_request(bob)
    assert workflow.mark_dispatched(second, datetime.now(UTC))
    workflow.unmark_dispatched([(second.request_id, bob)], second.dispatched_at)
    before = services.get_request(bob, second.request_id).version
    assert before == 3  # created, marked, unmarked: each added one
    workflow.cancel(first, actor=Actor.MEMBER, by="alice")  # promotes bob's request
    promoted = services.get_request(bob, second.request_id)
    assert promoted.queued_behind is None
    assert promoted.version == before + 1


def test_an_unrelated_write_does_not_refuse_a_members_cancel(alice, make_request):
    request = make_request(alice)
    seen = services.get_request(alice, request.request_id)
    assert workflow.mark_dispatched(request, datetime.now(UTC))  # the sweep, meanwhile
    assert workflow.cancel(seen, actor=Actor.MEMBER, by="alice").status == RequestStatus.CANCELLED


def test_a_lapsed_lease_is_redispatched_once_per_lapse(alice, make_request):
    request = workflow.take(make_request(alice), "dead-worker", timedelta(seconds=-1))
    now = datetime.now(UTC)
    assert workflow.mark_dispatched(request, now)
    again = services.get_request(alice, request.request_id)
    assert not workflow.mark_dispatched(again, now + timedelta(seconds=5))
    assert workflow.mark_dispatched(again, now + workflow.REDISPATCH_AFTER + timedelta(seconds=1))


@pytest.mark.django_db(transaction=True)
def test_deleting_a_member_cancels_their_active_requests(portal_member, make_request):
    from django.contrib.auth import get_user_model

    user_id = portal_member("dora")
    pending = make_request(user_id)
    processing = workflow.take(make_request(user_id, day=in_days(11)), "worker-1", LEASE)
    get_user_model().objects.get(pk=user_id).delete()
    statuses = {
        r.request_id: r.status
        for r in services.requests_repo.for_user(user_id)
        if r.request_id in (pending.request_id, processing.request_id)
    }
    assert statuses == {
        pending.request_id: RequestStatus.CANCELLED,
        processing.request_id: RequestStatus.CANCELLED,
    }
    # The worker that held the processing one has lost its lease.
    assert workflow.renew(processing, "worker-1", LEASE) is None
    assert config_services.find_user_config(user_id, CLUB) is None


def test_the_operators_list_pages_through_the_index_without_repeats(
    alice, bob, portal_member, make_request
):
    from bookings import queries

    carol = portal_member("carol")
    made = set()
    for day in (3, 4, 5):  # three members on each date: rows sharing a fire time
        for member, slot in ((alice, SEVEN), (bob, EIGHT), (carol, NINE)):
            made.add(make_request(member, day=in_days(day), slot=slot).request_id)
    seen, after, pages = [], None, 0
    while True:
        page = queries.operator_page(after=after, size=4)
        seen += [r.request_id for r in page.rows]
        pages += 1
        if page.next_cursor is None:
            break
        after = page.next_cursor
    assert pages == 3
    assert len(seen) == len(set(seen)) == len(made)
    assert set(seen) == made


def test_the_outbox_command_lists_and_releases_quarantined_rows(settings, tmp_path, capsys):
    from booker import outbox

    settings.BOOKER_OUTBOX_PATH = tmp_path / "outbox.sqlite3"
    write = outbox.PendingWrite("r-1", "u-1", "w", "completed", "", None, {"ok": True})
    outbox.put(write)
    for _ in range(outbox.QUARANTINE_AFTER):
        outbox.flush(lambda w: (_ for _ in ()).throw(RuntimeError("broken row")))
    assert (outbox.depth(), outbox.quarantined()) == (0, 1)
    call_command("outbox")
    assert "r-1  QUARANTINED" in capsys.readouterr().out
    call_command("outbox", "retry", "r-1")
    assert (outbox.depth(), outbox.quarantined()) == (1, 0)


def test_a_queue_head_that_moved_on_is_skipped_not_a_dead_end(
    alice, bob, portal_member, make_request, queue_policy
):
    first = make_request(alice)
    second = make_request(bob)
    third = make_request(portal_member("carol"))
    # The head of the queue was failed by an operator meanwhile; its claim
    # entry is still there (the case the stale-claim sweep is for).
    services.requests_repo.update(second, [type(second).status.set(RequestStatus.FAILED)])
    cancelled = workflow.cancel(first, actor=Actor.MEMBER, by="alice")
    assert cancelled.status == RequestStatus.CANCELLED
    claim = claims.get_slot_claim(CLUB, 5, first.date, SEVEN)
    assert claim.holder == third.request_id
    assert claim.queue == []


def test_a_queued_request_cannot_be_pushed_into_processing(alice, bob, make_request, queue_policy):
    make_request(alice)
    queued = make_request(bob)
    with pytest.raises(TransitionRefused):
        workflow.change_status(queued, RequestStatus.PROCESSING, actor=Actor.OPERATOR, by="op")


def test_a_refused_write_is_quarantined_and_throttling_is_an_outage():
    ops = [("request", "update", (), {}), ("slot", "delete", (), {})]
    explain = workflow.core._explain
    assert isinstance(explain(ops, ["ValidationError", None]), Quarantine)
    assert isinstance(explain(ops, [None, "ThrottlingError"]), Unavailable)
    assert isinstance(explain(ops, ["ConditionalCheckFailed", None]), workflow.core.GuardLost)
    assert isinstance(explain(ops, [None, "ConditionalCheckFailed"]), claims.SlotHeld)


def test_a_sweep_whose_broker_fails_unmarks_everything_it_did_not_send(
    alice, bob, make_request, settings
):
    from booker import dispatch

    settings.BOOKER_BATCH_SIZE = 1
    soon = datetime.now(UTC) + timedelta(seconds=10)
    made = [make_request(alice), make_request(bob, slot=EIGHT)]
    for request in made:
        services.requests_repo.update(request, [type(request).fire_at.set(soon)])
    sent = []

    def send_one_then_fail(keys):
        if sent:
            raise ConnectionError("Redis is down")
        sent.append(keys)

    with pytest.raises(ConnectionError):
        dispatch.sweep(send_one_then_fail)
    unsent = [r for r in made if [r.request_id, r.user_id] not in sent[0]]
    assert len(unsent) == 1
    stored = services.get_request(unsent[0].user_id, unsent[0].request_id)
    assert stored.dispatched_at is None


def test_a_holder_that_booked_the_court_fails_its_queue_instead_of_promoting_it(
    alice, bob, make_request, queue_policy
):
    first = make_request(alice)
    second = make_request(bob)
    finish(first, RequestStatus.COMPLETED, result={"outcome": "booked"})
    left = services.get_request(bob, second.request_id)
    assert (left.status, left.reason) == (RequestStatus.FAILED, "slot_taken")
    assert left.history[-1].message == workflow.core.LEFT_BEHIND
    assert claims.get_slot_claim(CLUB, 5, first.date, SEVEN) is None
    # bob's own claims are back: he may ask for another slot that day.
    assert make_request(bob, day=first.date, slot=EIGHT).status == RequestStatus.PENDING


def test_the_housekeeping_sweep_fails_a_queue_left_behind_by_a_crash(
    alice, bob, make_request, queue_policy, monkeypatch
):
    first = make_request(alice)
    second = make_request(bob)
    monkeypatch.setattr(workflow.core, "fail_left_behind", lambda key: False)  # "crashed"
    finish(first, RequestStatus.COMPLETED, result={"outcome": "booked"})
    monkeypatch.undo()
    assert services.get_request(bob, second.request_id).status == RequestStatus.PENDING
    assert maintenance.fail_requests_left_behind() == 1
    assert services.get_request(bob, second.request_id).status == RequestStatus.FAILED
    assert maintenance.fail_requests_left_behind() == 0
