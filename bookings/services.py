"""Booking requests: create, read, change status.

Every write is one DynamoDB transaction holding the request and its claims
(``bookings.claims``), conditioned on the status it expects, so concurrent
members, workers and operators can never leave a slot claimed twice or a
request in a state nobody chose. Events go out only after the write is
final (``bookings.events``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import structlog

from configs import services as config_services
from tennisbook.dynamo import NotFound
from tennisbook.values import InvalidValue, TimeSlot, parse_date

from . import claims, events
from .choices import RequestStatus
from .dynamo import Alternative, BookingRequest, HistoryEntry
from .errors import DuplicateRequest, QuotaReached, SlotClaimed, TransitionRefused
from .lifecycle import Actor, is_allowed, releases_claims, takes_claims, targets_for
from .release import club_today, fire_time
from .repositories import BookingRequestRepository

log = structlog.get_logger(__name__)

requests_repo = BookingRequestRepository()


# --- validation --------------------------------------------------------------------


def check_request(
    court_id: object,
    day: object,
    time_slot: object,
    alternatives: Sequence[dict] = (),
    *,
    now: datetime | None = None,
) -> tuple[dict, date, str, list[Alternative]]:
    """Validate a wish against the club's courts, slots, horizon and limits.

    Returns the court, the date, the slot label and the alternatives; raises
    ``InvalidValue`` naming the first bad field.
    """
    now = now or datetime.now(UTC)
    court = config_services.get_court(court_id)
    slot = config_services.check_slot_for_court(court, time_slot)
    booking_date = _check_date(day, now)
    limits = config_services.get_system_value("limits")
    if not isinstance(alternatives, list | tuple):
        raise InvalidValue("alternatives", "expected a list of {court_id, time_slot}.")
    if len(alternatives) > limits["max_alternatives"]:
        raise InvalidValue("alternatives", f"at most {limits['max_alternatives']} alternatives.")
    seen = {(court["id"], slot.label)}
    checked = []
    for i, alt in enumerate(alternatives):
        if not isinstance(alt, dict):
            raise InvalidValue(f"alternatives[{i}]", "expected {court_id, time_slot}.")
        alt_court = config_services.get_court(alt.get("court_id"), f"alternatives[{i}].court_id")
        alt_slot = config_services.check_slot_for_court(
            alt_court, alt.get("time_slot"), f"alternatives[{i}].time_slot"
        )
        if (alt_court["id"], alt_slot.label) in seen:
            raise InvalidValue(f"alternatives[{i}]", "repeats the first choice or another one.")
        seen.add((alt_court["id"], alt_slot.label))
        checked.append(Alternative(court_id=alt_court["id"], time_slot=alt_slot.label))
    return court, booking_date, slot.label, checked


def _check_date(day: object, now: datetime) -> date:
    booking_date = parse_date(day, "date")
    rules = config_services.get_system_value("release_rules")
    limits = config_services.get_system_value("limits")
    today = club_today(rules["time_zone"], now)
    if booking_date < today:
        raise InvalidValue("date", f"{booking_date} is in the past (club date today: {today}).")
    if (booking_date - today).days > limits["horizon_days"]:
        raise InvalidValue(
            "date", f"{booking_date} is beyond the {limits['horizon_days']}-day booking horizon."
        )
    return booking_date


def _check_credentials(user_id: str) -> None:
    config = config_services.find_user_config(user_id)
    if config is None or not config.portal_username or not config.has_portal_password:
        raise InvalidValue(
            "portal_credentials",
            "save your club portal username and password first (your configuration page).",
        )


# --- create ----------------------------------------------------------------------


def create_request(
    user_id: str,
    court_id: object,
    day: object,
    time_slot: object,
    alternatives: Sequence[dict] = (),
    *,
    by: str = "member",
    now: datetime | None = None,
    release_at: datetime | None = None,
) -> BookingRequest:
    """Validate and store a pending request, claiming its slot atomically.

    ``release_at`` overrides the release instant computed from the club's
    rules, for an operator (or the demo) who knows the portal opens that
    date at another time; never exposed to members.

    Raises ``InvalidValue`` (a bad field), ``DuplicateRequest`` or
    ``QuotaReached`` (the member's own limits), or ``SlotClaimed`` with
    suggestions when another member holds the slot and the club's policy is
    "reject"; under "queue" the request waits behind that member's.
    """
    now = now or datetime.now(UTC)
    user_id = str(user_id)
    court, booking_date, slot_label, checked = check_request(
        court_id, day, time_slot, alternatives, now=now
    )
    _check_credentials(user_id)
    rules = config_services.get_system_value("release_rules")
    request = BookingRequest(
        str(uuid.uuid4()),
        user_id,
        court_id=court["id"],
        date=booking_date.isoformat(),
        time_slot=slot_label,
        alternatives=checked,
        status=RequestStatus.PENDING.value,
        fire_at=max(release_at, now)
        if release_at is not None
        else fire_time(rules, court["id"], booking_date, TimeSlot.parse(slot_label), now),
        history=[_entry(now, by, None, RequestStatus.PENDING, "created")],
        created_at=now,
        updated_at=now,
    )

    def save_request(tx: claims.Transaction, queued_behind: str | None) -> None:
        request.queued_behind = queued_behind
        tx.add("request", "save", request, condition=BookingRequest.request_id.does_not_exist())

    _commit_with_claims(request, save_request)
    log.info(
        "booking_request.created",
        booking_request_id=request.request_id,
        user_id=user_id,
        court_id=request.court_id,
        date=request.date,
        fire_at=request.fire_at.isoformat(),
        queued_behind=request.queued_behind,
    )
    events.publish(request, previous=None)
    return request


def _commit_with_claims(request: BookingRequest, add_request_op, attempts: int = 3) -> None:
    """Commit the request write with its claims; queue or refuse if the slot is held.

    ``add_request_op(tx, queued_behind)`` adds the request's own write, told
    whose request it waits behind (None when it holds the slot itself).
    """
    max_active = config_services.get_system_value("limits")["max_active_requests"]
    for _ in range(attempts):
        tx = claims.Transaction()
        add_request_op(tx, None)
        claims.take(tx, request, max_active=max_active, queue_behind_holder=False)
        try:
            tx.commit(BookingRequest.Meta.table_name)
            return
        except claims.SlotHeld:
            holder = claims.get_slot_claim(request.court_id, request.date, request.time_slot)
        if holder is None:
            continue  # released in between: try again to become the holder
        if config_services.get_system_value("conflict_policy") != "queue":
            raise SlotClaimed(
                f"Another member already has a request for court {request.court_id} on "
                f"{request.date}, {request.time_slot}.",
                suggestions(request.court_id, request.date, request.time_slot),
            )
        tx = claims.Transaction()
        add_request_op(tx, holder.holder)
        claims.take(tx, request, max_active=max_active, queue_behind_holder=True)
        try:
            tx.commit(BookingRequest.Meta.table_name)
            return
        except claims.SlotHeld:
            continue  # the holder finished meanwhile: the slot may be free now
    raise TransitionRefused("The slot changed hands repeatedly; try again.")


def suggestions(court_id: int, day: str, slot_label: str, limit: int = 5) -> list[dict]:
    """Free alternatives: the same slot on other courts, then adjacent slots here."""
    courts = config_services.get_courts()
    candidates = [
        (c["id"], day, slot_label)
        for c in courts
        if c["id"] != court_id and slot_label in c["slots"]
    ]
    own = next((c for c in courts if c["id"] == court_id), None)
    if own is not None and slot_label in own["slots"]:
        index = own["slots"].index(slot_label)
        for neighbour in (index - 1, index + 1, index - 2, index + 2):
            if 0 <= neighbour < len(own["slots"]):
                candidates.append((court_id, day, own["slots"][neighbour]))
    held = claims.held_slots(candidates)
    free = [c for c in candidates if c not in held][:limit]
    return [{"court_id": c, "date": d, "time_slot": s} for c, d, s in free]


# --- read ---------------------------------------------------------------------------


def get_request(user_id: str, request_id: str) -> BookingRequest:
    """The member's request; ``NotFound`` for anyone else's (no existence leak)."""
    try:
        uuid.UUID(str(request_id))
    except ValueError:
        raise NotFound("no such request") from None
    return requests_repo.get(str(request_id), str(user_id))


def list_requests(
    user_id: str,
    *,
    status: str | None = None,
    court_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    newest_first: bool = False,
) -> list[BookingRequest]:
    """A member's requests by booking date, optionally filtered."""
    items = requests_repo.for_user(
        str(user_id), date_from=date_from, date_to=date_to, newest_first=newest_first
    )
    return [
        r
        for r in items
        if (status is None or r.status == status) and (court_id is None or r.court_id == court_id)
    ]


def allowed_targets(request: BookingRequest, actor: Actor) -> list[str]:
    return targets_for(request.status, actor)


# --- status changes -------------------------------------------------------------------


def transition(
    request: BookingRequest,
    target: str,
    *,
    actor: Actor,
    by: str,
    message: str = "",
    reason: str | None = None,
    result: dict[str, Any] | None = None,
    now: datetime | None = None,
    extra_actions: Sequence[Any] = (),
    extra_condition: Any = None,
) -> BookingRequest:
    """Move ``request`` to ``target`` if ``actor`` may, atomically with its claims.

    The write is conditioned on the status the caller saw (and on
    ``extra_condition``, e.g. the worker still holding its lease): if someone
    else changed the request first, ``TransitionRefused`` says so and nothing
    is written. Returns the request as stored.
    """
    now = now or datetime.now(UTC)
    current = request.status
    if not is_allowed(current, target, actor):
        allowed = ", ".join(targets_for(current, actor)) or "none"
        raise TransitionRefused(
            f"A {current} request cannot become {target} by the {actor}; allowed: {allowed}."
        )
    actions = [
        BookingRequest.status.set(target),
        BookingRequest.updated_at.set(now),
        BookingRequest.history.set(
            BookingRequest.history.append([_entry(now, by, current, target, message)])
        ),
    ]
    if reason is not None:
        actions.append(BookingRequest.reason.set(reason))
    if result is not None:
        actions.append(BookingRequest.result.set(result))
    actions += list(extra_actions)
    condition = BookingRequest.status == current
    if extra_condition is not None:
        condition &= extra_condition
    tx = claims.Transaction()
    promoted = None
    if releases_claims(target):
        retention = config_services.get_system_value("retention")["finished_ttl_days"]
        actions += [
            BookingRequest.ttl.set(now + timedelta(days=retention)),
            BookingRequest.lease_owner.remove(),
            BookingRequest.lease_expires_at.remove(),
        ]
        tx.add("request", "update", request, actions=actions, condition=condition)
        slot_claim = claims.get_slot_claim(request.court_id, request.date, request.time_slot)
        promoted = claims.release(tx, request, slot_claim)
        tx.commit(BookingRequest.Meta.table_name)
    elif takes_claims(current, target):
        booking_date = _check_date(request.date, now)
        rules = config_services.get_system_value("release_rules")
        slot = TimeSlot.parse(request.time_slot)
        actions += [
            BookingRequest.ttl.remove(),
            BookingRequest.reason.remove(),
            BookingRequest.fire_at.set(fire_time(rules, request.court_id, booking_date, slot, now)),
        ]

        def update_request(t: claims.Transaction, queued_behind: str | None) -> None:
            queue_action = (
                BookingRequest.queued_behind.set(queued_behind)
                if queued_behind
                else BookingRequest.queued_behind.remove()
            )
            t.add(
                "request", "update", request, actions=[*actions, queue_action], condition=condition
            )

        _commit_with_claims(request, update_request)
    else:
        tx.add("request", "update", request, actions=actions, condition=condition)
        tx.commit(BookingRequest.Meta.table_name)
    stored = requests_repo.get(request.request_id, request.user_id)
    log.info(
        "booking_request.transition",
        booking_request_id=stored.request_id,
        user_id=stored.user_id,
        from_status=current,
        to_status=target,
        actor=str(actor),
        by=by,
        reason=reason,
    )
    events.publish(stored, previous=current)
    if promoted:
        events.publish(requests_repo.get(*promoted), previous=None)
    return stored


BOOKING_CONFLICTS = (SlotClaimed, DuplicateRequest, QuotaReached, TransitionRefused)


def cancel(request: BookingRequest, *, actor: Actor, by: str) -> BookingRequest:
    return transition(request, RequestStatus.CANCELLED, actor=actor, by=by, message="cancelled")


def cancel_request(user_id: str, request_id: str, *, by: str) -> BookingRequest:
    """The member cancels; the request stays in their history as cancelled."""
    request = get_request(user_id, request_id)
    return transition(
        request, RequestStatus.CANCELLED, actor=Actor.MEMBER, by=by, message="cancelled"
    )


def retry_request(user_id: str, request_id: str, *, by: str) -> BookingRequest:
    """The member tries a failed or cancelled request again (claims retaken)."""
    request = get_request(user_id, request_id)
    return transition(request, RequestStatus.PENDING, actor=Actor.MEMBER, by=by, message="retry")


def _entry(
    now: datetime, actor: str, previous: str | None, target: str, message: str
) -> HistoryEntry:
    return HistoryEntry(
        at=now,
        actor=actor,
        from_status=str(previous) if previous else None,
        to_status=str(target),
        message=message,
    )
