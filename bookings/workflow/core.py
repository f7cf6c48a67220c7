"""The write core of the workflow: one guarded transaction, then its effects.

Every verb builds a ``Transaction`` of the request's own write (guarded by
the status it saw and, by PynamoDB's version attribute, the version it
loaded) and the claim operations that go with it, commits it, and only then
queues the side effects (``bookings.events``). When the guard is lost the
verb reloads the request and decides again, a bounded number of times: an
unrelated write in between (the sweep's dispatch mark, a lease renewal)
must not refuse a member's cancel, while a real change of status does.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from pynamodb.transactions import TransactWrite

from configs import clubs
from configs import services as config_services
from configs.club_migration import require_migrated
from tennisbook.dynamo import Conflict, DataError, NotFound, Unavailable, connection
from tennisbook.dynamo.repository import transaction_conflict_reasons, translate_errors
from tennisbook.values import TimeSlot

from .. import claims, events, services
from ..choices import OnConflict, RequestStatus
from ..dynamo import BookingRequest, HistoryEntry
from ..errors import (
    Contended,
    DuplicateRequest,
    Moot,
    Quarantine,
    QuotaReached,
    SlotClaimed,
    TransitionRefused,
)
from ..lifecycle import Actor, is_allowed, releases_claims, takes_claims, targets_for
from ..release import fire_time
from ..repositories import BookingRequestRepository

log = structlog.get_logger("bookings.workflow")

store = BookingRequestRepository()

# How often a verb reloads and decides again after losing its guard or a
# claim race before it gives up with ``Contended`` (a retry-later error).
ATTEMPTS = 4

_WIRE_ORDER = {"condition_check": 0, "delete": 1, "save": 2, "update": 3}


def now_utc() -> datetime:
    return datetime.now(UTC)


def key_only(request_id: str, user_id: str) -> BookingRequest:
    """A request known only by its key, for an update without the version guard.

    Its version is 0 so that PynamoDB *adds* 1 to the stored version: left
    as None, PynamoDB would set the stored version back to 1.
    """
    return BookingRequest(request_id, user_id, version=0)


@dataclass
class Transaction:
    """Operations to commit at once, each tagged so a failure can be explained."""

    ops: list[tuple[str, str, tuple, dict]] = field(default_factory=list)

    def add(self, tag: str, method: str, *args, **kwargs) -> None:
        self.ops.append((tag, method, args, kwargs))

    def commit(self) -> None:
        """Run every operation or none; a lost condition raises the matching error."""
        table = BookingRequest.Meta.table_name
        # PynamoDB sends condition checks, deletes, puts, then updates, and
        # DynamoDB's cancellation reasons follow that order: keep ours alike.
        self.ops.sort(key=lambda op: _WIRE_ORDER[op[1]])
        # One token per commit: botocore may resend a transaction after a read
        # timeout or a 5xx, and DynamoDB then answers the resend as the
        # original instead of failing it on the version it already bumped.
        token = uuid.uuid4().hex
        try:
            with (
                translate_errors("transaction", table),
                TransactWrite(connection=connection(), client_request_token=token) as transaction,
            ):
                for _, method, args, kwargs in self.ops:
                    getattr(transaction, method)(*args, **kwargs)
        except Conflict as exc:
            raise _explain(self.ops, transaction_conflict_reasons(exc)) from exc
        except (Unavailable, NotFound):
            raise
        except DataError as exc:
            # A write DynamoDB refuses for its shape (not a lost condition) will
            # be refused again: quarantine it rather than retry it forever.
            raise Quarantine(f"DynamoDB refused the write: {exc}") from exc


# Per-item cancellation codes that mean "the state was not as read".
_LOST_CONDITION = {"ConditionalCheckFailed", "TransactionConflict"}
_TRY_LATER = {"ThrottlingError", "ProvisionedThroughputExceeded", "RequestLimitExceeded"}


def _explain(ops: list, reasons: list[str | None]) -> DataError:
    """What a cancelled transaction means, from its per-item reasons.

    Only a failed condition (or a concurrent transaction on an item) is a
    lost race; throttling is an outage to wait out; anything else (an item
    too large, an invalid value) will fail again and is quarantined.
    """
    codes = {code for code in reasons if code}
    if codes & _TRY_LATER:
        return Unavailable(f"DynamoDB throttled the transaction ({', '.join(sorted(codes))}).")
    if codes - _LOST_CONDITION - _TRY_LATER:
        return Quarantine(f"DynamoDB refused the transaction: {', '.join(sorted(codes))}.")
    failed_tags = [ops[i][0] for i, code in enumerate(reasons) if code in _LOST_CONDITION]
    if "request" in failed_tags:
        return GuardLost("The request changed meanwhile.")
    if "member-slot" in failed_tags:
        return DuplicateRequest("You already have an active request for this date and time slot.")
    if "quota" in failed_tags:
        return QuotaReached("You have reached the club's limit of active requests.")
    if "slot" in failed_tags or "promoted" in failed_tags:
        return claims.SlotHeld("the slot claim changed meanwhile")
    return GuardLost("Something changed meanwhile.")


class GuardLost(Moot):
    """The request's own guard failed: reload and decide again (internal)."""


def entry(
    now: datetime, actor: str, previous: str | None, target: str, message: str
) -> HistoryEntry:
    return HistoryEntry(
        at=now,
        actor=actor,
        from_status=str(previous) if previous else None,
        to_status=str(target),
        message=message,
    )


def reload(request: BookingRequest) -> BookingRequest:
    """The request as stored now; ``Moot`` when it is gone."""
    found = store.find(request.request_id, request.user_id)
    if found is None:
        raise Moot("The request no longer exists.")
    return found


def _reload_committed(request: BookingRequest, target: str) -> BookingRequest:
    """The request after a write that is final: a read failure must not undo it.

    A blink of DynamoDB right after the commit is retried briefly; past that
    the caller gets its own copy with the new status, so a worker keeps the
    lease it just won and the member's event still goes out.
    """
    for pause in (0.0, 0.2, 0.5):
        time.sleep(pause)
        try:
            return reload(request)
        except Unavailable:
            continue
    log.warning("booking_request.reload_failed", booking_request_id=request.request_id)
    request.status = str(target)
    return request


def announce(request: BookingRequest, previous: str | None) -> None:
    """Queue the side effects of a write that is final."""
    events.publish(request, previous=previous)


def conflict_policy(request: BookingRequest) -> str:
    """ "queue" or "reject": the member's choice for this request, else the club's policy."""
    if request.on_conflict == OnConflict.QUEUE:
        return "queue"
    if request.on_conflict == OnConflict.SUGGEST:
        return "reject"
    return config_services.get_system_value("conflict_policy", club=request.club_id)


def commit_with_claims(
    request: BookingRequest,
    add_request_op: Callable[[Transaction, str | None], None],
) -> None:
    """Commit the request write with new claims; queue or refuse if the slot is held.

    ``add_request_op(tx, queued_behind)`` adds the request's own write, told
    whose request it waits behind (None when it holds the slot itself).
    """
    club = request.club_id
    max_active = config_services.get_system_value("limits", club=club)["max_active_requests"]
    for _ in range(ATTEMPTS):
        tx = Transaction()
        add_request_op(tx, None)
        claims.take(tx, request, max_active=max_active, queue_behind_holder=False)
        try:
            tx.commit()
            return
        except claims.SlotHeld:
            holder = claims.get_slot_claim(club, request.court_id, request.date, request.time_slot)
        if holder is None:
            continue  # released in between: try again to become the holder
        if conflict_policy(request) != "queue":
            raise SlotClaimed(
                f"Another member already has a request for court {request.court_id} on "
                f"{request.date}, {request.time_slot}.",
                services.suggestions(club, request.court_id, request.date, request.time_slot),
            )
        tx = Transaction()
        add_request_op(tx, holder.holder)
        claims.take(tx, request, max_active=max_active, queue_behind_holder=True, holder=holder)
        try:
            tx.commit()
            return
        except claims.SlotHeld:
            continue  # the holder changed meanwhile: look again
    raise Contended("The slot changed hands repeatedly; try again in a moment.")


def transition(
    request: BookingRequest,
    target: str,
    *,
    actor: Actor,
    by: str,
    message: str = "",
    reason: str | None = None,
    result: dict[str, Any] | None = None,
    actions: Sequence[Any] = (),
    condition: Any = None,
    still_applies: Callable[[BookingRequest], bool] | None = None,
    now: datetime | None = None,
) -> BookingRequest:
    """Move ``request`` to ``target`` if ``actor`` may, atomically with its claims.

    The write is guarded by the status and version it saw, and by
    ``condition`` (e.g. the worker still holding its lease). When the guard
    is lost the request is reloaded; if the move is still allowed (and
    ``still_applies(request)``, where given) it is tried again, otherwise
    ``TransitionRefused``/``Moot`` says why and nothing was written. A slot
    claim whose queue changed between read and commit is read again and
    retried, never reported. Returns the request as stored.
    """
    now = now or now_utc()
    require_migrated()
    for attempt in range(ATTEMPTS):
        if attempt:
            request = reload(request)
        current = request.status
        if not is_allowed(current, target, actor):
            allowed = ", ".join(targets_for(current, actor)) or "none"
            raise TransitionRefused(
                f"A {current} request cannot become {target} by the {actor}; allowed: {allowed}."
            )
        if still_applies is not None and not still_applies(request):
            raise Moot("The request was taken over meanwhile.")
        try:
            promoted, left_behind = _write(
                request, current, target, by, message, reason, result, actions, condition, now
            )
        except (GuardLost, claims.SlotHeld):
            continue
        break
    else:
        raise Contended("The request kept changing; try again in a moment.")
    stored = _reload_committed(request, target)
    log.info(
        "booking_request.transition",
        booking_request_id=stored.request_id,
        user_id=stored.user_id,
        club=stored.club_id,
        from_status=current,
        to_status=target,
        actor=str(actor),
        by=by,
        reason=reason,
    )
    announce(stored, current)
    if promoted:
        promoted_request = store.find(*promoted)
        if promoted_request is not None:
            announce(promoted_request, None)
    for key in left_behind:
        fail_left_behind(key)
    return stored


LEFT_BEHIND = "Another member of the club booked this court and slot first."


def fail_left_behind(key: tuple[str, str]) -> bool:
    """Fail a request queued behind a holder that booked the court (``slot_taken``).

    Best effort after the holder's write; the housekeeping sweep finds any
    left over (``bookings.maintenance``). Returns whether it was failed.
    """
    queued = store.find(*key)
    if queued is None or queued.status != RequestStatus.PENDING or not queued.queued_behind:
        return False
    try:
        transition(
            queued,
            RequestStatus.FAILED,
            actor=Actor.ENGINE,
            by="system:slot-booked",
            message=LEFT_BEHIND,
            reason="slot_taken",
            condition=BookingRequest.queued_behind.exists(),
            still_applies=lambda r: bool(r.queued_behind),
        )
    except (Moot, Unavailable):
        log.warning("booking_request.left_behind_not_failed", booking_request_id=key[0])
        return False
    return True


def _write(request, current, target, by, message, reason, result, extra, condition, now):
    """One try of ``transition``.

    Returns the key of a request promoted to the slot, and the keys of those
    left queued behind a holder that booked the court (to be failed).
    """
    actions = [
        BookingRequest.status.set(target),
        BookingRequest.updated_at.set(now),
        BookingRequest.history.set(
            BookingRequest.history.append([entry(now, by, current, target, message)])
        ),
        *extra,
    ]
    if target == RequestStatus.PENDING:
        # Back to waiting (a retry, a worker giving it back): the next sweep
        # may send it at once, not REDISPATCH_AFTER after the last send.
        actions.append(BookingRequest.dispatched_at.remove())
    if reason is not None:
        actions.append(BookingRequest.reason.set(reason))
    if result is not None:
        actions.append(BookingRequest.result.set(result))
    guard = BookingRequest.status == current
    if condition is not None:
        guard &= condition
    if releases_claims(target):
        retention = config_services.get_system_value("retention", club=request.club_id)[
            "finished_ttl_days"
        ]
        actions += [
            BookingRequest.ttl.set(now + timedelta(days=retention)),
            BookingRequest.lease_owner.remove(),
            BookingRequest.lease_expires_at.remove(),
        ]
        tx = Transaction()
        tx.add("request", "update", request, actions=actions, condition=guard)
        slot_claim = claims.get_slot_claim(
            request.club_id, request.court_id, request.date, request.time_slot
        )
        # Queued requests wait for a holder that fails or is cancelled: one
        # that booked the court leaves them nothing to take.
        booked = target == RequestStatus.COMPLETED
        promoted = claims.release(tx, request, slot_claim, pass_on=not booked)
        tx.commit()
        held = slot_claim is not None and slot_claim.holder == request.request_id
        queue = slot_claim.queue if booked and held else []
        return promoted, [claims.parse_queue_entry(entry) for entry in queue]
    if takes_claims(current, target):
        # A disabled club takes no request back either (retry, un-cancel).
        clubs.require_enabled(request.club_id)
        booking_date = services.check_date(request.club_id, request.date, now)
        rules = config_services.get_system_value("release_rules", club=request.club_id)
        slot = TimeSlot.parse(request.time_slot)
        actions += [
            BookingRequest.ttl.remove(),
            BookingRequest.reason.remove(),
            BookingRequest.fire_at.set(fire_time(rules, request.court_id, booking_date, slot, now)),
        ]

        def update_request(tx: Transaction, queued_behind: str | None) -> None:
            queue_action = (
                BookingRequest.queued_behind.set(queued_behind)
                if queued_behind
                else BookingRequest.queued_behind.remove()
            )
            tx.add("request", "update", request, actions=[*actions, queue_action], condition=guard)

        commit_with_claims(request, update_request)
        return None, []
    tx = Transaction()
    tx.add("request", "update", request, actions=actions, condition=guard)
    tx.commit()
    return None, []


def update(
    request: BookingRequest,
    actions: list[Any],
    condition: Any,
    *,
    versioned: bool = True,
) -> bool:
    """A single guarded update of one request outside the status machine.

    Returns False when the guard is lost (someone else got there first).
    ``versioned=False`` guards by ``condition`` alone; the stored version is
    still incremented, never reset.
    """
    if request.version is None:
        request.version = 0
    try:
        store.update(request, actions, condition=condition, add_version_condition=versioned)
    except Conflict:
        return False
    return True
