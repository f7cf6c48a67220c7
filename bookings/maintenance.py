"""Sweeps run by Celery beat: claims whose request is finished or gone.

Transitions release claims in the same transaction, so a stale claim only
remains after an item was removed by hand, expired by TTL, or written by an
older version. The sweep gives such a slot to the next request in its queue,
or frees it, with the same conditional writes as a transition.
"""

from __future__ import annotations

import structlog

from tennisbook.dynamo import Conflict, NotFound

from . import claims
from .choices import ACTIVE_STATUSES
from .dynamo import BookingRequest
from .repositories import BookingRequestRepository

log = structlog.get_logger(__name__)
requests_repo = BookingRequestRepository()


def _holder_is_active(claim) -> bool:
    try:
        holder = requests_repo.get(claim.holder, claim.holder_user)
    except NotFound:
        return False
    return holder.status in ACTIVE_STATUSES


def release_stale_claims() -> int:
    """Free (or pass on) every slot claim whose holder is no longer active."""
    released = 0
    for claim in claims.slot_claims():
        if _holder_is_active(claim):
            continue
        holder = BookingRequest(claim.holder, claim.holder_user)
        holder.date, holder.time_slot = claim.date, claim.claim_id.rsplit("#", 1)[-1]
        tx = claims.Transaction()
        promoted = claims.release_slot(tx, holder, claim)
        try:
            tx.commit(BookingRequest.Meta.table_name)
        except Conflict:
            continue  # changed meanwhile: the next sweep looks again
        released += 1
        log.info("claims.stale_released", claim=claim.claim_id, promoted=promoted)
    return released
