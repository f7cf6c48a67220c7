"""Worker leases: one worker per request, and nothing lost when one dies.

A worker takes a pending request for processing with a conditional write
that records it as the lease owner until an expiry; it renews the lease
while it works and finishes the request only while it still holds it. If
the worker dies, the lease runs out and another worker takes the request
over (the booking engine then checks the member's reservation list before
submitting again, so a member is never booked twice).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import structlog

from tennisbook.dynamo import Conflict

from . import events, services
from .choices import RequestStatus
from .dynamo import BookingRequest, HistoryEntry
from .lifecycle import Actor

log = structlog.get_logger(__name__)


def _now() -> datetime:
    return datetime.now(UTC)


def holds(owner: str) -> Any:
    """The condition that ``owner`` still holds the lease."""
    return BookingRequest.lease_owner == owner


def acquire(request: BookingRequest, owner: str, lease: timedelta) -> BookingRequest | None:
    """Take ``request`` for processing; None when another worker has it.

    A pending request moves to processing; a processing one whose lease has
    expired is resumed (its history says so). Anything else is left alone.
    """
    now = _now()
    lease_actions = [
        BookingRequest.lease_owner.set(owner),
        BookingRequest.lease_expires_at.set(now + lease),
        BookingRequest.attempts.add(1),
    ]
    try:
        if request.status == RequestStatus.PENDING and not request.queued_behind:
            return services.transition(
                request,
                RequestStatus.PROCESSING,
                actor=Actor.ENGINE,
                by=owner,
                message="taken by a booking worker",
                now=now,
                extra_actions=lease_actions,
                extra_condition=BookingRequest.queued_behind.does_not_exist(),
            )
        if request.status == RequestStatus.PROCESSING and _expired(request, now):
            return _resume(request, owner, now, lease_actions)
    except (services.TransitionRefused, Conflict):
        log.info("lease.lost_race", booking_request_id=request.request_id, owner=owner)
    return None


def _expired(request: BookingRequest, now: datetime) -> bool:
    return request.lease_expires_at is None or request.lease_expires_at <= now


def _resume(request, owner: str, now: datetime, lease_actions: list) -> BookingRequest:
    previous = request.lease_owner or "nobody"
    entry = HistoryEntry(
        at=now,
        actor=owner,
        from_status=RequestStatus.PROCESSING.value,
        to_status=RequestStatus.PROCESSING.value,
        message=f"resumed after the lease of {previous} expired",
    )
    condition = (BookingRequest.status == RequestStatus.PROCESSING.value) & (
        BookingRequest.lease_expires_at.does_not_exist() | (BookingRequest.lease_expires_at <= now)
    )
    services.requests_repo.update(
        request,
        [*lease_actions, BookingRequest.history.set(BookingRequest.history.append([entry]))],
        condition=condition,
    )
    log.warning(
        "lease.resumed", booking_request_id=request.request_id, owner=owner, previous=previous
    )
    events.publish(request, previous=RequestStatus.PROCESSING.value)
    return request


def renew(request: BookingRequest, owner: str, lease: timedelta) -> bool:
    """Extend the lease; False when it was lost (expired and taken over)."""
    try:
        services.requests_repo.update(
            request,
            [BookingRequest.lease_expires_at.set(_now() + lease)],
            condition=holds(owner) & (BookingRequest.status == RequestStatus.PROCESSING.value),
            # Holding the lease is what counts: an unrelated write (the sweep's
            # dispatch mark) must not make the worker give up.
            add_version_condition=False,
        )
    except Conflict:
        log.warning("lease.lost", booking_request_id=request.request_id, owner=owner)
        return False
    return True


def finish(
    request: BookingRequest,
    owner: str,
    target: str,
    *,
    message: str,
    reason: str | None,
    result: dict,
) -> BookingRequest:
    """Complete or fail the request, only while ``owner`` holds the lease."""
    return services.transition(
        request,
        target,
        actor=Actor.ENGINE,
        by=owner,
        message=message,
        reason=reason,
        result=result,
        extra_condition=holds(owner),
    )


def give_back(request: BookingRequest, owner: str, message: str) -> BookingRequest:
    """Return the request to pending (e.g. the worker shuts down before release)."""
    return services.transition(
        request,
        RequestStatus.PENDING,
        actor=Actor.ENGINE,
        by=owner,
        message=message,
        extra_actions=[
            BookingRequest.lease_owner.remove(),
            BookingRequest.lease_expires_at.remove(),
        ],
        extra_condition=holds(owner),
    )
