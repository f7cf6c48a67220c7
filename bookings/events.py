"""Status events: one publisher, called by ``bookings.workflow`` after a write is final.

An event is a snapshot of the transition (the payload below). Delivery is
handed to Celery tasks (``bookings.notify``): one relays it to the member's
channel-layer group (their open pages), one e-mails the member when a
request ends and their preferences say so, retried while the mail server
is down. Publishing never undoes or fails the write it reports: a broker
that refuses the task is logged and the booking goes on.
"""

from __future__ import annotations

from typing import Any

import structlog

from configs import services
from tennisbook.dynamo import DataError

from . import notify
from .dynamo import BookingRequest

log = structlog.get_logger(__name__)


def _club_name(club: str | None) -> str:
    """The club's name for the member's e-mail and pages; its id if it cannot be read."""
    if club is None:  # from before clubs, until migrate_clubs ran
        return ""
    try:
        return services.get_system_value("club", club=club)["name"]
    except DataError:  # an event must never fail the write it reports
        return club


def event_payload(request: BookingRequest, previous: str | None) -> dict[str, Any]:
    last = request.history[-1] if request.history else None
    return {
        "request_id": request.request_id,
        "user_id": request.user_id,
        "club": request.club_id,
        "club_name": _club_name(request.club_id),
        "status": request.status,
        "previous": previous,
        "reason": request.reason,
        "court_id": int(request.court_id),
        "date": request.date,
        "time_slot": request.time_slot,
        "message": last.message if last else "",
        "at": (last.at if last else request.updated_at).isoformat(),
        "queued_behind": bool(request.queued_behind),
        "partners": list(request.partners or []),
    }


def publish(request: BookingRequest, previous: str | None) -> None:
    """Queue the deliveries of one status change."""
    payload = event_payload(request, previous)
    deliveries = [notify.deliver_status_event]
    if notify.is_outcome(payload):  # the member's notification, and its channels
        deliveries.append(notify.notify_outcome)
    for task in deliveries:
        try:
            # No publish retries: with the broker down, the write (a member's
            # request, a worker's result) must not wait on it.
            task.apply_async(args=[payload], retry=False)
        except Exception:
            log.exception(
                "booking_event.enqueue_failed",
                task=task.name,
                booking_request_id=request.request_id,
            )
