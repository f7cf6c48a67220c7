"""Verbs of members and operators: create, cancel, retry, change status.

(A member's edit of a pending request is ``editing.edit``.)

Each validates, writes one guarded transaction with its claims
(``core.transition``/``core.commit_with_claims``) and queues the events
after the write is final.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime

import structlog

from configs import clubs
from configs import services as config_services
from configs.club_migration import require_migrated
from tennisbook.values import TimeSlot

from .. import services
from ..choices import RequestStatus
from ..dynamo import Alternative, BookingRequest
from ..errors import Moot, TransitionRefused
from ..lifecycle import Actor, FailureReason
from ..release import fire_time
from . import core

log = structlog.get_logger("bookings.workflow")


def create(
    user_id: str,
    court_id: object,
    day: object,
    time_slot: object,
    alternatives: Sequence[dict] = (),
    *,
    club: str,
    partners: Sequence[str] = (),
    notes: str = "",
    on_conflict: str | None = None,
    by: str = "member",
    now: datetime | None = None,
    release_at: datetime | None = None,
    request_id: str | None = None,
    series_id: str | None = None,
) -> BookingRequest:
    """Validate and store a pending request at ``club``, claiming its slot atomically.

    ``club`` must be a club that exists and is enabled (``InvalidValue``
    names the field ``club`` otherwise); courts, slots, limits, the conflict
    policy and the release rules are that club's, and the member needs
    portal credentials saved for it.

    ``release_at`` overrides the release instant computed from the club's
    rules, for an operator (or the demo) who knows the portal opens that
    date at another time; never exposed to members.

    Raises ``InvalidValue`` (a bad field), ``DuplicateRequest`` or
    ``QuotaReached`` (the member's own limits), or ``SlotClaimed`` with
    suggestions when another member holds the slot and the club's policy is
    "reject"; under "queue" the request waits behind that member's.
    ``on_conflict`` ("suggest" or "queue") is the member's own choice and
    wins over the club's policy; ``partners`` and ``notes`` are kept with
    the request for the member.

    ``request_id`` is the new request's id (a fresh uuid4 when None): the
    API derives it from the member's ``Idempotency-Key``
    (``bookings.idempotency``), so that a second create with the same id
    loses the request's ``does_not_exist`` condition (``Moot``) or its
    member-slot claim (``DuplicateRequest``) and writes nothing.
    """
    now = now or core.now_utc()
    user_id = str(user_id)
    require_migrated()
    club = clubs.require_enabled(club).id
    court, booking_date, slot_label, checked = services.check_request(
        club, court_id, day, time_slot, alternatives, now=now
    )
    partners, notes, on_conflict = services.check_notes(partners, notes, on_conflict)
    services.check_credentials(user_id, club)
    request = build_request(
        user_id,
        club,
        court["id"],
        booking_date,
        slot_label,
        checked,
        partners=partners,
        notes=notes,
        on_conflict=on_conflict,
        by=by,
        message="created",
        now=now,
        release_at=release_at,
        request_id=request_id,
        series_id=series_id,
    )

    def save_request(tx: core.Transaction, queued_behind: str | None) -> None:
        request.queued_behind = queued_behind
        tx.add("request", "save", request, condition=BookingRequest.request_id.does_not_exist())

    core.commit_with_claims(request, save_request)
    log.info(
        "booking_request.created",
        booking_request_id=request.request_id,
        user_id=user_id,
        club=club,
        court_id=request.court_id,
        date=request.date,
        fire_at=request.fire_at.isoformat(),
        queued_behind=request.queued_behind,
        series_id=series_id,
    )
    core.announce(request, None)
    return request


def build_request(
    user_id: str,
    club: str,
    court_id: int,
    booking_date: date,
    slot_label: str,
    alternatives: list[Alternative],
    *,
    partners: list[str],
    notes: str,
    on_conflict: str | None,
    by: str,
    message: str,
    now: datetime,
    release_at: datetime | None = None,
    request_id: str | None = None,
    series_id: str | None = None,
) -> BookingRequest:
    """A new pending request from checked values, its fire time from the club's rules.

    Not stored: ``create`` (and ``edit``, for a replacement) commit it with its claims.
    Its id is ``request_id`` when given, else a fresh uuid4.
    """
    if release_at is None:
        rules = config_services.get_system_value("release_rules", club=club)
        fire_at = fire_time(rules, court_id, booking_date, TimeSlot.parse(slot_label), now)
    else:
        fire_at = max(release_at, now)
    return BookingRequest(
        request_id or str(uuid.uuid4()),
        user_id,
        club_id=club,
        court_id=court_id,
        date=booking_date.isoformat(),
        time_slot=slot_label,
        alternatives=alternatives,
        partners=partners,
        notes=notes or None,
        on_conflict=on_conflict,
        status=RequestStatus.PENDING.value,
        fire_at=fire_at,
        history=[core.entry(now, by, None, RequestStatus.PENDING, message)],
        series_id=series_id,
        created_at=now,
        updated_at=now,
    )


def create_wish(
    user_id: str, wish: dict, *, club: str, by: str, request_id: str | None = None
) -> BookingRequest:
    """``create`` from the create serializer's validated data (the API's and the page's)."""
    return create(
        user_id,
        wish["court_id"],
        wish["date"],
        wish["time_slot"],
        [{"court_id": a["court_id"], "time_slot": a["time_slot"]} for a in wish["alternatives"]],
        club=club,
        partners=wish["partners"],
        notes=wish["notes"] or "",
        on_conflict=wish["on_conflict"],
        by=by,
        request_id=request_id,
    )


def cancel(
    request: BookingRequest, *, actor: Actor, by: str, message: str = "cancelled"
) -> BookingRequest:
    """Cancel a request that has not started (members) or any active one (operators)."""
    return core.transition(request, RequestStatus.CANCELLED, actor=actor, by=by, message=message)


def retry(request: BookingRequest, *, actor: Actor, by: str) -> BookingRequest:
    """Try a failed or cancelled request again: its claims are won anew."""
    return core.transition(request, RequestStatus.PENDING, actor=actor, by=by, message="retry")


def change_status(
    request: BookingRequest,
    target: str,
    *,
    actor: Actor,
    by: str,
    message: str = "",
    reason: str | None = None,
) -> BookingRequest:
    """Move a request to ``target`` as a member or operator asks (API, admin).

    An operator's failure is recorded with the reason ``operator``.
    """
    if target == RequestStatus.PROCESSING and request.queued_behind:
        raise TransitionRefused(
            "This request waits behind another member's for the same slot; "
            "it can be processed once that one fails or is cancelled."
        )
    if actor == Actor.OPERATOR and target == RequestStatus.FAILED and reason is None:
        reason = FailureReason.OPERATOR
    waits = {}
    if target == RequestStatus.PROCESSING:
        waits = {
            "condition": BookingRequest.queued_behind.does_not_exist(),
            "still_applies": lambda r: not r.queued_behind,
        }
    return core.transition(
        request, target, actor=actor, by=by, message=message, reason=reason, **waits
    )


def reschedule(request: BookingRequest, fire_at: datetime, *, by: str, message: str):
    """Make a pending request fire at ``fire_at`` (an operator knows the portal moved it).

    Guarded by the status and version as read; the dispatch mark is cleared
    so the sweep hands the request over afresh when it is due. ``Moot`` if
    the request is no longer pending or changed meanwhile.
    """
    if request.status != RequestStatus.PENDING:
        raise Moot(f"A {request.status} request is not rescheduled.")
    now = core.now_utc()
    history = core.entry(now, by, request.status, request.status, message)
    moved = core.update(
        request,
        [
            BookingRequest.fire_at.set(fire_at),
            BookingRequest.dispatched_at.remove(),
            BookingRequest.updated_at.set(now),
            BookingRequest.history.set(BookingRequest.history.append([history])),
        ],
        BookingRequest.status == RequestStatus.PENDING.value,
    )
    if not moved:
        raise Moot("The request changed while it was being rescheduled.")
    log.info(
        "booking_request.rescheduled",
        booking_request_id=request.request_id,
        fire_at=fire_at.isoformat(),
        by=by,
    )
    core.announce(request, RequestStatus.PENDING.value)
    return request


def cancel_member_requests(user_id: str, *, by: str, message: str) -> int:
    """Cancel every active request of a member who is gone (account deleted).

    Pending requests are cancelled; processing ones too, which makes their
    worker lose its lease and stop before it submits. Returns how many.
    """
    cancelled = 0
    for request in services.requests_repo.for_user(str(user_id)):
        if request.status not in (RequestStatus.PENDING, RequestStatus.PROCESSING):
            continue
        try:
            cancel(request, actor=Actor.OPERATOR, by=by, message=message)
        except (Moot, TransitionRefused):
            continue  # finished meanwhile
        cancelled += 1
    log.info("booking_request.member_requests_cancelled", user_id=str(user_id), count=cancelled)
    return cancelled
