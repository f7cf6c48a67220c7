"""Notifications, their deliveries, members' choices and push subscriptions (the ORM).

They live in Django's database, not DynamoDB: they belong to the site
account (deleted with it), are listed and counted per member on every
page (the header's bell), and need a unique constraint per member for
deduplication, which the ORM gives for free.

Writes go through ``realtime.notifications``, ``realtime.preferences`` and
``realtime.push``; views, tasks and admin call those.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .choices import Channel, DeliveryState, EventType


class Notification(models.Model):
    """One thing a member was told, kept for the notification centre.

    ``dedupe_key`` names the outcome it reports (a request's status change
    at one instant): unique per member, so a task that runs twice (a
    retry, a redelivery after a worker died) finds the notification it
    made instead of making another. ``read_at`` is empty while unread; a
    notification whose in-app channel the member turned off is stored
    already read, so the centre keeps the record and the bell stays quiet.
    ``url`` is a path on this site (the request's page).
    """

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=32, choices=EventType.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    dedupe_key = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["member", "dedupe_key"], name="notification_once"),
        ]
        indexes = [
            models.Index(fields=["member", "-created_at"], name="notification_newest"),
            # The bell's count reads only this index.
            models.Index(fields=["member"], condition=Q(read_at=None), name="notification_unread"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.title}"

    @property
    def unread(self) -> bool:
        return self.read_at is None


class Delivery(models.Model):
    """One channel's delivery of a notification: in_app (the socket), e-mail, or one device.

    Each is its own Celery task, retried on its own, so a mail server that
    is down never holds back the push or the page. ``target`` is the push
    subscription's id ("" for the other channels); the unique constraint
    makes the fan-out idempotent, and a task finding its delivery no longer
    pending does nothing, so a redelivered task sends nothing twice.
    """

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(max_length=16, choices=Channel.choices)
    target = models.CharField(max_length=32, blank=True, default="")
    state = models.CharField(
        max_length=16, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Set while one task sends it: a second task for the same delivery (a
    # retry queued again, a redelivery) sends nothing until it lapses.
    claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel", "target"], name="delivery_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel}{':' + self.target if self.target else ''} ({self.state})"


class NotificationPreference(models.Model):
    """Whether a member wants one event type on one channel.

    A member has a row per event type and channel once their choices were
    first needed (``realtime.preferences`` seeds them, from their old
    per-club e-mail flags where they had any).
    """

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    event = models.CharField(max_length=32, choices=EventType.choices)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    enabled = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member", "event", "channel"], name="notification_preference_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} by {self.channel}: {'on' if self.enabled else 'off'}"


class PushSubscription(models.Model):
    """A browser's Web Push subscription (``PushManager.subscribe``) for a member.

    ``endpoint`` is the push service's URL for that browser, unique: the
    same browser subscribed again by another member moves to them (one
    browser, one account at a time). ``p256dh`` and ``auth`` are the
    browser's public key and secret the payload is encrypted to (RFC 8291).
    A subscription the push service answers 404 or 410 for is deleted.
    """

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.CharField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=100)
    auth = models.CharField(max_length=40)
    user_agent = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"push subscription {self.pk} of {self.member_id}"
