"""The processor's bookkeeping: leases, final status, duplicates, outbox, sweep.

The engine itself is replaced here by a stub result; the integration test
(tests/integration/test_booking_pipeline.py) runs the real one against the
demo portal.
"""

import time
from datetime import UTC, datetime, timedelta

import pytest

from booker import dispatch, outbox, processor
from booker.results import AttemptRecord, BookingResult, Outcome, ReplyKind
from bookings import services, workflow
from bookings.choices import RequestStatus
from bookings.errors import Contended
from bookings.lifecycle import Actor
from configs import clubs
from configs import services as config_services
from tennisbook.dynamo import Conflict, Unavailable
from tests.bookings.conftest import SEVEN, in_days
from tests.factories import CLUB

LEASE = timedelta(seconds=30)


@pytest.fixture(autouse=True)
def _outbox(settings, tmp_path):
    settings.BOOKER_OUTBOX_PATH = tmp_path / "outbox.sqlite3"


@pytest.fixture
def engine_says(monkeypatch):
    """Make the attempt return a given outcome without a browser."""
    calls = []

    def set_outcome(outcome="booked", ok=True):
        def fake_attempt(request, owner, may_submit=None):
            calls.append((request.request_id, owner))
            return {
                "outcome": outcome,
                "ok": ok,
                "message": "Su reservación se ha realizado con éxito" if ok else "taken",
                "reason": "",
                "attempts": [],
                "release_to_confirmation_ms": 12.5 if ok else None,
            }

        monkeypatch.setattr(processor, "attempt", fake_attempt)
        return calls

    return set_outcome


def test_a_due_request_is_completed_with_its_result(alice, make_request, engine_says):
    engine_says("booked")
    request = make_request(alice)
    assert (
        processor.run_batch([(request.request_id, alice)], "worker-1")[request.request_id]
        == "booked"
    )
    stored = services.get_request(alice, request.request_id)
    assert stored.status == RequestStatus.COMPLETED
    assert stored.result_data["release_to_confirmation_ms"] == 12.5
    assert [h.to_status for h in stored.history] == ["pending", "processing", "completed"]


def test_the_engines_own_result_is_written_at_once_not_through_the_outbox(
    alice, make_request, monkeypatch
):
    """A real result holds enum members (the reply's kind): it must still be plain JSON."""

    def engine_result(request, owner, may_submit=None):
        attempt = AttemptRecord(
            choice={"court_id": 5, "time_slot": SEVEN},
            path="replay",
            outcome=ReplyKind.SUCCESS,
            message="Booking confirmed",
            sent_at_ns=1,
            portal_sent_ns=1,
            ms_after_release=1.5,
            round_trip_ms=2.0,
            http_status=302,
        )
        booked = BookingResult(Outcome.BOOKED, message="Booking confirmed", attempts=[attempt])
        return processor.finalize(booked)

    monkeypatch.setattr(processor, "attempt", engine_result)
    request = make_request(alice)
    processor.run_batch([(request.request_id, alice)], "worker-1")
    stored = services.get_request(alice, request.request_id)
    assert stored.status == RequestStatus.COMPLETED
    assert outbox.depth() == 0
    assert stored.result_data["attempts"][0]["outcome"] == "success"


def test_a_failure_keeps_the_reason_for_the_member(alice, make_request, engine_says):
    engine_says("slot_taken", ok=False)
    request = make_request(alice)
    processor.run_batch([(request.request_id, alice)], "worker-1")[request.request_id]
    stored = services.get_request(alice, request.request_id)
    assert (stored.status, stored.reason) == (RequestStatus.FAILED, "slot_taken")


def test_the_same_task_delivered_twice_books_once(alice, make_request, engine_says):
    calls = engine_says("booked")
    request = make_request(alice)
    # The same message delivered twice (acks_late after a lost ack).
    first = processor.run_batch([(request.request_id, alice)], "worker-1")
    second = processor.run_batch([(request.request_id, alice)], "worker-1")
    assert (first, second) == (
        {request.request_id: "booked"},
        {request.request_id: "finished-already"},
    )
    assert len(calls) == 1
    assert (
        processor.run_batch([(request.request_id, alice)], "worker-2")[request.request_id]
        == "finished-already"
    )


def test_a_result_waits_in_the_outbox_while_dynamodb_is_down(
    alice, make_request, engine_says, monkeypatch
):
    engine_says("booked")
    request = make_request(alice)
    real_apply = processor.apply

    def down(write):
        raise Unavailable("DynamoDB at test is unavailable")

    monkeypatch.setattr(processor, "apply", down)
    processor.run_batch([(request.request_id, alice)], "worker-1")[request.request_id]
    assert outbox.depth() == 1
    assert services.get_request(alice, request.request_id).status == RequestStatus.PROCESSING
    monkeypatch.setattr(processor, "apply", real_apply)
    processor.flush_outbox()
    assert outbox.depth() == 0
    assert services.get_request(alice, request.request_id).status == RequestStatus.COMPLETED


def test_the_sweep_sends_due_requests_grouped_by_release_instant(alice, bob, make_request):
    soon = datetime.now(UTC) + LEASE
    first = make_request(alice, slot=SEVEN)
    second = make_request(bob, slot="De 08:00 AM a 09:00 AM")
    later = make_request(alice, day=in_days(11))
    for request, fire_at in ((first, soon), (second, soon), (later, soon + timedelta(days=1))):
        services.requests_repo.update(request, [type(request).fire_at.set(fire_at)])
    sent: list[list[list[str]]] = []
    assert dispatch.sweep(sent.append) == 2
    assert sorted(k[0] for k in sent[0]) == sorted([first.request_id, second.request_id])
    assert dispatch.sweep(sent.append) == 0  # already dispatched a moment ago


def test_the_sweep_makes_one_batch_per_club_and_release_instant(
    alice, bob, portal_member, make_request
):
    """Two clubs releasing at the same instant are two batches (two worker slots)."""
    clubs.create_club("riverside", "Riverside", actor="t", copy_from=CLUB, enabled=True)
    portal_member(alice, club="riverside")
    soon = datetime.now(UTC) + LEASE
    here = make_request(alice)
    neighbour = make_request(bob, slot="De 08:00 AM a 09:00 AM")
    there = make_request(alice, club="riverside")
    for request in (here, neighbour, there):
        services.requests_repo.update(request, [type(request).fire_at.set(soon)])
    sent: list[list[list[str]]] = []
    assert dispatch.sweep(sent.append) == 3
    batches = sorted(sorted(key[0] for key in batch) for batch in sent)
    assert batches == sorted([sorted([here.request_id, neighbour.request_id]), [there.request_id]])


def test_every_clubs_first_batch_goes_out_before_any_clubs_second(
    alice, bob, portal_member, make_request, settings
):
    """A club with many members at an instant never queues another club's only batch."""
    settings.BOOKER_BATCH_SIZE = 2
    clubs.create_club("zeta", "Zeta", actor="t", copy_from=CLUB, enabled=True)
    carol = portal_member("carol")
    portal_member(alice, club="zeta")
    soon = datetime.now(UTC) + LEASE
    crowd = [
        make_request(alice, slot=SEVEN),
        make_request(bob, slot="De 08:00 AM a 09:00 AM"),
        make_request(carol, slot="De 09:00 AM a 10:00 AM"),
    ]
    lone = make_request(alice, club="zeta")
    for request in [*crowd, lone]:
        services.requests_repo.update(request, [type(request).fire_at.set(soon)])
    sent: list[list[list[str]]] = []
    dispatch.sweep(sent.append)
    assert [len(batch) for batch in sent] == [2, 1, 1]
    assert sent[1] == [[lone.request_id, alice]]


def test_the_sweep_resends_a_request_whose_worker_died(alice, make_request):
    request = make_request(alice)
    services.requests_repo.update(
        request, [type(request).fire_at.set(datetime.now(UTC) + timedelta(seconds=10))]
    )
    workflow.take(services.get_request(alice, request.request_id), "dead", timedelta(seconds=-1))
    sent: list = []
    assert dispatch.sweep(sent.append) == 1
    assert sent[0] == [[request.request_id, alice]]


def test_a_queued_request_is_not_sent_before_its_turn(alice, bob, make_request):
    config_services.set_system_value("conflict_policy", "queue", actor="t", club=CLUB)
    holder = make_request(alice)
    make_request(bob)
    for request in services.list_requests(alice) + services.list_requests(bob):
        services.requests_repo.update(
            request, [type(request).fire_at.set(datetime.now(UTC) + timedelta(seconds=5))]
        )
    sent: list = []
    dispatch.sweep(sent.append)
    assert [k[0] for batch in sent for k in batch] == [holder.request_id]


def test_a_sweep_that_could_not_send_leaves_the_request_for_the_next_one(alice, make_request):
    request = make_request(alice)
    services.requests_repo.update(
        request, [type(request).fire_at.set(datetime.now(UTC) + timedelta(seconds=10))]
    )

    def broken_broker(keys):
        raise ConnectionError("Redis is down")

    with pytest.raises(ConnectionError):
        dispatch.sweep(broken_broker)
    assert services.get_request(alice, request.request_id).dispatched_at is None
    sent: list = []
    assert dispatch.sweep(sent.append) == 1


def test_the_default_profile_points_at_the_configured_portal(settings, dynamo):
    settings.DEMOCLUB_URL = "http://127.0.0.1:18100"
    config_services.forget_cached_settings()
    assert config_services.get_system_value("portal_profile", club=CLUB)["base_url"] == (
        "http://127.0.0.1:18100"
    )


def test_a_member_without_credentials_fails_with_a_reason_instead_of_looping(alice, make_request):
    request = make_request(alice)
    config_services.save_user_config(alice, CLUB, portal_username="")
    assert (
        processor.run_batch([(request.request_id, alice)], "worker-1")[request.request_id]
        == "login_failed"
    )
    stored = services.get_request(alice, request.request_id)
    assert (stored.status, stored.reason) == (RequestStatus.FAILED, "bad_credentials")
    assert "portal username and password" in stored.result_data["reason"]


def test_an_engine_crash_fails_the_request_instead_of_looping(alice, make_request, monkeypatch):
    def broken(request, owner, may_submit, steps):
        raise RuntimeError("chromedriver vanished")

    monkeypatch.setattr(processor, "_attempt", broken)
    request = make_request(alice)
    assert (
        processor.run_batch([(request.request_id, alice)], "worker-1")[request.request_id]
        == "error"
    )
    stored = services.get_request(alice, request.request_id)
    assert (stored.status, stored.reason) == (RequestStatus.FAILED, "engine_error")
    assert "chromedriver vanished" in stored.result_data["detail"]


def test_settings_are_served_stale_while_dynamodb_is_down(dynamo, monkeypatch):
    assert config_services.get_system_value("portal_profile", club=CLUB)["base_url"]
    monkeypatch.setattr(config_services, "SYSTEM_CACHE_SECONDS", 0.0)

    def down(key):
        raise Unavailable("DynamoDB at test is unavailable")

    monkeypatch.setattr(config_services.system_configs, "find", down)
    assert config_services.get_system_value("portal_profile", club=CLUB)["base_url"]
    with pytest.raises(Unavailable):
        config_services.get_system_value("limits", club=CLUB)  # never read before: nothing to serve


def test_a_request_whose_member_is_gone_never_fires(make_request, portal_member, engine_says):
    from django.contrib.auth import get_user_model

    calls = engine_says("booked")
    user_id = portal_member("erin")
    request = make_request(user_id)
    get_user_model().objects.filter(pk=user_id).update(is_active=False)
    outcome = processor.run_batch([(request.request_id, user_id)], "worker-1")
    assert outcome == {request.request_id: "member_inactive"}
    assert calls == []
    stored = services.get_request(user_id, request.request_id)
    assert (stored.status, stored.reason) == (RequestStatus.FAILED, "member_inactive")


def test_an_attempt_stopped_by_a_lost_lease_records_no_result(
    alice, make_request, monkeypatch, settings
):
    settings.BOOKER_LEASE_SECONDS = 3  # renewed every second

    def engine(request, owner, may_submit, steps):
        # Meanwhile this worker's lease lapsed and worker-2 resumed the request.
        services.requests_repo.update(
            request, [type(request).lease_expires_at.set(datetime.now(UTC) - timedelta(seconds=1))]
        )
        resumed = workflow.take(services.get_request(alice, request.request_id), "worker-2", LEASE)
        assert resumed is not None
        # The next renewal is refused: the guard the session asks turns False.
        deadline = time.monotonic() + 10
        while may_submit() and time.monotonic() < deadline:
            time.sleep(0.05)
        outcome = "booked" if may_submit() else "lease_lost"
        return {"outcome": outcome, "ok": outcome == "booked", "message": "", "attempts": []}

    monkeypatch.setattr(processor, "_attempt", engine)
    request = make_request(alice)
    outcome = processor.run_batch([(request.request_id, alice)], "worker-1")
    assert outcome == {request.request_id: "lease_lost"}
    stored = services.get_request(alice, request.request_id)
    assert (stored.status, stored.lease_owner) == (RequestStatus.PROCESSING, "worker-2")
    assert outbox.depth() == 0


def test_the_lease_keeper_stops_holding_once_its_lease_runs_out(alice, make_request):
    request = workflow.take(make_request(alice), "worker-1", LEASE)
    keeper = processor.LeaseKeeper(request, "worker-1")
    assert keeper.holds()
    keeper.expires_at = datetime.now(UTC)  # stalled past the expiry without a renewal
    assert not keeper.holds()
    keeper.expires_at = datetime.now(UTC) + LEASE
    keeper.lost = True  # a renewal was refused: another worker has it
    assert not keeper.holds()


def test_a_superseded_result_is_logged_never_raised(alice, make_request):
    request = workflow.take(make_request(alice), "worker-1", timedelta(seconds=-1))
    workflow.take(services.get_request(alice, request.request_id), "worker-2", LEASE)
    write = outbox.PendingWrite(
        request.request_id, alice, "worker-1", RequestStatus.COMPLETED, "late", None, {"ok": True}
    )
    processor.apply(write)  # worker-1's result is moot: worker-2 records its own
    stored = services.get_request(alice, request.request_id)
    assert (stored.status, stored.lease_owner) == (RequestStatus.PROCESSING, "worker-2")


def test_any_conflict_while_recording_is_superseded_never_raised(alice, make_request, monkeypatch):
    request = workflow.take(make_request(alice), "worker-1", LEASE)

    def lost(*args, **kwargs):
        raise Conflict("transaction on test-BookingRequests: the item changed")

    monkeypatch.setattr(workflow, "record_result", lost)
    processor.apply(
        outbox.PendingWrite(
            request.request_id, alice, "worker-1", RequestStatus.COMPLETED, "", None, {"ok": True}
        )
    )  # logged as superseded; nothing escapes


@pytest.mark.parametrize(
    "failure",
    [
        RuntimeError("a row this code cannot write"),
        Contended("The request kept changing; try again in a moment."),
    ],
    ids=["broken", "contended"],
)
def test_a_row_that_keeps_failing_is_quarantined_and_blocks_no_other(
    alice, make_request, monkeypatch, failure
):
    good = workflow.take(make_request(alice), "worker-1", LEASE)
    outbox.put(outbox.PendingWrite("bad-row", alice, "w", "completed", "", None, {"ok": True}))
    outbox.put(
        outbox.PendingWrite(
            good.request_id, alice, "worker-1", "completed", "booked", None, {"ok": True}
        )
    )
    real_apply = processor.apply

    def apply(write):
        if write.request_id == "bad-row":
            raise failure
        real_apply(write)

    monkeypatch.setattr(processor, "apply", apply)
    processor.flush_outbox()
    assert services.get_request(alice, good.request_id).status == RequestStatus.COMPLETED
    for _ in range(outbox.QUARANTINE_AFTER - 1):
        processor.flush_outbox()
    assert (outbox.depth(), outbox.quarantined()) == (0, 1)
    [row] = outbox.rows()
    assert row.quarantined
    assert str(failure) in row.last_error


def test_a_cancel_just_before_the_release_stops_the_submit(alice, make_request):
    request = make_request(alice)
    services.requests_repo.update(
        request, [type(request).fire_at.set(datetime.now(UTC) + timedelta(seconds=3))]
    )
    taken = workflow.take(services.get_request(alice, request.request_id), "worker-1", LEASE)
    with processor.LeaseKeeper(taken, "worker-1") as keeper:
        # Regular renewals come every 10 s; an operator cancels 3 s before.
        workflow.cancel(
            services.get_request(alice, request.request_id), actor=Actor.OPERATOR, by="op"
        )
        assert keeper.holds()  # nothing has told the worker yet...
        deadline = time.monotonic() + 5
        while keeper.holds() and time.monotonic() < deadline:
            time.sleep(0.05)
        # ...until the fencing renewal, made 2 s before the release.
        assert not keeper.holds()


@pytest.mark.parametrize(
    ("partners", "notes", "comments"),
    [
        ([], "", ""),
        (["Ana", "@dana", " "], "", "Partners: Ana, dana"),
        ([], "  Doubles,\n new balls ", "Doubles, new balls"),
        (["Ana"], "Doubles", "Partners: Ana. Doubles"),
    ],
)
def test_the_portals_comments_name_the_partners_then_the_notes(partners, notes, comments):
    assert processor.portal_comments(partners, notes) == comments


def test_comments_too_long_for_a_portal_are_cut_with_a_mark():
    text = processor.portal_comments(["Ana"], "x" * 400)

    assert len(text) == processor.COMMENTS_MAX
    assert text.startswith("Partners: Ana. xxx")
    assert text.endswith("...")


def test_a_requests_plan_carries_its_partners_and_notes_for_the_portal(alice):
    request = workflow.create(
        alice, 5, in_days(10), SEVEN, club=CLUB, partners=["@bob", "Luis"], notes="Doubles"
    )

    assert processor.plan_for(request).comments == "Partners: bob, Luis. Doubles"


class _Steps:
    def __init__(self):
        self.starts = 0

    def started(self):
        self.starts += 1


@pytest.fixture
def preparing(monkeypatch, alice):
    """``_attempt`` with a scripted ``prepare``: each item an outcome to fail with, or "ok"."""
    from booker.profiles import builtin_profile
    from booker.results import Credentials

    monkeypatch.setattr(processor, "PREPARE_RETRY_PAUSE_S", 0)
    monkeypatch.setattr(processor, "load_credentials", lambda *a, **k: Credentials("101", "pw"))
    monkeypatch.setattr(processor, "load_profile", lambda club: builtin_profile("democlub"))

    class Session:
        def fire(self, fire_at, may_submit=None):
            return BookingResult(Outcome.BOOKED, verified=True)

        def close(self):
            pass

    made = []

    def run(script, *, fire_in=timedelta(minutes=2)):
        tries = []
        made.append(1)

        def prepare(engine, credentials, plan, release_browser=False):
            tries.append(1)
            step = script.pop(0)
            if step == "ok":
                return Session()
            raise processor.PrepareFailed(BookingResult(step, detail="net::ERR_CONNECTION_REFUSED"))

        monkeypatch.setattr(processor.BookingEngine, "prepare", prepare)
        request = workflow.create(alice, 5, in_days(9 + len(made)), SEVEN, club=CLUB)
        request.fire_at = datetime.now(UTC) + fire_in
        steps = _Steps()
        result = processor._attempt(request, "worker-1", None, steps)
        return result, len(tries), steps.starts

    return run


def test_a_preparation_that_failed_on_the_way_is_tried_again_before_the_release(preparing):
    result, tries, starts = preparing([Outcome.ERROR, Outcome.PORTAL_ERROR, "ok"])

    assert (result["outcome"], tries, starts) == ("booked", 3, 2)


def test_a_refused_login_or_a_near_release_is_not_prepared_again(preparing):
    refused, tries, _ = preparing([Outcome.LOGIN_FAILED, "ok"])
    assert (refused["outcome"], tries) == ("login_failed", 1)

    late, tries, _ = preparing([Outcome.ERROR, "ok"], fire_in=timedelta(seconds=10))
    assert (late["outcome"], tries) == ("error", 1)


def test_preparing_is_tried_three_times_at_most(preparing):
    result, tries, _ = preparing([Outcome.ERROR] * 3 + ["ok"])

    assert (result["outcome"], tries) == ("error", 3)
