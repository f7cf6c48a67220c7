"""Sweeps run by Celery beat: claims whose request is finished or gone.

Transitions release claims in the same transaction, so a stale claim only
remains after an item was removed by hand, expired by TTL, or written by an
older version. The sweep gives such a slot to the next request in its queue,
or frees it, through ``bookings.workflow``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from . import claims, workflow
from .choices import ACTIVE_STATUSES, RequestStatus
from .services import requests_repo


def release_stale_claims() -> int:
    """Free (or pass on) every slot claim whose holder is no longer active."""
    released = 0
    for claim in claims.slot_claims():
        holder = requests_repo.find(claim.holder, claim.holder_user)
        if holder is not None and holder.status in ACTIVE_STATUSES:
            continue
        booked = holder is not None and holder.status == RequestStatus.COMPLETED
        released += workflow.release_stale_claim(claim, holder_booked=booked)
    return released


def fail_requests_left_behind(now: datetime | None = None) -> int:
    """Fail pending requests still queued behind a holder that booked the court.

    The holder's completion fails its queue right after its own write; this
    finds those a crash in between left waiting for a slot that is gone.
    """
    horizon = (now or datetime.now(UTC)) + timedelta(days=400)
    failed = 0
    for request in requests_repo.due(RequestStatus.PENDING, horizon):
        if not request.queued_behind:
            continue
        holder = requests_repo.find_by_id(request.queued_behind)
        if holder is not None and holder.status == RequestStatus.COMPLETED:
            failed += workflow.fail_left_behind((request.request_id, request.user_id))
    return failed
