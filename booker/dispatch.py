"""The beat sweep: hand due requests to the workers, grouped by release instant.

Every few seconds, requests whose fire time falls within the lead window
(a GSI query on status and fire time, never a scan) are marked dispatched
with a conditional write and sent to the ``booking`` queue, those sharing a
release instant in one batch. Requests made after their release have a fire
time of "now" and go out at the next sweep. Processing requests whose lease
ran out (a dead worker) are sent again to be resumed.
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
    return pending + stuck


def sweep(send: Callable[[list[list[str]]], None], now: datetime | None = None) -> int:
    """Dispatch what is due through ``send(keys)``; returns the number sent.

    Whatever this sweep marked but did not send (the broker refused a chunk,
    a mark failed half-way) is unmarked before the error goes on, so the
    next sweep sends it instead of waiting out ``REDISPATCH_AFTER``, maybe
    past the release.
    """
    now = now or datetime.now(UTC)
    due = due_requests(now)
    metrics.DUE_REQUESTS.set(len(due))
    batches: dict[datetime, list[list[str]]] = defaultdict(list)
    marked: list[list[str]] = []
    sent: set[str] = set()
    size = settings.BOOKER_BATCH_SIZE
    try:
        for request in due:
            if workflow.mark_dispatched(request, now):
                key = [request.request_id, request.user_id]
                batches[request.fire_at].append(key)
                marked.append(key)
        for fire_at, keys in sorted(batches.items()):
            for start in range(0, len(keys), size):
                chunk = keys[start : start + size]
                send(chunk)
                sent.update(request_id for request_id, _ in chunk)
            log.info("sweep.dispatched", fire_at=fire_at.isoformat(), requests=len(keys))
    finally:
        unsent = [key for key in marked if key[0] not in sent]
        if unsent:
            workflow.unmark_dispatched(unsent, now)
    return len(sent)
