"""Delivering status events: the member's open pages and their e-mail.

Two Celery tasks (``deliver_status_event``, ``email_status``) take the
event's payload, a snapshot of the transition, so a late delivery still
tells what happened then; they run on the default queue, never behind a
booking batch. ``bookings.events`` queues them once a write is final, never
inside it. Each sender raises when delivery failed, so its task can retry.
"""

from __future__ import annotations

import uuid
from smtplib import SMTPException
from typing import Any

import structlog
from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from redis.exceptions import RedisError

from configs.services import find_user_config
from realtime import broadcast
from tennisbook.dynamo import Unavailable

from .choices import RequestStatus

log = structlog.get_logger(__name__)

EVENT_TYPE = "booking.status"


def to_group(payload: dict[str, Any]) -> None:
    """Publish the event on the member's stream and on the request's (its watchers)."""
    broadcast.publish(broadcast.member_stream(payload["user_id"]), EVENT_TYPE, payload)
    broadcast.publish(broadcast.request_stream(payload["request_id"]), EVENT_TYPE, payload)


_EMAIL = {
    RequestStatus.COMPLETED: (
        "email_on_success",
        "Court booked: court {court_id} at {club_name}, {date}, {time_slot}",
        "Your court is booked: court {court_id} at {club_name} on {date}, {time_slot}."
        "\n\n{message}",
    ),
    RequestStatus.FAILED: (
        "email_on_failure",
        "Booking failed: court {court_id} at {club_name}, {date}, {time_slot}",
        "We could not book court {court_id} at {club_name} on {date}, {time_slot}."
        "\nReason: {reason}\n\n{message}",
    ),
}


def wants_email(payload: dict[str, Any]) -> bool:
    """Whether the event is one that is e-mailed at all (a new final status)."""
    return payload["status"] in _EMAIL and payload["previous"] != payload["status"]


def by_email(payload: dict[str, Any]) -> bool:
    """E-mail the member as their preferences say; True when a mail was sent."""
    if not wants_email(payload):
        return False
    preference, subject, body = _EMAIL[payload["status"]]
    config = find_user_config(payload["user_id"], payload.get("club") or settings.DEFAULT_CLUB_ID)
    if config is not None and not getattr(config.notifications, preference):
        return False
    try:
        user = get_user_model().objects.filter(pk=uuid.UUID(payload["user_id"])).first()
    except ValueError:  # not a site account (a test or an imported item)
        return False
    if user is None or not user.email:
        return False
    # Events queued before clubs carry no club name: the club's id stands in.
    fields = {"club_name": payload.get("club") or settings.DEFAULT_CLUB_ID, **payload}
    send_mail(
        subject.format(**fields),
        body.format(**{**fields, "reason": payload["reason"] or "unknown"}),
        None,
        [user.email],
    )
    log.info(
        "booking_event.emailed", booking_request_id=payload["request_id"], status=payload["status"]
    )
    return True


@shared_task(
    name="bookings.deliver_status_event",
    ignore_result=True,
    autoretry_for=(OSError, RedisError),
    max_retries=3,
    default_retry_delay=1,
    soft_time_limit=10,
    time_limit=20,
)
def deliver_status_event(payload: dict) -> None:
    """Relay a status event to the member's open pages (stale after a while)."""
    to_group(payload)


@shared_task(
    name="bookings.email_status",
    ignore_result=True,
    acks_late=True,
    # The mail server, or DynamoDB for the member's preferences, is down.
    autoretry_for=(OSError, SMTPException, Unavailable),
    # A mail server outage of up to about a day loses no notification; the
    # backoff stays under the Redis visibility timeout (an hour).
    retry_backoff=30,
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=60,
    soft_time_limit=60,
    time_limit=90,
)
def email_status(payload: dict) -> bool:
    """E-mail the member that their request ended, as their preferences say."""
    return by_email(payload)
