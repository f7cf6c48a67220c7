"""A member edits a pending request: in place, or replaced by a new one in one transaction.

Claims guard a request's first choice only (court, date, slot: its slot
claim and member-slot claim) and count it once in the member's quota.
What holds no claim (alternatives, partners, notes, the conflict choice)
changes in place. A new first choice needs other claims, so the request is
replaced: one transaction cancels it, gives its slot back (to the next
member queued behind it, if any), saves the new request and claims its
slot. The member's unit of quota passes from one to the other (and the
member-slot claim too when date and slot stay the same), so the counter is
neither touched nor checked. Either all of it is written or nothing is:
the member never loses the request they had while asking for another.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import structlog

from configs import clubs
from configs import services as config_services
from configs.club_migration import require_migrated
from tennisbook.dynamo import Unavailable
from tennisbook.values import InvalidValue

from .. import claims, services
from ..choices import RequestStatus
from ..dynamo import BookingRequest, Claim
from ..errors import Contended, Moot, SlotClaimed, TransitionRefused
from . import core
from .member import build_request

log = structlog.get_logger("bookings.workflow")

PENDING = RequestStatus.PENDING
NOT_PENDING = (
    "This request is no longer waiting for its release: it started, finished or was "
    "cancelled (perhaps in another tab), so it cannot be edited."
)
CHANGED = (
    "This request changed since you opened it (perhaps in another tab), so nothing was "
    "saved. Look at it as it is now and make your change again."
)
# History messages that name the other request (the request page links them).
REPLACED_BY = "edited: replaced by "
REPLACES = "edited: replaces "


def edit(
    request: BookingRequest, wish: dict, *, by: str, now: datetime | None = None
) -> BookingRequest:
    """Change a pending request to ``wish`` (the create serializer's validated data).

    ``request`` is the request as the member last read it: the write is
    guarded by its status (still pending) and its version, so a request
    that started, was cancelled or changed meanwhile is never overwritten.
    A change of alternatives, partners, notes or conflict choice is one
    guarded update with a history entry; a new court, date or slot replaces
    the request (see the module docstring) and its history and the new
    one's say so. Returns the request as stored: the same one (unchanged
    when nothing differs), or its replacement.

    Raises ``TransitionRefused`` when the request is no longer pending,
    ``Moot`` when it changed since it was read, ``InvalidValue`` naming a bad
    field (the club cannot change), and for a new first choice what
    ``create`` raises (``SlotClaimed`` with suggestions when another member
    holds the slot and the conflict choice is to be told, ``DuplicateRequest``
    when the member already asked for that date and slot). Nothing is
    written then.
    """
    now = now or core.now_utc()
    require_migrated()
    if request.status != PENDING:
        raise TransitionRefused(NOT_PENDING)
    club = request.club_id
    if wish.get("club") not in (None, "", club):
        raise InvalidValue("club", f"a request stays at its club ({club}); book another court.")
    court, day, slot, alternatives = services.check_request(
        club,
        wish["court_id"],
        wish["date"],
        wish["time_slot"],
        [{"court_id": a["court_id"], "time_slot": a["time_slot"]} for a in wish["alternatives"]],
        now=now,
    )
    partners, notes, on_conflict = services.check_notes(
        wish["partners"], wish["notes"] or "", wish["on_conflict"]
    )
    if (court["id"], day.isoformat(), slot) == (request.court_id, request.date, request.time_slot):
        return _in_place(request, alternatives, partners, notes, on_conflict, by=by, now=now)
    clubs.require_enabled(club)
    services.check_credentials(request.user_id, club)
    replacement = build_request(
        request.user_id,
        club,
        court["id"],
        day,
        slot,
        alternatives,
        partners=partners,
        notes=notes,
        on_conflict=on_conflict,
        by=by,
        message=REPLACES + request.request_id,
        now=now,
        series_id=request.series_id,  # still that date of the series
    )
    return _replace(request, replacement, by=by, now=now)


# --- in place -----------------------------------------------------------------------


def _in_place(request, alternatives, partners, notes, on_conflict, *, by, now):
    changed = []
    actions: list[Any] = []
    if [(a.court_id, a.time_slot) for a in alternatives] != [
        (a.court_id, a.time_slot) for a in request.alternatives
    ]:
        changed.append("alternatives")
        actions.append(BookingRequest.alternatives.set(alternatives))
    if list(partners) != list(request.partners or []):
        changed.append("partners")
        actions.append(BookingRequest.partners.set(list(partners)))
    if (notes or None) != (request.notes or None):
        changed.append("notes")
        actions.append(BookingRequest.notes.set(notes) if notes else BookingRequest.notes.remove())
    if on_conflict != request.on_conflict:
        changed.append("conflict choice")
        actions.append(
            BookingRequest.on_conflict.set(on_conflict)
            if on_conflict
            else BookingRequest.on_conflict.remove()
        )
    if not changed:
        return request
    history = core.entry(now, by, PENDING, PENDING, "edited: " + ", ".join(changed))
    actions += [
        BookingRequest.updated_at.set(now),
        BookingRequest.history.set(BookingRequest.history.append([history])),
    ]
    if not core.update(request, actions, BookingRequest.status == PENDING.value):
        raise _refusal(request)
    log.info(
        "booking_request.edited",
        booking_request_id=request.request_id,
        user_id=request.user_id,
        changed=changed,
        by=by,
    )
    core.announce(request, PENDING.value)
    return request


# --- replaced -----------------------------------------------------------------------


class _Without:
    """A transaction that leaves out the claim operations of some kinds.

    ``claims.take`` claims a slot, a member slot and a unit of quota; a
    replacement inherits the quota (and sometimes the member slot) from the
    request it replaces, and one transaction may not touch an item twice.
    """

    def __init__(self, tx: core.Transaction, kinds: set[str]):
        self.tx, self.kinds = tx, frozenset(kinds)

    def add(self, tag: str, method: str, *args: Any, **kwargs: Any) -> None:
        if tag not in self.kinds:
            self.tx.add(tag, method, *args, **kwargs)


def _replace(old: BookingRequest, new: BookingRequest, *, by: str, now: datetime):
    """Cancel ``old`` and store ``new`` with its claims in one transaction, as ``create`` would.

    The same races as ``core.commit_with_claims``: a slot claim that changed
    between read and commit (old or new) is read again; a new slot another
    member holds refuses (``SlotClaimed``) or queues, as the member chose.
    """
    club = old.club_id
    for _ in range(core.ATTEMPTS):
        old_claim = claims.get_slot_claim(club, old.court_id, old.date, old.time_slot)
        try:
            promoted = _commit_replacement(old, new, old_claim, None, by=by, now=now)
            break
        except claims.SlotHeld:
            holder = claims.get_slot_claim(club, new.court_id, new.date, new.time_slot)
        except core.GuardLost:
            raise _refusal(old) from None
        if holder is None:
            continue  # the old slot's claim changed, or the new one was freed: look again
        if core.conflict_policy(new) != "queue":
            raise SlotClaimed(
                f"Another member already has a request for court {new.court_id} on "
                f"{new.date}, {new.time_slot}.",
                services.suggestions(club, new.court_id, new.date, new.time_slot),
            )
        try:
            promoted = _commit_replacement(old, new, old_claim, holder, by=by, now=now)
            break
        except claims.SlotHeld:
            continue  # the holder or a queue changed meanwhile: look again
        except core.GuardLost:
            raise _refusal(old) from None
    else:
        raise Contended("The slots changed hands repeatedly; try again in a moment.")
    log.info(
        "booking_request.replaced",
        booking_request_id=old.request_id,
        replacement_id=new.request_id,
        user_id=old.user_id,
        club=club,
        court_id=new.court_id,
        date=new.date,
        queued_behind=new.queued_behind,
        by=by,
    )
    core.announce(_stored(old, RequestStatus.CANCELLED), PENDING.value)
    core.announce(new, None)
    if promoted:
        waiting = core.store.find(*promoted)
        if waiting is not None:
            core.announce(waiting, None)
    return _stored(new, PENDING)


def _commit_replacement(
    old: BookingRequest,
    new: BookingRequest,
    old_claim: Claim | None,
    holder: Claim | None,
    *,
    by: str,
    now: datetime,
) -> tuple[str, str] | None:
    """One try: the whole replacement, or ``SlotHeld``/``GuardLost``/a refusal and nothing.

    With ``holder`` (the new slot's claim as read) the new request queues
    behind it. Returns the key of a request promoted to the old slot.
    """
    retention = config_services.get_system_value("retention", club=old.club_id)
    max_active = config_services.get_system_value("limits", club=old.club_id)
    tx = core.Transaction()
    new.queued_behind = holder.holder if holder is not None else None
    tx.add("request", "save", new, condition=BookingRequest.request_id.does_not_exist())
    cancelled = core.entry(now, by, PENDING, RequestStatus.CANCELLED, REPLACED_BY + new.request_id)
    tx.add(
        "request",
        "update",
        old,  # its version as read: PynamoDB adds the version condition
        actions=[
            BookingRequest.status.set(RequestStatus.CANCELLED.value),
            BookingRequest.updated_at.set(now),
            BookingRequest.history.set(BookingRequest.history.append([cancelled])),
            BookingRequest.ttl.set(now + timedelta(days=retention["finished_ttl_days"])),
            BookingRequest.lease_owner.remove(),
            BookingRequest.lease_expires_at.remove(),
        ],
        condition=BookingRequest.status == PENDING.value,
    )
    promoted = claims.release_slot(tx, old, old_claim)
    same_member_slot = (old.date, old.time_slot) == (new.date, new.time_slot)
    member_claim = Claim(*claims.member_slot_key(old.club_id, old.user_id, old.date, old.time_slot))
    held_by_old = Claim.claim_id.does_not_exist() | (Claim.holder == old.request_id)
    if same_member_slot:
        tx.add(
            "member-slot",
            "update",
            member_claim,
            actions=[
                Claim.kind.set("member-slot"),
                Claim.club_id.set(new.club_id),
                Claim.date.set(new.date),
                Claim.holder.set(new.request_id),
                Claim.holder_user.set(new.user_id),
                Claim.updated_at.set(now),
            ],
            condition=held_by_old,
        )
    else:
        tx.add("member-slot", "delete", member_claim, condition=held_by_old)
    inherited = {"quota", "member-slot"} if same_member_slot else {"quota"}
    claims.take(
        _Without(tx, inherited),
        new,
        max_active=max_active["max_active_requests"],
        queue_behind_holder=holder is not None,
        holder=holder,
    )
    tx.commit()
    return promoted


def _refusal(request: BookingRequest) -> Moot:
    """Why a guarded edit lost: the request moved on, or it changed since it was read."""
    current = core.reload(request)
    if current.status != PENDING:
        return TransitionRefused(NOT_PENDING)
    return Moot(CHANGED)


def _stored(request: BookingRequest, status: str) -> BookingRequest:
    """The request as stored after a final write; the caller's copy if the read fails."""
    try:
        return core.reload(request)
    except Unavailable:
        request.status = str(status)
        return request
