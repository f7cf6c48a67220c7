"""Verbs of ``manage.py migrate_clubs``: requests and claims written before clubs.

A request without a club gets the default club (one conditional update
each). A claim's key names its club now (``claim#slot#<club>#...``): each
old claim is re-created under its new key and deleted in one transaction,
conditioned on the old one being exactly as read and the new one not
existing, so no slot is ever unguarded or guarded twice. Run while the
workers and beat are stopped (docs/operations.md); safe to run again.
"""

from __future__ import annotations

from collections import Counter

import structlog

from tennisbook.dynamo import Conflict
from tennisbook.dynamo.repository import translate_errors

from .. import claims
from ..dynamo import BookingRequest, Claim
from . import core

log = structlog.get_logger("bookings.workflow")

_KINDS = {
    claims.SLOT: ("claim#slot#", 3),  # court, date, slot
    claims.MEMBER_SLOT: ("claim#member#", 3),  # member, date, slot
    claims.QUOTA: ("claim#quota#", 1),  # member
}


def legacy_requests() -> list[BookingRequest]:
    condition = BookingRequest.club_id.does_not_exist() & BookingRequest.fire_at.exists()
    with translate_errors("scan", BookingRequest.Meta.table_name):
        return list(BookingRequest.scan(condition))


def legacy_claims() -> list[Claim]:
    condition = Claim.club_id.does_not_exist() & Claim.kind.exists()
    with translate_errors("scan", Claim.Meta.table_name):
        return list(Claim.scan(condition))


def new_claim_key(claim: Claim, club: str) -> str | None:
    """The claim's key at ``club``; None when it is not an old claim's key."""
    prefix, parts = _KINDS.get(claim.marker, (None, 0))
    if prefix is None or not claim.claim_id.startswith(prefix):
        return None
    rest = claim.claim_id[len(prefix) :]
    if len(rest.split("#")) != parts:
        return None
    return f"{prefix}{club}#{rest}"


def migrate_requests(club: str, *, dry_run: bool = False) -> Counter:
    counts: Counter = Counter()
    for request in legacy_requests():
        if dry_run:
            counts["moved"] += 1
            continue
        moved = core.update(
            request,
            [BookingRequest.club_id.set(club)],
            # fire_at: never create a bare item for a request deleted meanwhile (TTL).
            BookingRequest.club_id.does_not_exist() & BookingRequest.fire_at.exists(),
            versioned=False,
        )
        counts["moved" if moved else "changed meanwhile"] += 1
    return counts


def migrate_claims(club: str, *, dry_run: bool = False) -> tuple[Counter, list[str]]:
    counts: Counter = Counter()
    notes: list[str] = []
    for claim in legacy_claims():
        key = new_claim_key(claim, club)
        if key is None:
            counts["unknown"] += 1
            notes.append(f"claim {claim.claim_id!r} ({claim.marker}) has an unknown form: left.")
            continue
        if dry_run:
            counts["moved"] += 1
            continue
        copy = Claim(
            key,
            claim.marker,
            kind=claim.kind,
            club_id=club,
            date=claim.date,
            holder=claim.holder,
            holder_user=claim.holder_user,
            queue=list(claim.queue or []),
            active=claim.active,
            updated_at=claim.updated_at,
        )
        existing = claims.get_slot_claim_by_key(key, claim.marker)
        if existing is not None and existing.holder == claim.holder:
            # Moved by an earlier run that stopped before the delete: drop the old.
            tx = core.Transaction()
            tx.add("old-claim", "delete", claim, condition=Claim.updated_at == claim.updated_at)
            try:
                tx.commit()
            except Conflict:
                counts["conflicts"] += 1
                continue
            counts["dropped"] += 1
            continue
        tx = core.Transaction()
        tx.add("claim", "save", copy, condition=Claim.claim_id.does_not_exist())
        tx.add(
            "old-claim",
            "delete",
            claim,
            condition=(Claim.updated_at == claim.updated_at) & Claim.club_id.does_not_exist(),
        )
        try:
            tx.commit()
        except Conflict:
            counts["conflicts"] += 1
            notes.append(
                f"claim {claim.claim_id!r}: changed meanwhile, or {key!r} exists already; "
                "run again once the workers are stopped."
            )
            continue
        counts["moved"] += 1
    log.info("claims.migrated_to_club", club=club, **counts)
    return counts, notes
