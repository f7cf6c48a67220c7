"""Editing a pending request: in place, or replaced by a new one in one transaction.

What holds no claim (alternatives, partners, notes, the conflict choice)
changes in place under the status and version as read; a new court, date
or slot cancels the request and stores its replacement with the new
claims at once, or writes nothing at all.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from bookings import claims, services, workflow
from bookings.choices import RequestStatus
from bookings.dynamo import Claim
from bookings.errors import DuplicateRequest, Moot, SlotClaimed, TransitionRefused
from bookings.lifecycle import Actor
from bookings.serializers import BookingCreateSerializer
from bookings.workflow.editing import CHANGED, NOT_PENDING, REPLACED_BY, REPLACES
from configs import services as config_services
from tennisbook.values import InvalidValue
from tests.bookings.conftest import EIGHT, SEVEN, in_days
from tests.factories import CLUB

NINE = "De 09:00 AM a 10:00 AM"


def wish(**changes) -> dict:
    """What the page and the API hand the workflow: the create serializer's validated data."""
    body = {"court_id": 5, "date": in_days(10), "time_slot": SEVEN} | changes
    serializer = BookingCreateSerializer(data=body)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def stored(user_id: str, request_id: str):
    return services.get_request(user_id, request_id)


def quota(user_id: str) -> int:
    return Claim.get(*claims.quota_key(CLUB, user_id), consistent_read=True).active


def member_slot_holder(user_id: str, day: str, slot: str) -> str | None:
    try:
        return Claim.get(*claims.member_slot_key(CLUB, user_id, day, slot)).holder
    except Claim.DoesNotExist:
        return None


def slot_holder(court: int, day: str, slot: str) -> str | None:
    claim = claims.get_slot_claim(CLUB, court, day, slot)
    return claim.holder if claim else None


@pytest.fixture
def reject_policy(dynamo):
    config_services.set_system_value("conflict_policy", "reject", actor="test", club=CLUB)


@pytest.fixture
def queue_policy(dynamo):
    config_services.set_system_value("conflict_policy", "queue", actor="test", club=CLUB)


# --- in place ------------------------------------------------------------------------


def test_partners_notes_and_the_conflict_choice_change_in_place_with_a_history_entry(
    alice, make_request
):
    request = make_request(alice)
    version = request.version

    edited = workflow.edit(
        request,
        wish(partners=["Ana", "Luis"], notes="Bring balls", on_conflict="queue"),
        by="member:alice",
    )

    assert edited.request_id == request.request_id
    again = stored(alice, request.request_id)
    assert (again.partners, again.notes, again.on_conflict) == (
        ["Ana", "Luis"],
        "Bring balls",
        "queue",
    )
    assert again.status == RequestStatus.PENDING.value
    assert again.version == version + 1
    last = again.history[-1]
    assert (last.from_status, last.to_status, last.actor) == ("pending", "pending", "member:alice")
    assert last.message == "edited: partners, notes, conflict choice"
    assert slot_holder(5, request.date, SEVEN) == request.request_id  # the claims stay
    assert quota(alice) == 1


def test_alternatives_hold_no_claim_and_change_in_place(alice, make_request):
    request = make_request(alice, alternatives=[{"court_id": 7, "time_slot": SEVEN}])

    workflow.edit(
        request,
        wish(
            alternatives=[{"court_id": 5, "time_slot": EIGHT}, {"court_id": 7, "time_slot": NINE}]
        ),
        by="member:alice",
    )

    again = stored(alice, request.request_id)
    assert [(a.court_id, a.time_slot) for a in again.alternatives] == [(5, EIGHT), (7, NINE)]
    assert again.history[-1].message == "edited: alternatives"
    assert slot_holder(5, request.date, SEVEN) == request.request_id


def test_notes_can_be_emptied_again(alice, make_request):
    request = workflow.edit(make_request(alice), wish(notes="Doubles"), by="alice")
    workflow.edit(request, wish(notes=""), by="alice")
    assert stored(alice, request.request_id).notes is None


def test_an_edit_that_changes_nothing_writes_nothing(alice, make_request):
    request = make_request(alice)
    version = request.version
    assert workflow.edit(request, wish(), by="alice") is request
    assert stored(alice, request.request_id).version == version
    assert len(stored(alice, request.request_id).history) == 1


# --- replaced --------------------------------------------------------------------------


def test_a_new_slot_replaces_the_request_and_its_claims_in_one_go(alice, make_request):
    old = make_request(alice, alternatives=[{"court_id": 7, "time_slot": SEVEN}])

    new = workflow.edit(old, wish(time_slot=EIGHT, notes="Earlier is taken"), by="member:alice")

    assert new.request_id != old.request_id
    assert (new.court_id, new.date, new.time_slot, new.status) == (5, old.date, EIGHT, "pending")
    assert new.notes == "Earlier is taken"
    assert new.alternatives == []  # the wish is the whole request: no alternative left
    assert new.history[0].message == REPLACES + old.request_id
    gone = stored(alice, old.request_id)
    assert gone.status == RequestStatus.CANCELLED.value
    assert gone.history[-1].message == REPLACED_BY + new.request_id
    assert gone.ttl is not None  # finished requests expire
    assert slot_holder(5, old.date, SEVEN) is None
    assert slot_holder(5, old.date, EIGHT) == new.request_id
    assert member_slot_holder(alice, old.date, SEVEN) is None
    assert member_slot_holder(alice, old.date, EIGHT) == new.request_id
    assert quota(alice) == 1  # one active request before, one after
    assert [r.status for r in services.list_requests(alice)].count("pending") == 1


def test_a_new_court_for_the_same_date_and_slot_hands_the_member_slot_over(alice, make_request):
    old = make_request(alice, court=5)

    new = workflow.edit(old, wish(court_id=7), by="alice")

    assert (new.court_id, new.time_slot) == (7, SEVEN)
    assert member_slot_holder(alice, old.date, SEVEN) == new.request_id
    assert slot_holder(5, old.date, SEVEN) is None
    assert slot_holder(7, old.date, SEVEN) == new.request_id
    assert quota(alice) == 1


def test_a_new_date_gets_its_own_fire_time(alice, make_request):
    old = make_request(alice, day=in_days(10))
    new = workflow.edit(old, wish(date=in_days(12)), by="alice")
    assert new.date == in_days(12)
    assert new.fire_at - old.fire_at == timedelta(days=2)


def test_a_member_at_the_quota_may_still_move_a_request(alice, make_request):
    config_services.set_system_value(
        "limits",
        {"max_active_requests": 2, "max_alternatives": 3, "horizon_days": 30},
        actor="t",
        club=CLUB,
    )
    make_request(alice, day=in_days(11))
    old = make_request(alice, day=in_days(10))

    new = workflow.edit(old, wish(time_slot=NINE), by="alice")

    assert new.status == RequestStatus.PENDING.value
    assert quota(alice) == 2


def test_moving_away_from_a_slot_passes_it_to_the_member_queued_behind(
    alice, bob, make_request, queue_policy
):
    old = make_request(alice)
    waiting = make_request(bob)
    assert waiting.queued_behind == old.request_id

    new = workflow.edit(old, wish(time_slot=EIGHT), by="alice")

    promoted = stored(bob, waiting.request_id)
    assert promoted.queued_behind is None
    assert slot_holder(5, old.date, SEVEN) == waiting.request_id
    assert slot_holder(5, old.date, EIGHT) == new.request_id


def test_a_queued_request_moved_elsewhere_leaves_the_queue(alice, bob, make_request, queue_policy):
    holder = make_request(alice)
    queued = make_request(bob)

    new = workflow.edit(queued, wish(court_id=7), by="bob")

    assert claims.get_slot_claim(CLUB, 5, holder.date, SEVEN).queue == []
    assert slot_holder(7, holder.date, SEVEN) == new.request_id
    assert new.queued_behind is None


def test_under_queue_the_replacement_waits_behind_the_member_holding_the_new_slot(
    alice, bob, make_request
):
    holder = make_request(bob, slot=EIGHT)
    old = make_request(alice)

    new = workflow.edit(old, wish(time_slot=EIGHT, on_conflict="queue"), by="alice")

    assert new.queued_behind == holder.request_id
    assert claims.get_slot_claim(CLUB, 5, old.date, EIGHT).queue == [claims.queue_entry(new)]
    assert stored(alice, old.request_id).status == RequestStatus.CANCELLED.value


# --- refused: nothing is written ------------------------------------------------------------


def assert_untouched(user_id: str, request, version: int) -> None:
    again = stored(user_id, request.request_id)
    assert again.status == request.status
    assert again.version == version
    assert [r.request_id for r in services.list_requests(user_id)] == [request.request_id]


def test_a_new_slot_another_member_holds_is_refused_under_reject_and_the_request_stays(
    alice, bob, make_request, reject_policy
):
    make_request(bob, slot=EIGHT)
    old = make_request(alice)
    version = old.version

    with pytest.raises(SlotClaimed) as info:
        workflow.edit(old, wish(time_slot=EIGHT), by="alice")  # the club's policy: reject

    assert {"court_id": 7, "date": old.date, "time_slot": EIGHT} in info.value.suggestions
    assert_untouched(alice, old, version)
    assert slot_holder(5, old.date, SEVEN) == old.request_id
    assert member_slot_holder(alice, old.date, SEVEN) == old.request_id
    assert quota(alice) == 1


def test_a_member_who_chose_to_be_told_is_refused_even_under_the_queue_policy(
    alice, bob, make_request, queue_policy
):
    make_request(bob, slot=EIGHT)
    old = make_request(alice)
    with pytest.raises(SlotClaimed):
        workflow.edit(old, wish(time_slot=EIGHT, on_conflict="suggest"), by="alice")
    assert_untouched(alice, old, old.version)


def test_a_date_and_slot_the_member_already_asked_for_is_a_duplicate(alice, make_request):
    other = make_request(alice, court=7, slot=EIGHT)
    old = make_request(alice, slot=SEVEN)

    with pytest.raises(DuplicateRequest):
        workflow.edit(old, wish(time_slot=EIGHT), by="alice")

    assert stored(alice, old.request_id).status == RequestStatus.PENDING.value
    assert member_slot_holder(alice, old.date, EIGHT) == other.request_id
    assert member_slot_holder(alice, old.date, SEVEN) == old.request_id


@pytest.mark.parametrize(
    "change", [{"notes": "Too late"}, {"time_slot": EIGHT}], ids=["in-place", "replacement"]
)
def test_a_request_that_started_meanwhile_is_not_edited(alice, make_request, change):
    request = make_request(alice)  # what the member's form was drawn from
    workflow.take(stored(alice, request.request_id), "worker-1", timedelta(seconds=30))

    with pytest.raises(TransitionRefused) as info:
        workflow.edit(request, wish(**change), by="alice")

    assert str(info.value) == NOT_PENDING
    again = stored(alice, request.request_id)
    assert again.status == RequestStatus.PROCESSING.value
    assert again.notes is None
    assert slot_holder(5, request.date, EIGHT) is None
    assert len(services.list_requests(alice)) == 1


@pytest.mark.parametrize(
    "change", [{"notes": "Mine"}, {"court_id": 7}], ids=["in-place", "replacement"]
)
def test_an_edit_from_a_stale_version_is_refused(alice, make_request, change):
    stale = make_request(alice)
    fresh = workflow.edit(
        stored(alice, stale.request_id), wish(partners=["Ana"]), by="alice (other tab)"
    )

    with pytest.raises(Moot) as info:
        workflow.edit(stale, wish(**change), by="alice")

    assert str(info.value) == CHANGED
    again = stored(alice, stale.request_id)
    assert again.version == fresh.version
    assert (again.partners, again.notes, again.court_id) == (["Ana"], None, 5)
    assert len(services.list_requests(alice)) == 1


def test_a_request_cancelled_in_another_tab_is_not_edited(alice, make_request):
    request = make_request(alice)
    cancelled = workflow.cancel(request, actor=Actor.MEMBER, by="alice")
    with pytest.raises(TransitionRefused):
        workflow.edit(cancelled, wish(notes="x"), by="alice")
    with pytest.raises(TransitionRefused):  # the copy read before the cancel
        workflow.edit(request, wish(time_slot=EIGHT), by="alice")
    assert [r.status for r in services.list_requests(alice)] == ["cancelled"]


def test_a_replaced_request_cannot_be_replaced_again_from_its_old_copy(alice, make_request):
    old = make_request(alice)
    workflow.edit(old, wish(time_slot=EIGHT), by="alice")
    with pytest.raises(TransitionRefused):
        workflow.edit(stored(alice, old.request_id), wish(time_slot=NINE), by="alice")
    with pytest.raises((TransitionRefused, Moot)):
        workflow.edit(old, wish(time_slot=NINE), by="alice")
    assert sorted(r.time_slot for r in services.list_requests(alice)) == [SEVEN, EIGHT]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"date": "2020-01-01"}, "date"),
        ({"court_id": 6}, "court_id"),
        ({"time_slot": "De 09:00 PM a 10:00 PM"}, "time_slot"),
        ({"alternatives": [{"court_id": 5, "time_slot": SEVEN}]}, "alternatives[0]"),
        ({"club": "elsewhere"}, "club"),
    ],
)
def test_a_bad_field_is_named_and_nothing_is_written(alice, make_request, change, field):
    request = make_request(alice)
    with pytest.raises(InvalidValue) as info:
        workflow.edit(request, wish(**change), by="alice")
    assert info.value.field == field
    assert_untouched(alice, request, request.version)


def test_members_moving_to_one_free_slot_at_once_leave_exactly_one_holder(
    portal_member, make_request, reject_policy
):
    choices = [(5, SEVEN), (5, EIGHT), (7, SEVEN), (7, EIGHT)]
    members = [portal_member(f"mover-{n}") for n in range(len(choices))]
    olds = [make_request(m, court=c, slot=s) for m, (c, s) in zip(members, choices, strict=True)]
    barrier = threading.Barrier(len(olds))
    outcomes: list[str] = []

    def move(old):
        barrier.wait()
        try:
            workflow.edit(old, wish(court_id=7, time_slot=NINE), by="race")
            outcomes.append("moved")
        except SlotClaimed:
            outcomes.append("claimed")
        except Exception as exc:
            outcomes.append(repr(exc))

    threads = [threading.Thread(target=move, args=(old,)) for old in olds]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["claimed", "claimed", "claimed", "moved"], outcomes
    holder = slot_holder(7, in_days(10), NINE)
    for member, old in zip(members, olds, strict=True):
        mine = {r.request_id: r for r in services.list_requests(member)}
        if holder in mine:  # the winner: cancelled and replaced
            assert mine[old.request_id].status == RequestStatus.CANCELLED.value
            assert mine[holder].status == RequestStatus.PENDING.value
        else:  # the others keep what they had, claims and all
            assert [r.status for r in mine.values()] == [RequestStatus.PENDING.value]
            assert slot_holder(old.court_id, old.date, old.time_slot) == old.request_id
        assert quota(member) == 1
