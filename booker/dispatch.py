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
    """Dispatch what is due through ``send(keys)``; returns the number sent."""
    now = now or datetime.now(UTC)
    due = due_requests(now)
    metrics.DUE_REQUESTS.set(len(due))
    batches: dict[datetime, list[list[str]]] = defaultdict(list)
    for request in due:
        if workflow.mark_dispatched(request, now):
            batches[request.fire_at].append([request.request_id, request.user_id])
    sent = 0
    size = settings.BOOKER_BATCH_SIZE
    for fire_at, keys in sorted(batches.items()):
        for start in range(0, len(keys), size):
            chunk = keys[start : start + size]
            try:
                send(chunk)
            except Exception:
                # Not sent (Redis down?): unmark, so the next sweep tries again
                # instead of waiting out REDISPATCH_AFTER, maybe past the release.
                workflow.unmark_dispatched(chunk, now)
                raise
            sent += len(chunk)
        log.info("sweep.dispatched", fire_at=fire_at.isoformat(), requests=len(keys))
    return sent
