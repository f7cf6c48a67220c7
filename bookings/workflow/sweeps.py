"""Verbs of the housekeeping sweeps: claims left behind by a vanished request."""

from __future__ import annotations

import structlog

from .. import claims
from ..dynamo import BookingRequest, Claim
from . import core

log = structlog.get_logger("bookings.workflow")


def release_stale_claim(claim: Claim, *, holder_booked: bool = False) -> bool:
    """Free, or pass to the next in its queue, a slot claim judged stale.

    Only the claim exactly as judged is released (same holder, queue and
    last change): a claim the same request won anew meanwhile, after a
    retry, stays. A holder that booked the court passes nothing on: its
    queue is failed. Returns False when it changed (the next sweep looks again).
    """
    holder = BookingRequest(claim.holder, claim.holder_user, club_id=claim.club_id)
    holder.date, holder.time_slot = claim.date, claim.claim_id.rsplit("#", 1)[-1]
    tx = core.Transaction()
    promoted = claims.release_slot(tx, holder, claim, pass_on=not holder_booked)
    try:
        tx.commit()
    except claims.SlotHeld:
        return False
    log.info("claims.stale_released", claim=claim.claim_id, promoted=promoted)
    if holder_booked:
        for entry in claim.queue:
            core.fail_left_behind(claims.parse_queue_entry(entry))
    if promoted:
        promoted_request = core.store.find(*promoted)
        if promoted_request is not None:
            core.announce(promoted_request, None)
    return True
