"""The beat sweep: hand due requests to the workers, grouped by club and release instant.

Every few seconds, requests whose fire time falls within the lead window
(a GSI query on status and fire time, never a scan) are marked dispatched
with a conditional write and sent to the ``booking`` queue, those of one
club sharing a release instant in one batch. A batch is one task, run by
one booking process, so a club whose portal is slow or down only ever holds
its own batch: another club's batch runs in another process (the booking
worker needs a slot per batch preparing at once; docs/operations.md).
Requests made after their release have a fire time of "now" and go out at
the next sweep. Processing requests whose lease ran out (a dead worker) are
sent again to be resumed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import structlog
from django.conf import settings

from bookings import workflow
from bookings.choices import RequestStatus
from bookings.dynamo import BookingRequest
from bookings.services import requests_repo

from . import metrics

log = structlog.get_logger(__name__)


def _lead() -> timedelta:
    return timedelta(
        seconds=settings.BOOKER_LEAD_TIME_SECONDS + settings.BOOKER_DISPATCH_MARGIN_SECONDS
    )


def due_requests(now: datetime) -> list[BookingRequest]:
    horizon = now + _lead()
    pending = [r for r in requests_repo.due(RequestStatus.PENDING, horizon) if not r.queued_behind]
    stuck = [
        r
        for r in requests_repo.due(RequestStatus.PROCESSING, horizon)
        if workflow.lease_expired(r, now)
    ]
    due = pending + stuck
    unmoved = [r for r in due if r.club_id is None]
    if unmoved:
        # Written before clubs: their club (and so portal and credentials) is
        # known once `migrate_clubs` ran; until then they wait.
        log.error("sweep.requests_without_club", requests=len(unmoved), remedy="migrate_clubs")
    return [r for r in due if r.club_id is not None]


def sweep(send: Callable[[list[list[str]]], None], now: datetime | None = None) -> int:
    """Dispatch what is due through ``send(keys)``; returns the number sent.

    Whatever this sweep marked but did not send (the broker refused a chunk,
    a mark failed half-way) is unmarked before the error goes on, so the
    next sweep sends it instead of waiting out ``REDISPATCH_AFTER``, maybe
    past the release.
    """
    now = now or datetime.now(UTC)
    due = due_requests(now)
    counts: dict[str, int] = defaultdict(int)
    for request in due:
        counts[request.club_id] += 1
    metrics.set_due(counts)
    batches: dict[tuple[datetime, str], list[list[str]]] = defaultdict(list)
    marked: list[list[str]] = []
    sent: set[str] = set()
    size = settings.BOOKER_BATCH_SIZE
    try:
        for request in due:
            if workflow.mark_dispatched(request, now):
                key = [request.request_id, request.user_id]
                batches[(request.fire_at, request.club_id)].append(key)
                marked.append(key)
        # Each club's first batch of an instant goes out before any club's
        # second, so a club with many members never queues another club's
        # only batch behind its own.
        chunks = [
            (fire_at, start, club, keys[start : start + size])
            for (fire_at, club), keys in batches.items()
            for start in range(0, len(keys), size)
        ]
        for fire_at, _, club, chunk in sorted(chunks, key=lambda c: c[:3]):
            send(chunk)
            sent.update(request_id for request_id, _ in chunk)
            log.info(
                "sweep.dispatched", club=club, fire_at=fire_at.isoformat(), requests=len(chunk)
            )
    finally:
        unsent = [key for key in marked if key[0] not in sent]
        if unsent:
            workflow.unmark_dispatched(unsent, now)
    return len(sent)
