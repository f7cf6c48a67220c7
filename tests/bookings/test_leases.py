"""One worker per request; an expired lease is taken over; a lost lease cannot finish."""

import threading
from datetime import timedelta

import pytest

from bookings import services, workflow
from bookings.choices import RequestStatus
from bookings.errors import Moot
from configs import services as config_services
from tests.factories import CLUB

LEASE = timedelta(seconds=30)


def test_only_one_worker_takes_a_request(alice, make_request):
    request = make_request(alice)
    taken = workflow.take(services.get_request(alice, request.request_id), "worker-1", LEASE)
    assert taken.status == RequestStatus.PROCESSING
    assert taken.lease_owner == "worker-1"
    assert taken.attempts == 1
    assert workflow.take(services.get_request(alice, request.request_id), "worker-2", LEASE) is None


def test_many_workers_racing_for_one_request_leave_one_owner(alice, make_request):
    request = make_request(alice)
    owners: list[str] = []
    errors: list[str] = []
    barrier = threading.Barrier(6)

    def take(name):
        barrier.wait()
        try:
            if workflow.take(services.get_request(alice, request.request_id), name, LEASE):
                owners.append(name)
        except Exception as exc:  # a thread's error would otherwise be lost
            errors.append(repr(exc))

    threads = [threading.Thread(target=take, args=(f"worker-{n}",)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []  # the losers are told None, nothing raises
    assert len(owners) == 1
    assert services.get_request(alice, request.request_id).lease_owner == owners[0]


def test_an_expired_lease_is_resumed_by_another_worker(alice, make_request):
    request = make_request(alice)
    workflow.take(request, "worker-1", timedelta(seconds=-1))  # already expired
    stale = services.get_request(alice, request.request_id)
    resumed = workflow.take(stale, "worker-2", LEASE)
    assert resumed is not None
    stored = services.get_request(alice, request.request_id)
    assert stored.lease_owner == "worker-2"
    assert stored.attempts == 2
    assert "resumed after the lease of worker-1 expired" in stored.history[-1].message
    # The first worker lost its lease: it can neither renew nor finish.
    assert not workflow.renew(stored, "worker-1", LEASE)
    with pytest.raises(Moot):
        workflow.record_result(
            stored.request_id,
            stored.user_id,
            "worker-1",
            RequestStatus.COMPLETED,
            message="",
            reason=None,
            result={},
        )


def test_a_live_lease_is_not_taken_over(alice, make_request):
    request = make_request(alice)
    workflow.take(request, "worker-1", LEASE)
    assert workflow.take(services.get_request(alice, request.request_id), "worker-2", LEASE) is None


def test_a_queued_request_is_not_taken_before_its_turn(alice, bob, make_request):
    config_services.set_system_value("conflict_policy", "queue", actor="t", club=CLUB)
    make_request(alice)
    queued = make_request(bob)
    assert workflow.take(queued, "worker-1", LEASE) is None


def test_the_holder_finishes_and_the_lease_is_cleared(alice, make_request):
    request = workflow.take(make_request(alice), "worker-1", LEASE)
    assert workflow.renew(request, "worker-1", LEASE)
    done = workflow.record_result(
        request.request_id,
        request.user_id,
        "worker-1",
        RequestStatus.COMPLETED,
        message="booked",
        reason=None,
        result={"outcome": "booked"},
    )
    assert done.status == RequestStatus.COMPLETED
    assert done.lease_owner is None
    stored = services.get_request(request.user_id, request.request_id)
    assert (stored.status, stored.lease_owner) == (RequestStatus.COMPLETED, None)


def test_giving_back_returns_the_request_to_pending(alice, make_request):
    request = workflow.take(make_request(alice), "worker-1", LEASE)
    back = workflow.give_back(request, "worker-1", "worker shutting down")
    assert back.status == RequestStatus.PENDING
    assert back.lease_owner is None
    assert workflow.take(back, "worker-2", LEASE).lease_owner == "worker-2"
