"""Sweeps run by Celery beat: claims whose request is finished or gone.

Transitions release claims in the same transaction, so a stale claim only
remains after an item was removed by hand, expired by TTL, or written by an
older version. The sweep gives such a slot to the next request in its queue,
or frees it, through ``bookings.workflow``.
"""

from __future__ import annotations

from tennisbook.dynamo import NotFound

from . import claims, workflow
from .choices import ACTIVE_STATUSES
from .services import requests_repo


def _holder_is_active(claim) -> bool:
    try:
        holder = requests_repo.get(claim.holder, claim.holder_user)
    except NotFound:
        return False
    return holder.status in ACTIVE_STATUSES


def release_stale_claims() -> int:
    """Free (or pass on) every slot claim whose holder is no longer active."""
    return sum(
        workflow.release_stale_claim(claim)
        for claim in claims.slot_claims()
        if not _holder_is_active(claim)
    )
