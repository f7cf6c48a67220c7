"""One Celery task per channel of a notification: the socket, e-mail, one device.

Each takes a ``Delivery`` id, does nothing if that delivery is no longer
pending (sent, or given up: a redelivered or duplicated task sends nothing
twice), and raises on a failure worth retrying so that Celery retries it
with a backoff, alone: the other channels of the notification are their
own tasks. A failure that retrying cannot fix (a push service refusing the
message, a member without an address) marks the delivery failed.
"""

from __future__ import annotations

from datetime import timedelta
from smtplib import SMTPException

import structlog
from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db.models import F, Q
from django.utils import timezone
from redis.exceptions import RedisError

from . import broadcast, notifications, push
from .choices import Channel, DeliveryState
from .models import Delivery, PushSubscription

log = structlog.get_logger(__name__)

EVENT_KIND = "notification"


CLAIM = timedelta(seconds=120)  # longer than any channel task's time limit


def _pending(delivery_id: int) -> Delivery | None:
    """The delivery, claimed for this task; None if it is done or another task holds it."""
    now = timezone.now()
    claimed = (
        Delivery.objects.filter(pk=delivery_id, state=DeliveryState.PENDING)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=now + CLAIM, attempts=F("attempts") + 1)
    )
    if not claimed:
        return None
    return Delivery.objects.select_related("notification__member").get(pk=delivery_id)


def _finish(delivery: Delivery, state: str, error: str = "") -> None:
    Delivery.objects.filter(pk=delivery.pk, state=DeliveryState.PENDING).update(
        state=state,
        error=error[:300],
        sent_at=timezone.now() if state == "sent" else None,
        claimed_until=None,
    )


def _note_error(delivery: Delivery, error: Exception) -> None:
    """Keep the last error (for operators) and free the claim: Celery's retry takes it again."""
    text = f"{type(error).__name__}: {error}"[:300]
    Delivery.objects.filter(pk=delivery.pk).update(error=text, claimed_until=None)


@shared_task(
    name="realtime.publish_notification",
    ignore_result=True,
    acks_late=True,
    autoretry_for=(OSError, RedisError),
    retry_backoff=1,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=8,  # a few minutes: a page that comes back later reads the list anyway
    soft_time_limit=10,
    time_limit=20,
)
def publish_notification(delivery_id: int) -> bool:
    """Publish the notification on the member's stream (their open pages)."""
    delivery = _pending(delivery_id)
    if delivery is None:
        return False
    notification = delivery.notification
    try:
        broadcast.publish(
            broadcast.member_stream(notification.member_id),
            EVENT_KIND,
            notifications.event_data(notification),
        )
    except (OSError, RedisError) as exc:
        _note_error(delivery, exc)
        raise
    _finish(delivery, DeliveryState.SENT)
    return True


@shared_task(
    name="realtime.email_notification",
    ignore_result=True,
    acks_late=True,
    autoretry_for=(OSError, SMTPException),
    # A mail server outage of up to about a day loses no notification; the
    # backoff stays under the Redis visibility timeout (an hour).
    retry_backoff=30,
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=60,
    soft_time_limit=60,
    time_limit=90,
)
def email_notification(delivery_id: int) -> bool:
    """E-mail the notification to the member's address."""
    delivery = _pending(delivery_id)
    if delivery is None:
        return False
    notification = delivery.notification
    member = notification.member
    if not member.email or not member.is_active:
        _finish(delivery, DeliveryState.FAILED, "no address to send to")
        return False
    body = notification.body
    if notification.url:
        body += f"\n\nOpen it on tennisbook: {settings.SITE_URL.rstrip('/')}{notification.url}"
    try:
        send_mail(notification.title, body, None, [member.email])
    except (OSError, SMTPException) as exc:
        _note_error(delivery, exc)
        raise
    _finish(delivery, DeliveryState.SENT)
    log.info("notification.emailed", notification_id=notification.pk, kind=notification.kind)
    return True


@shared_task(
    name="realtime.push_notification",
    ignore_result=True,
    acks_late=True,
    autoretry_for=(push.Unavailable,),
    retry_backoff=10,
    retry_backoff_max=900,
    retry_jitter=True,
    max_retries=20,  # the push service itself keeps it for WEBPUSH_TTL_SECONDS
    soft_time_limit=30,
    time_limit=45,
)
def push_notification(delivery_id: int) -> bool:
    """Push the notification to one subscribed device; a gone subscription is deleted."""
    delivery = _pending(delivery_id)
    if delivery is None:
        return False
    notification = delivery.notification
    subscription = PushSubscription.objects.filter(
        pk=int(delivery.target or 0), member_id=notification.member_id
    ).first()
    if subscription is None:
        _finish(delivery, DeliveryState.FAILED, "the device unsubscribed")
        return False
    try:
        push.send(subscription, push.payload_of(notification))
    except push.Gone as exc:
        gone = subscription.pk
        subscription.delete()
        _finish(delivery, DeliveryState.FAILED, f"subscription deleted: {exc}")
        log.info("push.subscription_gone", subscription_id=gone)
        return False
    except push.Refused as exc:
        _finish(delivery, DeliveryState.FAILED, str(exc))
        log.warning("push.refused", subscription_id=subscription.pk, error=str(exc))
        return False
    except push.Unavailable as exc:
        _note_error(delivery, exc)
        raise
    _finish(delivery, DeliveryState.SENT)
    return True


FOR_CHANNEL = {
    Channel.IN_APP: publish_notification,
    Channel.EMAIL: email_notification,
    Channel.PUSH: push_notification,
}
