"""Creating a request: validated, claimed atomically, fire time stored."""

import threading
from datetime import UTC, datetime

import pytest

from bookings import claims, services, workflow
from bookings.choices import RequestStatus
from bookings.errors import DuplicateRequest, QuotaReached, SlotClaimed
from bookings.lifecycle import Actor
from configs import services as config_services
from tennisbook.values import InvalidValue
from tests.bookings.conftest import EIGHT, SEVEN, in_days
from tests.factories import CLUB

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def test_it_stores_a_pending_request_with_its_fire_time_and_history(alice):
    request = workflow.create(
        alice,
        "5",
        "2026-12-20",
        "de 7:00 am a 8:00 am",
        [{"court_id": 7, "time_slot": SEVEN}],
        now=NOW,
        club=CLUB,
    )
    stored = services.get_request(alice, request.request_id)
    assert stored.status == RequestStatus.PENDING.value
    assert stored.time_slot == SEVEN
    assert stored.fire_at == datetime(2026, 12, 12, 6, 0, tzinfo=UTC)
    assert [(a.court_id, a.time_slot) for a in stored.alternatives] == [(7, SEVEN)]
    assert stored.history[0].to_status == RequestStatus.PENDING.value
    assert stored.queued_behind is None


@pytest.mark.parametrize(
    ("court", "day", "slot", "alternatives", "field"),
    [
        (6, "2026-12-20", SEVEN, [], "court_id"),
        (5, "2026-12-20", "De 09:00 PM a 10:00 PM", [], "time_slot"),
        (5, "2026-11-30", SEVEN, [], "date"),
        (5, "2027-03-01", SEVEN, [], "date"),
        (5, "2026-12-32", SEVEN, [], "date"),
        (5, "2026-12-20", SEVEN, [{"court_id": 5, "time_slot": SEVEN}], "alternatives[0]"),
        (5, "2026-12-20", SEVEN, [{"court_id": 9}], "alternatives[0].court_id"),
        (5, "2026-12-20", SEVEN, ["court 7"], "alternatives[0]"),
        (5, "2026-12-20", SEVEN, [{"court_id": 7, "time_slot": SEVEN}] * 4, "alternatives"),
    ],
)
def test_a_bad_wish_is_refused_naming_the_field(alice, court, day, slot, alternatives, field):
    with pytest.raises(InvalidValue) as info:
        workflow.create(alice, court, day, slot, alternatives, now=NOW, club=CLUB)
    assert info.value.field == field
    assert services.list_requests(alice) == []


def test_a_member_without_portal_credentials_is_told_to_add_them(dynamo):
    config_services.save_user_config("nopass", CLUB, portal_username="9")
    with pytest.raises(InvalidValue) as info:
        workflow.create("nopass", 5, in_days(10), SEVEN, club=CLUB)
    assert info.value.field == "portal_credentials"


def test_a_member_cannot_ask_twice_for_the_same_date_and_slot(alice, make_request):
    make_request(alice, court=5)
    with pytest.raises(DuplicateRequest):
        make_request(alice, court=7)
    assert len(services.list_requests(alice)) == 1


def test_the_active_request_quota_is_enforced(alice, make_request):
    config_services.set_system_value(
        "limits",
        {"max_active_requests": 2, "max_alternatives": 3, "horizon_days": 30},
        actor="t",
        club=CLUB,
    )
    make_request(alice, day=in_days(10))
    make_request(alice, day=in_days(11))
    with pytest.raises(QuotaReached):
        make_request(alice, day=in_days(12))
    first = services.list_requests(alice)[0]
    workflow.cancel(services.get_request(alice, first.request_id), actor=Actor.MEMBER, by="alice")
    assert make_request(alice, day=in_days(12)).status == RequestStatus.PENDING.value


def test_it_rejects_a_slot_claimed_by_another_member_with_suggestions(alice, bob, make_request):
    make_request(alice, court=5, slot=SEVEN)
    with pytest.raises(SlotClaimed) as info:
        make_request(bob, court=5, slot=SEVEN)
    suggestions = info.value.suggestions
    assert {"court_id": 7, "date": in_days(10), "time_slot": SEVEN} in suggestions
    assert {"court_id": 5, "date": in_days(10), "time_slot": EIGHT} in suggestions
    assert services.list_requests(bob) == []


def test_suggestions_leave_out_slots_already_claimed(alice, bob, portal_member, make_request):
    make_request(alice, court=5, slot=SEVEN)
    carol = portal_member("carol-id")
    make_request(carol, court=7, slot=SEVEN)
    with pytest.raises(SlotClaimed) as info:
        make_request(bob, court=5, slot=SEVEN)
    assert all(s["court_id"] != 7 or s["time_slot"] != SEVEN for s in info.value.suggestions)


def test_under_the_queue_policy_the_second_member_waits_and_takes_over(alice, bob, make_request):
    config_services.set_system_value("conflict_policy", "queue", actor="t", club=CLUB)
    first = make_request(alice)
    second = make_request(bob)
    assert second.queued_behind == first.request_id
    workflow.cancel(services.get_request(alice, first.request_id), actor=Actor.MEMBER, by="alice")
    promoted = services.get_request(bob, second.request_id)
    assert promoted.queued_behind is None
    claim = claims.get_slot_claim(CLUB, 5, first.date, SEVEN)
    assert (claim.holder, claim.holder_user) == (second.request_id, bob)


def test_concurrent_creates_for_one_slot_leave_exactly_one_claim(portal_member):
    members = [portal_member(f"member-{n}") for n in range(8)]
    day = in_days(10)
    outcomes: list[str] = []
    barrier = threading.Barrier(len(members))

    def create(user_id):
        barrier.wait()
        try:
            workflow.create(user_id, 5, day, SEVEN, club=CLUB)
            outcomes.append("won")
        except SlotClaimed:
            outcomes.append("claimed")
        except Exception as exc:
            outcomes.append(repr(exc))

    threads = [threading.Thread(target=create, args=(m,)) for m in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    assert sorted(outcomes) == ["claimed"] * 7 + ["won"]
    holders = [m for m in members if services.list_requests(m)]
    assert len(holders) == 1
    assert claims.get_slot_claim(CLUB, 5, day, SEVEN).holder_user == holders[0]


def test_cancel_releases_the_claim_for_another_member(alice, bob, make_request):
    first = make_request(alice)
    workflow.cancel(services.get_request(alice, first.request_id), actor=Actor.MEMBER, by="alice")
    assert make_request(bob).status == RequestStatus.PENDING.value
    assert services.get_request(alice, first.request_id).status == RequestStatus.CANCELLED.value
