"""Delivering status events: the member's open pages and their notifications.

``deliver_status_event`` relays every status event to the member's stream
and the request's (their open pages). A final outcome (booked, failed)
also becomes one stored notification: ``notify_outcome`` turns the event
into a ``realtime.notifications.Notice`` (``booked``, ``failed``, or
``credentials_rejected`` when the portal refused the member's login) and
``realtime.notifications.notify`` stores it once per outcome and queues
each channel the member keeps on (e-mail, push, the socket) as a task of
its own. The tasks take the event's payload, a snapshot of the
transition, so a late delivery still tells what happened then; they run
on the default queue, never behind a booking batch. ``bookings.events``
queues them once a write is final, never inside it.
"""

from __future__ import annotations

import uuid
from typing import Any

import structlog
from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import OperationalError
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from redis.exceptions import RedisError

from realtime import broadcast, notifications, preferences
from realtime.choices import EventType
from tennisbook.dynamo import Unavailable

from .choices import RequestStatus
from .lifecycle import FailureReason
from .queries import member_partners

log = structlog.get_logger(__name__)

EVENT_TYPE = "booking.status"


def to_group(payload: dict[str, Any]) -> None:
    """Publish the event on the member's stream and on the request's (its watchers)."""
    broadcast.publish(broadcast.member_stream(payload["user_id"]), EVENT_TYPE, payload)
    broadcast.publish(broadcast.request_stream(payload["request_id"]), EVENT_TYPE, payload)


_OUTCOMES = {
    RequestStatus.COMPLETED: (
        EventType.BOOKED,
        "Court booked: court {court_id} at {club_name}, {date}, {time_slot}",
        "Your court is booked: court {court_id} at {club_name} on {date}, {time_slot}.",
    ),
    RequestStatus.FAILED: (
        EventType.FAILED,
        "Booking failed: court {court_id} at {club_name}, {date}, {time_slot}",
        "We could not book court {court_id} at {club_name} on {date}, {time_slot}."
        "\nReason: {reason}",
    ),
}
_CREDENTIALS = (
    EventType.CREDENTIALS_REJECTED,
    "Not booked: the club's portal refused your login (court {court_id}, {date}, {time_slot})",
    "We could not book court {court_id} at {club_name} on {date}, {time_slot}: the club's "
    "portal refused your username or password. Check them in Settings, then retry the request.",
)
MESSAGE_LIMIT = 300  # the portal's words beside a notification, shortened


def is_outcome(payload: dict[str, Any]) -> bool:
    """Whether the event is a request's new final outcome (booked or failed)."""
    return payload["status"] in _OUTCOMES and payload["previous"] != payload["status"]


def _reason_text(reason: str | None) -> str:
    from .pages import REASON_TEXT  # the member pages' words; pages import the workflow

    return REASON_TEXT.get(reason, reason) if reason else REASON_TEXT[FailureReason.UNKNOWN]


def _request_url(request_id: str) -> str:
    try:
        return reverse("bookings:detail", args=[request_id])
    except NoReverseMatch:  # not a request id of ours (an imported item)
        return ""


def notice_of(payload: dict[str, Any]) -> notifications.Notice | None:
    """The notification an outcome event gives; None for any other event.

    The key names the outcome: the request, its new status and the instant
    of that history line. A retried or redelivered event has the same key
    (one notification); a request retried and failing again has another.
    """
    if not is_outcome(payload):
        return None
    kind, title, body = _OUTCOMES[payload["status"]]
    rejected = payload.get("reason") == FailureReason.BAD_CREDENTIALS
    if rejected:
        kind, title, body = _CREDENTIALS
    # Events queued before clubs carry no club name: the club's id stands in.
    fields = {
        **payload,
        "club_name": payload.get("club_name") or payload.get("club") or settings.DEFAULT_CLUB_ID,
        "reason": _reason_text(payload.get("reason")),
    }
    text = body.format(**fields)
    message = (payload.get("message") or "").strip()
    # The portal's words on a refused login could echo the account: left out.
    if message and not rejected:
        text += "\n\n" + message[:MESSAGE_LIMIT]
    return notifications.Notice(
        kind=kind.value,
        title=title.format(**fields),
        body=text,
        url=_request_url(payload["request_id"]),
        request_id=payload["request_id"],
        dedupe_key=f"booking:{payload['request_id']}:{payload['status']}:{payload['at']}",
    )


def notify_member(payload: dict[str, Any]) -> int | None:
    """Store and queue the outcome's notification; its id, or None when there is none."""
    notice = notice_of(payload)
    if notice is None:
        return None
    try:
        member = get_user_model().objects.filter(pk=uuid.UUID(payload["user_id"])).first()
    except ValueError:  # not a site account (a test or an imported item)
        return None
    if member is None:
        return None
    notification, _created = notifications.notify(member, notice)
    notify_partners(payload, notice, member)
    return notification.pk


def partner_members(payload: dict[str, Any], owner) -> list:
    """The active site members the request names as partners (``@username``)."""
    names = member_partners(payload.get("partners"))
    if not names:
        return []
    named = Q()
    for name in names:
        named |= Q(username__iexact=name)
    return list(get_user_model().objects.filter(named, is_active=True).exclude(pk=owner.pk))


def notify_partners(payload: dict[str, Any], notice: notifications.Notice, owner) -> None:
    """Tell the request's partners who are members and opted in (never by default)."""
    kind = EventType.PARTNER_OUTCOME
    outcome = "booked" if payload["status"] == RequestStatus.COMPLETED else "not booked"
    what = f"court {payload['court_id']}, {payload['date']}, {payload['time_slot']}"
    club = payload.get("club_name") or payload.get("club") or settings.DEFAULT_CLUB_ID
    for partner in partner_members(payload, owner):
        if not preferences.wanted_channels(partner, kind):
            continue  # not opted in: nothing stored, nothing sent
        notifications.notify(
            partner,
            notifications.Notice(
                kind=kind.value,
                title=f"{owner.get_username()}'s request with you: {outcome} ({what})",
                body=f"{owner.get_username()} named you as a partner on a request for {what} "
                f"at {club}: {outcome}.",
                url=notice.url,
                request_id=notice.request_id,
                dedupe_key=f"{notice.dedupe_key}:partner",
            ),
        )


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


_NOTIFY_TASK = {
    "ignore_result": True,
    "acks_late": True,
    # DynamoDB (seeding the member's choices) or the database is away.
    "autoretry_for": (Unavailable, OperationalError),
    "retry_backoff": 5,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 30,
    "soft_time_limit": 30,
    "time_limit": 60,
}


@shared_task(name="bookings.notify_outcome", **_NOTIFY_TASK)
def notify_outcome(payload: dict) -> int | None:
    """Turn a request's outcome into the member's notification and queue its channels."""
    return notify_member(payload)


@shared_task(name="bookings.email_status", **_NOTIFY_TASK)
def email_status(payload: dict) -> int | None:
    """The e-mail task of before notifications, for events queued by an older release.

    Such an event had no ``notify_outcome`` queued beside it: it becomes
    the outcome's notification (e-mail included, as the member chose).
    """
    return notify_member(payload)
