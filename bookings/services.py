"""Creating and reading booking requests.

``create_request`` validates a member's wish against the club's settings
and stores it with its fire time. Conflicts between members, quotas,
transitions and events are added by the booking-requests work (issue 6);
this module is where they belong.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime

import structlog

from configs import services as config_services
from tennisbook.values import InvalidValue, parse_date

from .choices import RequestStatus
from .dynamo import Alternative, BookingRequest, HistoryEntry
from .release import club_today, fire_time
from .repositories import BookingRequestRepository

log = structlog.get_logger(__name__)

requests_repo = BookingRequestRepository()


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
    booking_date = parse_date(day, "date")
    rules = config_services.get_system_value("release_rules")
    limits = config_services.get_system_value("limits")
    today = club_today(rules["time_zone"], now)
    if booking_date < today:
        raise InvalidValue("date", f"{booking_date} is in the past (club date today: {today}).")
    horizon = (booking_date - today).days
    if horizon > limits["horizon_days"]:
        raise InvalidValue(
            "date", f"{booking_date} is beyond the {limits['horizon_days']}-day booking horizon."
        )
    if len(alternatives) > limits["max_alternatives"]:
        raise InvalidValue("alternatives", f"at most {limits['max_alternatives']} alternatives.")
    checked = []
    for i, alt in enumerate(alternatives):
        alt_court = config_services.get_court(alt.get("court_id"), f"alternatives[{i}].court_id")
        alt_slot = config_services.check_slot_for_court(
            alt_court, alt.get("time_slot"), f"alternatives[{i}].time_slot"
        )
        if (alt_court["id"], alt_slot.label) == (court["id"], slot.label) or any(
            (a.court_id, a.time_slot) == (alt_court["id"], alt_slot.label) for a in checked
        ):
            raise InvalidValue(
                f"alternatives[{i}]", "repeats the first choice or another alternative."
            )
        checked.append(Alternative(court_id=alt_court["id"], time_slot=alt_slot.label))
    return court, booking_date, slot.label, checked


def create_request(
    user_id: str,
    court_id: object,
    day: object,
    time_slot: object,
    alternatives: Sequence[dict] = (),
    *,
    actor: str = "member",
    now: datetime | None = None,
) -> BookingRequest:
    """Store a new pending request with its fire time (``InvalidValue`` if bad)."""
    now = now or datetime.now(UTC)
    court, booking_date, slot_label, checked = check_request(
        court_id, day, time_slot, alternatives, now=now
    )
    rules = config_services.get_system_value("release_rules")
    slot = config_services.check_slot_for_court(court, slot_label)
    request = BookingRequest(
        str(uuid.uuid4()),
        str(user_id),
        court_id=court["id"],
        date=booking_date.isoformat(),
        time_slot=slot_label,
        alternatives=checked,
        status=RequestStatus.PENDING.value,
        fire_at=fire_time(rules, court["id"], booking_date, slot, now),
        history=[HistoryEntry(at=now, actor=actor, to_status=RequestStatus.PENDING.value)],
        created_at=now,
        updated_at=now,
    )
    requests_repo.create(request)
    log.info(
        "booking_request.created",
        booking_request_id=request.request_id,
        user_id=str(user_id),
        court_id=court["id"],
        date=request.date,
        fire_at=request.fire_at.isoformat(),
    )
    return request


def list_requests(user_id: str, **filters) -> list[BookingRequest]:
    return requests_repo.for_user(str(user_id), **filters)
