"""Claims: the atomic guards of booking requests.

Every claim change is an operation added to the same DynamoDB transaction
as the request write it guards, so a request and its claims are always
consistent: two members can never both hold a court/date/slot, a member
never has two active requests for one date and slot, and the active-request
count never exceeds the club's quota, whatever the concurrency.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from pynamodb.transactions import TransactWrite

from tennisbook.dynamo import Conflict, connection
from tennisbook.dynamo.repository import transaction_conflict_reasons, translate_errors

from .choices import RequestStatus
from .dynamo import BookingRequest, Claim
from .errors import DuplicateRequest, QuotaReached, TransitionRefused

SLOT, MEMBER_SLOT, QUOTA = "#slot-claim", "#member-claim", "#quota"


def slot_key(court_id: int, day: str, slot: str) -> tuple[str, str]:
    return f"claim#slot#{court_id}#{day}#{slot}", SLOT


def member_slot_key(user_id: str, day: str, slot: str) -> tuple[str, str]:
    return f"claim#member#{user_id}#{day}#{slot}", MEMBER_SLOT


def quota_key(user_id: str) -> tuple[str, str]:
    return f"claim#quota#{user_id}", QUOTA


def queue_entry(request: BookingRequest) -> str:
    """A queued request as stored in a slot claim: both parts of its key."""
    return f"{request.request_id}|{request.user_id}"


def parse_queue_entry(entry: str) -> tuple[str, str]:
    request_id, _, user_id = entry.partition("|")
    return request_id, user_id


_WIRE_ORDER = {"condition_check": 0, "delete": 1, "save": 2, "update": 3}


@dataclass
class Transaction:
    """Operations to commit at once, each tagged so a failure can be explained."""

    ops: list[tuple[str, str, tuple, dict]] = field(default_factory=list)

    def add(self, tag: str, method: str, *args, **kwargs) -> None:
        self.ops.append((tag, method, args, kwargs))

    def commit(self, table: str) -> None:
        """Run every operation or none; a lost condition raises the matching error."""
        # PynamoDB sends condition checks, deletes, puts, then updates, and
        # DynamoDB's cancellation reasons follow that order: keep ours alike.
        self.ops.sort(key=lambda op: _WIRE_ORDER[op[1]])
        try:
            with (
                translate_errors("transaction", table),
                TransactWrite(connection=connection()) as transaction,
            ):
                for _, method, args, kwargs in self.ops:
                    getattr(transaction, method)(*args, **kwargs)
        except Conflict as exc:
            reasons = transaction_conflict_reasons(exc)
            failed = [self.ops[i][0] for i, code in enumerate(reasons) if code]
            raise _explain(failed) from exc


def _explain(failed_tags: list[str]) -> Conflict:
    if "request" in failed_tags:
        return TransitionRefused("The request changed meanwhile; reload it and try again.")
    if "member-slot" in failed_tags:
        return DuplicateRequest("You already have an active request for this date and time slot.")
    if "quota" in failed_tags:
        return QuotaReached("You have reached the club's limit of active requests.")
    if "slot" in failed_tags:
        return SlotHeld("another member holds this slot")
    return TransitionRefused("Something changed meanwhile; reload and try again.")


class SlotHeld(Conflict):
    """The slot claim exists (or changed): the caller refuses with suggestions, or queues."""


def _now() -> datetime:
    return datetime.now(UTC)


def take(
    tx: Transaction,
    request: BookingRequest,
    *,
    max_active: int,
    queue_behind_holder: bool,
) -> None:
    """Add the operations that claim ``request``'s slot, member slot and quota.

    With ``queue_behind_holder`` the slot claim is not created but appended
    to (the request waits behind the current holder).
    """
    now = _now()
    day, slot = request.date, request.time_slot
    claim_id, marker = slot_key(request.court_id, day, slot)
    if queue_behind_holder:
        tx.add(
            "slot",
            "update",
            Claim(claim_id, marker),
            actions=[
                Claim.queue.set(Claim.queue.append([queue_entry(request)])),
                Claim.updated_at.set(now),
            ],
            condition=Claim.holder.exists() & (Claim.holder != request.request_id),
        )
    else:
        _claim_new(tx, "slot", (claim_id, marker), request, now)
    _claim_new(tx, "member-slot", member_slot_key(request.user_id, day, slot), request, now)
    quota_id, quota_marker = quota_key(request.user_id)
    tx.add(
        "quota",
        "update",
        Claim(quota_id, quota_marker),
        actions=[
            Claim.active.add(1),  # ADD starts a missing counter at 0
            Claim.kind.set("quota"),
            Claim.holder_user.set(request.user_id),
            Claim.updated_at.set(now),
        ],
        condition=Claim.active.does_not_exist() | (Claim.active < max_active),
    )


def _claim_new(
    tx: Transaction, kind: str, key: tuple[str, str], request: BookingRequest, now: datetime
) -> None:
    """Create a claim held by ``request``; fails the transaction if it exists."""
    tx.add(
        kind,
        "save",
        Claim(
            *key,
            kind=kind,
            date=request.date,
            holder=request.request_id,
            holder_user=request.user_id,
            updated_at=now,
        ),
        condition=Claim.claim_id.does_not_exist(),
    )


def release(
    tx: Transaction, request: BookingRequest, slot_claim: Claim | None
) -> tuple[str, str] | None:
    """Add the operations that give all of ``request``'s claims back.

    Returns the key of the request that now holds the slot, if one was
    queued behind, so the caller can un-queue it and tell its member.
    """
    promoted = release_slot(tx, request, slot_claim)
    now = _now()
    member_id, member_marker = member_slot_key(request.user_id, request.date, request.time_slot)
    # Tolerant conditions: a claim already gone (an earlier crash, the
    # reconciling sweep) must never keep a request from finishing.
    tx.add(
        "member-slot",
        "delete",
        Claim(member_id, member_marker),
        condition=Claim.claim_id.does_not_exist() | (Claim.holder == request.request_id),
    )
    quota_id, quota_marker = quota_key(request.user_id)
    tx.add(
        "quota",
        "update",
        Claim(quota_id, quota_marker),
        actions=[Claim.active.add(-1), Claim.updated_at.set(now)],
    )
    return promoted


def release_slot(
    tx: Transaction, request: BookingRequest, slot_claim: Claim | None
) -> tuple[str, str] | None:
    """Pass the slot to the first request queued behind ``request`` (un-queueing
    it), or free it; returns the promoted request's key."""
    now = _now()
    if slot_claim is not None and slot_claim.holder == request.request_id:
        if not slot_claim.queue:
            # The queue must still be empty: a member queueing meanwhile keeps the slot.
            tx.add(
                "slot",
                "delete",
                slot_claim,
                condition=(Claim.holder == request.request_id) & (Claim.queue == slot_claim.queue),
            )
            return None
        promoted = parse_queue_entry(slot_claim.queue[0])
        tx.add(
            "slot",
            "update",
            slot_claim,
            actions=[
                Claim.holder.set(promoted[0]),
                Claim.holder_user.set(promoted[1]),
                Claim.queue.set(slot_claim.queue[1:]),
                Claim.updated_at.set(now),
            ],
            condition=(Claim.holder == request.request_id) & (Claim.queue == slot_claim.queue),
        )
        # The promoted request stops waiting in the same transaction.
        tx.add(
            "promoted",
            "update",
            BookingRequest(*promoted),
            actions=[BookingRequest.queued_behind.remove()],
            condition=BookingRequest.status == RequestStatus.PENDING.value,
            add_version_condition=False,
        )
        return promoted
    if slot_claim is not None and queue_entry(request) in slot_claim.queue:
        remaining = [entry for entry in slot_claim.queue if entry != queue_entry(request)]
        tx.add(
            "slot",
            "update",
            slot_claim,
            actions=[Claim.queue.set(remaining), Claim.updated_at.set(now)],
            condition=Claim.queue == slot_claim.queue,
        )
    return None


def get_slot_claim(court_id: int, day: str, slot: str) -> Claim | None:
    claim_id, marker = slot_key(court_id, day, slot)
    with translate_errors("get", Claim.Meta.table_name):
        try:
            return Claim.get(claim_id, marker, consistent_read=True)
        except Claim.DoesNotExist:
            return None


def held_slots(candidates: list[tuple[int, str, str]]) -> set[tuple[int, str, str]]:
    """Which of ``candidates`` (court, date, slot) some active request holds."""
    if not candidates:
        return set()
    keys = [slot_key(*candidate) for candidate in candidates]
    with translate_errors("batch_get", Claim.Meta.table_name):
        found = {claim.claim_id for claim in Claim.batch_get(keys)}
    return {c for c, key in zip(candidates, keys, strict=True) if key[0] in found}


def slot_claims() -> list[Claim]:
    """Every slot claim (for the reconciling sweep), through the byUserDate index."""
    with translate_errors("query", Claim.Meta.table_name):
        return list(Claim.by_marker.query(SLOT))
