"""Every transition, allowed or refused, for every actor; history, TTL, claims."""

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from bookings import claims, services, workflow
from bookings.choices import RequestStatus
from bookings.errors import SlotClaimed, TransitionRefused
from bookings.lifecycle import ALLOWED, Actor, is_allowed
from tests.bookings.conftest import SEVEN, finish
from tests.factories import CLUB

S = RequestStatus
# How to bring a fresh request into each starting status, by allowed steps.
PATHS = {
    S.PENDING: [],
    S.PROCESSING: [(S.PROCESSING, Actor.ENGINE)],
    S.COMPLETED: [(S.PROCESSING, Actor.ENGINE), (S.COMPLETED, Actor.ENGINE)],
    S.FAILED: [(S.FAILED, Actor.ENGINE)],
    S.CANCELLED: [(S.CANCELLED, Actor.MEMBER)],
}


def bring_to(request, status):
    for target, actor in PATHS[status]:
        request = workflow.change_status(request, target, actor=actor, by="setup")
    return request


@pytest.mark.parametrize(
    ("current", "target", "actor"),
    [(c, t, a) for c, t, a in itertools.product(S, S, Actor) if c != t],
    ids=lambda value: str(value),
)
def test_the_transition_table_is_enforced(alice, make_request, current, target, actor):
    request = bring_to(make_request(alice), current)
    if is_allowed(current, target, actor):
        stored = workflow.change_status(request, target, actor=actor, by=f"{actor}:test")
        assert stored.status == target
        assert (stored.history[-1].from_status, stored.history[-1].to_status) == (current, target)
    else:
        with pytest.raises(TransitionRefused):
            workflow.change_status(request, target, actor=actor, by=f"{actor}:test")
        assert services.get_request(alice, request.request_id).status == current


def test_the_table_lets_members_only_cancel_and_retry():
    member_moves = {pair for pair, actors in ALLOWED.items() if Actor.MEMBER in actors}
    assert member_moves == {
        (S.PENDING, S.CANCELLED),
        (S.FAILED, S.PENDING),
        (S.CANCELLED, S.PENDING),
    }


def test_a_stale_view_cannot_overwrite_a_newer_transition(alice, make_request):
    request = make_request(alice)
    stale = services.get_request(alice, request.request_id)
    workflow.change_status(request, S.PROCESSING, actor=Actor.ENGINE, by="worker-1")
    with pytest.raises(TransitionRefused):
        workflow.change_status(stale, S.CANCELLED, actor=Actor.MEMBER, by="alice")
    assert services.get_request(alice, request.request_id).status == S.PROCESSING


def test_finishing_sets_the_retention_ttl_and_releases_every_claim(alice, make_request):
    done = finish(
        make_request(alice),
        S.COMPLETED,
        message="Su reservación se ha realizado con éxito",
        result={"confirmation": "R-1", "release_to_confirmation_ms": 412.5},
    )
    stored = services.get_request(alice, done.request_id)  # as written, not as returned
    assert stored.ttl - datetime.now(UTC) > timedelta(days=179)
    assert stored.result["confirmation"] == "R-1"
    assert claims.get_slot_claim(CLUB, 5, done.date, SEVEN) is None
    # The member may ask for the same date and slot again: member claim and quota are back.
    again = workflow.create(alice, 5, done.date, SEVEN, club=CLUB)
    assert again.status == S.PENDING


def test_a_retry_retakes_the_claims_and_clears_the_ttl(alice, bob, make_request):
    request = bring_to(make_request(alice), S.FAILED)
    retried = workflow.retry(
        services.get_request(alice, request.request_id), actor=Actor.MEMBER, by="alice"
    )
    assert retried.status == S.PENDING
    assert retried.ttl is None
    assert claims.get_slot_claim(CLUB, 5, retried.date, SEVEN).holder == request.request_id
    with pytest.raises(SlotClaimed):
        make_request(bob)


def test_a_retry_is_refused_when_another_member_took_the_slot_meanwhile(alice, bob, make_request):
    request = bring_to(make_request(alice), S.CANCELLED)
    make_request(bob)
    with pytest.raises(SlotClaimed):
        workflow.retry(
            services.get_request(alice, request.request_id), actor=Actor.MEMBER, by="alice"
        )
    assert services.get_request(alice, request.request_id).status == S.CANCELLED


def test_another_members_request_is_not_found(alice, bob, make_request):
    request = make_request(alice)
    from tennisbook.dynamo import NotFound

    with pytest.raises(NotFound):
        services.get_request(bob, request.request_id)
    with pytest.raises(NotFound):
        workflow.cancel(services.get_request(bob, request.request_id), actor=Actor.MEMBER, by="bob")
    with pytest.raises(NotFound):
        services.get_request(alice, "not-a-uuid")
