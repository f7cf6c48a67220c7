"""Status-change events: one publisher, called only after a write is final.

Each event goes to the member's channel-layer group (the WebSocket consumer
relays it to their open pages) and to the notification senders (e-mail on
completion or failure, as the member's preferences say). Publishing never
undoes or fails the write it reports: a broken channel layer or mail server
is logged and the booking goes on.
"""

from __future__ import annotations

import uuid
from typing import Any

import structlog
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.auth import get_user_model
from django.core.mail import send_mail

from .choices import RequestStatus
from .dynamo import BookingRequest

log = structlog.get_logger(__name__)

EVENT_TYPE = "booking.status"


def user_group(user_id: str) -> str:
    """The channel-layer group of one member's open pages."""
    return f"user.{user_id}"


def event_payload(request: BookingRequest, previous: str | None) -> dict[str, Any]:
    last = request.history[-1] if request.history else None
    return {
        "request_id": request.request_id,
        "status": request.status,
        "previous": previous,
        "reason": request.reason,
        "court_id": int(request.court_id),
        "date": request.date,
        "time_slot": request.time_slot,
        "message": last.message if last else "",
        "at": (last.at if last else request.updated_at).isoformat(),
        "queued_behind": bool(request.queued_behind),
    }


def publish(request: BookingRequest, previous: str | None) -> None:
    """Tell the member's pages, then the notification senders."""
    payload = event_payload(request, previous)
    for sender in (_send_to_group, _send_email):
        try:
            sender(request, payload)
        except Exception:
            log.exception(
                "booking_event.delivery_failed",
                sender=sender.__name__,
                booking_request_id=request.request_id,
            )


def _send_to_group(request: BookingRequest, payload: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    async_to_sync(layer.group_send)(user_group(request.user_id), {"type": EVENT_TYPE, **payload})


_EMAIL = {
    RequestStatus.COMPLETED: (
        "email_on_success",
        "Court booked: court {court_id}, {date}, {time_slot}",
        "Your court is booked: court {court_id} on {date}, {time_slot}.\n\n{message}",
    ),
    RequestStatus.FAILED: (
        "email_on_failure",
        "Booking failed: court {court_id}, {date}, {time_slot}",
        "We could not book court {court_id} on {date}, {time_slot}.\nReason: {reason}\n\n{message}",
    ),
}


def _send_email(request: BookingRequest, payload: dict[str, Any]) -> None:
    spec = _EMAIL.get(request.status)
    if spec is None or payload["previous"] == request.status:
        return
    from configs.services import find_user_config  # configs is a sibling app

    preference, subject, body = spec
    config = find_user_config(request.user_id)
    if config is not None and not getattr(config.notifications, preference):
        return
    try:
        user = get_user_model().objects.filter(pk=uuid.UUID(request.user_id)).first()
    except ValueError:  # not a site account (a test or an imported item)
        return
    if user is None or not user.email:
        return
    send_mail(
        subject.format(**payload),
        body.format(**{**payload, "reason": payload["reason"] or "unknown"}),
        None,
        [user.email],
    )
    log.info("booking_event.emailed", booking_request_id=request.request_id, status=request.status)
