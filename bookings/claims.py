"""Claims: the atomic guards of booking requests (operations and reads).

Every claim change is an operation added to the same DynamoDB transaction
as the request write it guards, so a request and its claims are always
consistent: two members can never both hold a court/date/slot, a member
never has two active requests for one date and slot, and the active-request
count never exceeds the club's quota, whatever the concurrency. This module
only builds operations and reads; ``bookings.workflow`` commits them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Protocol

from tennisbook.dynamo import Conflict
from tennisbook.dynamo.repository import translate_errors

from .choices import RequestStatus
from .dynamo import BookingRequest, Claim

SLOT, MEMBER_SLOT, QUOTA = "#slot-claim", "#member-claim", "#quota"


def slot_key(club: str, court_id: int, day: str, slot: str) -> tuple[str, str]:
    return f"claim#slot#{club}#{court_id}#{day}#{slot}", SLOT


def member_slot_key(club: str, user_id: str, day: str, slot: str) -> tuple[str, str]:
    return f"claim#member#{club}#{user_id}#{day}#{slot}", MEMBER_SLOT


def quota_key(club: str, user_id: str) -> tuple[str, str]:
    return f"claim#quota#{club}#{user_id}", QUOTA


def queue_entry(request: BookingRequest) -> str:
    """A queued request as stored in a slot claim: both parts of its key."""
    return f"{request.request_id}|{request.user_id}"


def parse_queue_entry(entry: str) -> tuple[str, str]:
    request_id, _, user_id = entry.partition("|")
    return request_id, user_id


class Operations(Protocol):
    """Where claim operations go: the workflow's transaction (``workflow.core``)."""

    def add(self, tag: str, method: str, *args: Any, **kwargs: Any) -> None: ...


class SlotHeld(Conflict):
    """The slot claim exists (or changed): the caller refuses with suggestions, or queues."""


def _now() -> datetime:
    return datetime.now(UTC)


def take(
    tx: Operations,
    request: BookingRequest,
    *,
    max_active: int,
    queue_behind_holder: bool,
    holder: Claim | None = None,
) -> None:
    """Add the operations that claim ``request``'s slot, member slot and quota.

    With ``queue_behind_holder`` the slot claim is not created but appended
    to: the request waits behind ``holder``, the claim as the caller read it
    (the write fails if the holder or its queue changed meanwhile).
    """
    now = _now()
    club, day, slot = request.club_id, request.date, request.time_slot
    claim_id, marker = slot_key(club, request.court_id, day, slot)
    if queue_behind_holder:
        if holder is None:
            raise ValueError("queueing needs the slot claim as read")
        tx.add(
            "slot",
            "update",
            Claim(claim_id, marker),
            actions=[
                Claim.queue.set(Claim.queue.append([queue_entry(request)])),
                Claim.updated_at.set(now),
            ],
            condition=(Claim.holder == holder.holder)
            & (Claim.holder != request.request_id)
            & (Claim.queue == holder.queue),
        )
    else:
        _claim_new(tx, "slot", (claim_id, marker), request, now)
    member_key = member_slot_key(club, request.user_id, day, slot)
    _claim_new(tx, "member-slot", member_key, request, now)
    quota_id, quota_marker = quota_key(club, request.user_id)
    tx.add(
        "quota",
        "update",
        Claim(quota_id, quota_marker),
        actions=[
            Claim.active.add(1),  # ADD starts a missing counter at 0
            Claim.kind.set("quota"),
            Claim.club_id.set(club),
            Claim.holder_user.set(request.user_id),
            Claim.updated_at.set(now),
        ],
        condition=Claim.active.does_not_exist() | (Claim.active < max_active),
    )


def _claim_new(
    tx: Operations, kind: str, key: tuple[str, str], request: BookingRequest, now: datetime
) -> None:
    """Create a claim held by ``request``; fails the transaction if it exists."""
    tx.add(
        kind,
        "save",
        Claim(
            *key,
            kind=kind,
            club_id=request.club_id,
            date=request.date,
            holder=request.request_id,
            holder_user=request.user_id,
            updated_at=now,
        ),
        condition=Claim.claim_id.does_not_exist(),
    )


def release(
    tx: Operations, request: BookingRequest, slot_claim: Claim | None, *, pass_on: bool = True
) -> tuple[str, str] | None:
    """Add the operations that give all of ``request``'s claims back.

    Returns the key of the request that now holds the slot, if one was
    queued behind, so the caller can un-queue it and tell its member.
    Without ``pass_on`` (the holder booked the court) the slot is freed and
    nobody is promoted: the caller fails the queue.
    """
    promoted = release_slot(tx, request, slot_claim, pass_on=pass_on)
    now = _now()
    member_id, member_marker = member_slot_key(
        request.club_id, request.user_id, request.date, request.time_slot
    )
    # Tolerant conditions: a claim already gone (an earlier crash, the
    # reconciling sweep) must never keep a request from finishing.
    tx.add(
        "member-slot",
        "delete",
        Claim(member_id, member_marker),
        condition=Claim.claim_id.does_not_exist() | (Claim.holder == request.request_id),
    )
    quota_id, quota_marker = quota_key(request.club_id, request.user_id)
    tx.add(
        "quota",
        "update",
        Claim(quota_id, quota_marker),
        actions=[Claim.active.add(-1), Claim.updated_at.set(now)],
    )
    return promoted


def release_slot(
    tx: Operations, request: BookingRequest, slot_claim: Claim | None, *, pass_on: bool = True
) -> tuple[str, str] | None:
    """Pass the slot to the first request queued behind ``request`` (un-queueing
    it), or free it; returns the promoted request's key.

    Every operation is conditioned on the claim exactly as read (holder,
    queue and last change): a member queueing meanwhile, or the same request
    claiming the slot anew after a retry, makes the transaction fail with
    ``SlotHeld`` and the caller reads the claim again.
    """
    now = _now()
    if slot_claim is not None and slot_claim.holder == request.request_id:
        unchanged = (
            (Claim.holder == request.request_id)
            & (Claim.queue == slot_claim.queue)
            & (Claim.updated_at == slot_claim.updated_at)
        )
        if not slot_claim.queue or not pass_on:
            tx.add("slot", "delete", slot_claim, condition=unchanged)
            return None
        position = _first_waiting(slot_claim.queue)
        if position is None:
            # Nobody in the queue can still take the slot (finished or gone): free it.
            tx.add("slot", "delete", slot_claim, condition=unchanged)
            return None
        promoted = parse_queue_entry(slot_claim.queue[position])
        tx.add(
            "slot",
            "update",
            slot_claim,
            actions=[
                Claim.holder.set(promoted[0]),
                Claim.holder_user.set(promoted[1]),
                # Entries before it are dead (finished or gone): dropped with it.
                Claim.queue.set(slot_claim.queue[position + 1 :]),
                Claim.updated_at.set(now),
            ],
            condition=unchanged,
        )
        # The promoted request stops waiting in the same transaction.
        tx.add(
            "promoted",
            "update",
            # Key only, version 0: PynamoDB then adds 1 to the stored version
            # instead of setting it back to 1.
            BookingRequest(*promoted, version=0),
            actions=[BookingRequest.queued_behind.remove()],
            condition=(BookingRequest.status == RequestStatus.PENDING.value)
            & BookingRequest.queued_behind.exists(),
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
            condition=(Claim.queue == slot_claim.queue)
            & (Claim.updated_at == slot_claim.updated_at),
        )
    return None


def _first_waiting(queue: list[str]) -> int | None:
    """The position of the first queued request that still waits for the slot.

    (A request remembers the holder it queued behind, which may have passed
    the slot on since: pending and queued is what counts.)
    Read consistently: a request moved on meanwhile fails the transaction's
    condition and the caller reads the queue again.
    """
    keys = [parse_queue_entry(entry) for entry in queue]
    with translate_errors("batch_get", BookingRequest.Meta.table_name):
        found = {
            (item.request_id, item.user_id): item
            for item in BookingRequest.batch_get(keys, consistent_read=True)
        }
    for position, key in enumerate(keys):
        item = found.get(key)
        if item is not None and item.status == RequestStatus.PENDING and item.queued_behind:
            return position
    return None


def get_slot_claim(club: str, court_id: int, day: str, slot: str) -> Claim | None:
    claim_id, marker = slot_key(club, court_id, day, slot)
    with translate_errors("get", Claim.Meta.table_name):
        try:
            return Claim.get(claim_id, marker, consistent_read=True)
        except Claim.DoesNotExist:
            return None


def get_slot_claim_by_key(claim_id: str, marker: str) -> Claim | None:
    """Any claim by its stored key (the club migration's check)."""
    with translate_errors("get", Claim.Meta.table_name):
        try:
            return Claim.get(claim_id, marker, consistent_read=True)
        except Claim.DoesNotExist:
            return None


def held_slots(club: str, candidates: list[tuple[int, str, str]]) -> set[tuple[int, str, str]]:
    """Which of ``candidates`` (court, date, slot) at ``club`` some active request holds."""
    if not candidates:
        return set()
    keys = [slot_key(club, *candidate) for candidate in candidates]
    with translate_errors("batch_get", Claim.Meta.table_name):
        found = {claim.claim_id for claim in Claim.batch_get(keys)}
    return {c for c, key in zip(candidates, keys, strict=True) if key[0] in found}


def slot_claims() -> list[Claim]:
    """Every slot claim (for the reconciling sweep), through the byUserDate index."""
    with translate_errors("query", Claim.Meta.table_name):
        return list(Claim.by_marker.query(SLOT))
