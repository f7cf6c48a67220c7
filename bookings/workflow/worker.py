"""Verbs of the workers and the beat sweep: dispatch, lease, result, give back.

A worker takes a pending request with a conditional lease (one worker per
request), renews it while it works, and finishes the request only while it
still holds it. If the worker dies the lease runs out and another worker
resumes the request (the engine checks the member's reservation list before
submitting again, so a member is never booked twice).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import structlog

from ..choices import RequestStatus
from ..dynamo import BookingRequest
from ..errors import Moot
from ..lifecycle import Actor
from . import core

log = structlog.get_logger("bookings.workflow")

# A dispatched request not taken by a worker within this time is sent again.
REDISPATCH_AFTER = timedelta(seconds=60)


def holds(owner: str) -> Any:
    """The condition that ``owner`` still holds the lease."""
    return BookingRequest.lease_owner == owner


def lease_expired(request: BookingRequest, now: datetime) -> bool:
    return request.lease_expires_at is None or request.lease_expires_at <= now


# --- the sweep ---------------------------------------------------------------------


def mark_dispatched(request: BookingRequest, now: datetime) -> bool:
    """One sweep wins the right to send a request; False if another did lately.

    A pending request is sent again only if no worker took it within
    ``REDISPATCH_AFTER``; a processing one whose lease lapsed once per lapse
    (and again after ``REDISPATCH_AFTER`` if no worker took it).
    """
    if request.status == RequestStatus.PROCESSING:
        fresh = BookingRequest.lease_expires_at.does_not_exist() | (
            BookingRequest.lease_expires_at <= now
        )
        not_sent_for_this_lapse = (
            BookingRequest.dispatched_at.does_not_exist()
            | (BookingRequest.dispatched_at <= BookingRequest.lease_expires_at)
            | (BookingRequest.dispatched_at <= now - REDISPATCH_AFTER)
        )
        condition = fresh & not_sent_for_this_lapse
    else:
        condition = BookingRequest.dispatched_at.does_not_exist() | (
            BookingRequest.dispatched_at <= now - REDISPATCH_AFTER
        )
    return core.update(
        request,
        [BookingRequest.dispatched_at.set(now)],
        (BookingRequest.status == request.status) & condition,
        versioned=False,
    )


def unmark_dispatched(keys: Iterable[tuple[str, str]], marked_at: datetime) -> None:
    """Undo this sweep's marks for requests it could not send (Redis down?)."""
    for request_id, user_id in keys:
        # Lost guard: changed meanwhile (a worker took it), nothing to undo.
        core.update(
            core.key_only(request_id, user_id),
            [BookingRequest.dispatched_at.remove()],
            BookingRequest.dispatched_at == marked_at,
            versioned=False,
        )


# --- leases ------------------------------------------------------------------------


def take(request: BookingRequest, owner: str, lease: timedelta) -> BookingRequest | None:
    """Take ``request`` for processing; None when another worker has it.

    A pending request that waits behind no one moves to processing; a
    processing one whose lease has expired is resumed (its history says so).
    Anything else is left alone.
    """
    now = core.now_utc()
    lease_actions = [
        BookingRequest.lease_owner.set(owner),
        BookingRequest.lease_expires_at.set(now + lease),
        BookingRequest.attempts.add(1),
    ]
    try:
        if request.status == RequestStatus.PENDING and not request.queued_behind:
            taken = core.transition(
                request,
                RequestStatus.PROCESSING,
                actor=Actor.ENGINE,
                by=owner,
                message="taken by a booking worker",
                now=now,
                actions=lease_actions,
                condition=BookingRequest.queued_behind.does_not_exist(),
                still_applies=lambda r: not r.queued_behind,
            )
            # True once the write is final, even if the read after it failed.
            taken.lease_owner, taken.lease_expires_at = owner, now + lease
            return taken
        if (
            request.status == RequestStatus.PROCESSING
            and lease_expired(request, now)
            and not request.queued_behind
        ):
            return _resume(request, owner, now, lease_actions)
    except Moot:
        log.info("lease.lost_race", booking_request_id=request.request_id, owner=owner)
    return None


def _resume(request: BookingRequest, owner: str, now: datetime, lease_actions: list):
    previous = request.lease_owner or "nobody"
    history = core.entry(
        now,
        owner,
        RequestStatus.PROCESSING,
        RequestStatus.PROCESSING,
        f"resumed after the lease of {previous} expired",
    )
    condition = (
        (BookingRequest.status == RequestStatus.PROCESSING.value)
        & (
            BookingRequest.lease_expires_at.does_not_exist()
            | (BookingRequest.lease_expires_at <= now)
        )
        # A request waiting behind another member's never runs.
        & BookingRequest.queued_behind.does_not_exist()
    )
    actions = [*lease_actions, BookingRequest.history.set(BookingRequest.history.append([history]))]
    if not core.update(request, actions, condition, versioned=False):
        return None
    log.warning(
        "lease.resumed", booking_request_id=request.request_id, owner=owner, previous=previous
    )
    core.announce(request, RequestStatus.PROCESSING.value)
    return request


def renew(request: BookingRequest, owner: str, lease: timedelta) -> datetime | None:
    """Extend the lease; returns its new expiry, or None when it was lost.

    Holding the lease is what counts: an unrelated write (the sweep's
    dispatch mark) must not make the worker give up, so only the owner and
    the status guard the write.
    """
    expires = core.now_utc() + lease
    renewed = core.update(
        request,
        [BookingRequest.lease_expires_at.set(expires)],
        holds(owner) & (BookingRequest.status == RequestStatus.PROCESSING.value),
        versioned=False,
    )
    if not renewed:
        log.warning("lease.lost", booking_request_id=request.request_id, owner=owner)
        return None
    return expires


def record_result(
    request_id: str,
    user_id: str,
    owner: str,
    target: str,
    *,
    message: str,
    reason: str | None,
    result: dict,
) -> BookingRequest:
    """Complete or fail the request with the engine's result, while ``owner`` holds it.

    Raises ``Moot`` when the result no longer applies (the request finished
    or was taken over by another worker, which records its own), an
    ``Unavailable`` (``Contended`` among them) when it should be tried
    again later, ``Quarantine`` when DynamoDB refuses it for good.
    """
    request = core.store.find(request_id, user_id)
    if request is None or request.status != RequestStatus.PROCESSING:
        raise Moot("The request is no longer being processed.")
    return core.transition(
        request,
        target,
        actor=Actor.ENGINE,
        by=owner,
        message=message,
        reason=reason,
        result=result,
        condition=holds(owner),
        still_applies=lambda r: r.lease_owner == owner,
    )


def refuse(request: BookingRequest, *, by: str, reason: str, message: str) -> BookingRequest:
    """Fail a request no worker holds that must never fire (its member is gone)."""
    now = core.now_utc()
    return core.transition(
        request,
        RequestStatus.FAILED,
        actor=Actor.ENGINE,
        by=by,
        message=message,
        reason=reason,
        still_applies=lambda r: not r.lease_owner or lease_expired(r, now),
        now=now,
    )


def give_back(request: BookingRequest, owner: str, message: str) -> BookingRequest:
    """Return the request to pending (e.g. the worker shuts down before release)."""
    return core.transition(
        request,
        RequestStatus.PENDING,
        actor=Actor.ENGINE,
        by=owner,
        message=message,
        actions=[BookingRequest.lease_owner.remove(), BookingRequest.lease_expires_at.remove()],
        condition=holds(owner),
        still_applies=lambda r: r.lease_owner == owner,
    )
