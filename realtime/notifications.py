"""Notifications: tell a member something once, on each channel they keep on.

``notify`` stores the notification (once per member and ``dedupe_key``:
a task run twice finds the first one) with one ``Delivery`` per channel the
member wants, then queues each delivery as its own Celery task after the
commit (``realtime.tasks``): the member's socket stream (the bell, the
list, a browser notification), e-mail, and each subscribed device. A
channel that fails is retried alone; the others go on.

The reads and writes of the notification centre (``unread_count``,
``mark_read``, ``mark_all_read``) are here too: views and the bell call
them, never the models.
"""

from __future__ import annotations

from dataclasses import dataclass

import structlog
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import preferences, push
from .choices import Channel, DeliveryState, EventType
from .models import Delivery, Notification

log = structlog.get_logger(__name__)

BELL_CAP = 100  # the bell counts this far ("99+" beyond 99): the count stays one cheap read


@dataclass(frozen=True)
class Notice:
    """What to tell: the notification's fields before it is stored."""

    kind: str
    title: str
    body: str
    url: str
    dedupe_key: str
    request_id: str = ""


def notify(member, notice: Notice) -> tuple[Notification, bool]:
    """Store ``notice`` for ``member`` once and queue its deliveries; ``(notification, created)``.

    Called from a Celery task, never inside the write it reports. Seeding
    the member's choices may raise ``tennisbook.dynamo.Unavailable`` (the
    task retries). A notification that exists already is not stored again;
    its deliveries still pending are queued again (the task that made it
    may have died before queueing them; a delivery sends at most once per
    state change, see ``realtime.tasks``).
    """
    EventType(notice.kind)  # ValueError on an event type we do not define
    existing = Notification.objects.filter(member=member, dedupe_key=notice.dedupe_key).first()
    if existing is not None:
        queue(existing)
        return existing, False
    wanted = preferences.wanted_channels(member, notice.kind)
    now = timezone.now()
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                member=member,
                kind=notice.kind,
                # One line: it is also an e-mail's subject.
                title=" ".join(notice.title.split())[:200],
                body=notice.body,
                url=notice.url[:300],
                request_id=notice.request_id,
                dedupe_key=notice.dedupe_key[:200],
                created_at=now,
                # In-app off: kept in the list as read, the bell stays quiet.
                read_at=None if Channel.IN_APP in wanted else now,
            )
            Delivery.objects.bulk_create(deliveries_for(member, notification, wanted))
    except IntegrityError:  # another run stored it between our read and our write
        existing = Notification.objects.get(member=member, dedupe_key=notice.dedupe_key)
        queue(existing)
        return existing, False
    log.info("notification.created", notification_id=notification.pk, kind=notice.kind)
    transaction.on_commit(lambda: queue(notification))
    return notification, True


def deliveries_for(member, notification: Notification, wanted: set[str]) -> list[Delivery]:
    """One delivery per channel ``member`` wants and can receive."""
    rows = []
    # The socket carries both the centre's update and the browser notification.
    if wanted & {Channel.IN_APP, Channel.BROWSER}:
        rows.append(Delivery(notification=notification, channel=Channel.IN_APP))
    if Channel.EMAIL in wanted and member.email:
        rows.append(Delivery(notification=notification, channel=Channel.EMAIL))
    if Channel.PUSH in wanted and push.status().enabled:
        rows += [
            Delivery(notification=notification, channel=Channel.PUSH, target=str(sub.pk))
            for sub in push.subscriptions_of(member)
        ]
    return rows


def queue(notification: Notification) -> int:
    """Queue each pending delivery as its own task; returns how many were queued.

    A broker that refuses one is logged and the others are still queued:
    one channel must never hold back another.
    """
    from . import tasks  # tasks import this module

    queued = 0
    for delivery in notification.deliveries.filter(state=DeliveryState.PENDING):
        task = tasks.FOR_CHANNEL[delivery.channel]
        try:
            task.apply_async(args=[delivery.pk], retry=False)
        except Exception:
            log.exception("notification.enqueue_failed", delivery_id=delivery.pk, task=task.name)
        else:
            queued += 1
    return queued


# --- the notification centre ------------------------------------------------------------


def list_for(member, *, unread_only: bool = False):
    """The member's notifications, newest first."""
    found = Notification.objects.filter(member=member)
    return found.filter(read_at=None) if unread_only else found


def unread_count(member, cap: int = BELL_CAP) -> int:
    """How many of the member's notifications are unread, counted up to ``cap``."""
    return Notification.objects.filter(member=member, read_at=None)[:cap].count()


def mark_read(member, notification_id: int) -> Notification:
    """Mark one of ``member``'s notifications read; ``DoesNotExist`` if it is not theirs."""
    Notification.objects.filter(member=member, pk=notification_id, read_at=None).update(
        read_at=timezone.now()
    )
    return Notification.objects.get(member=member, pk=notification_id)


def mark_all_read(member) -> int:
    """Mark every unread notification of ``member`` read; returns how many were."""
    return Notification.objects.filter(member=member, read_at=None).update(read_at=timezone.now())


def event_data(notification: Notification) -> dict:
    """The ``notification`` event of the member's stream (docs/realtime.md).

    ``unread`` is the member's count after it; ``browser`` whether the page
    should also show it as a browser notification (the member's choice).
    """
    member = notification.member
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "title": notification.title,
        "body": notification.body,
        "url": notification.url,
        "created_at": notification.created_at.isoformat(),
        "unread": unread_count(member),
        "browser": preferences.wants(member, notification.kind, Channel.BROWSER),
    }
