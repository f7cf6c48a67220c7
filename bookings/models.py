"""Recurring series (a member's standing wish, what each date became) and pre-flight checks.

A series says "every Tuesday 07:00, court 5 then 7, until 31 March": the
wish of a request without its date, the weekdays, the first and last date,
the dates to skip. ``bookings.series`` turns each date into a request
through the workflow, ahead of that date's release, so the club's
conflicts and quotas apply to it as to any other. A series lives in the
Django database beside the templates; its requests live in DynamoDB,
tagged with the series' id, and ``SeriesOccurrence`` records which request
(or which refusal) each date became.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import VersionField


class BookingSeries(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="booking_series"
    )
    club_id = models.CharField(max_length=64)
    name = models.CharField(max_length=80)
    court_id = models.PositiveIntegerField()
    time_slot = models.CharField(max_length=64)
    # [{"court_id": int, "time_slot": str}, ...] in the member's order
    alternatives = models.JSONField(default=list, blank=True)
    partners = models.JSONField(default=list, blank=True)
    notes = models.CharField(max_length=500, blank=True, default="")
    on_conflict = models.CharField(max_length=16, blank=True, default="")
    weekdays = models.JSONField(default=list)  # 0 = Monday, at least one
    starts_on = models.DateField()
    ends_on = models.DateField()
    skipped = models.JSONField(default=list, blank=True)  # ISO dates, sorted
    paused = models.BooleanField(default=False)
    ended_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    # A form names the version it was drawn from; one drawn from an older one is refused.
    version = VersionField(default=1, editable=False)

    class Meta:
        ordering = ["ends_on", "name"]
        indexes = [models.Index(fields=["ended_at", "paused"], name="series_active")]

    def __str__(self) -> str:
        return f"{self.name} ({self.club_id})"

    @property
    def state(self) -> str:
        """ "ended", "paused" or "active", for the pages and the API."""
        if self.ended_at is not None:
            return "ended"
        return "paused" if self.paused else "active"


class SeriesOccurrence(models.Model):
    """One date of a series: the request it became, or why it became none."""

    class State(models.TextChoices):
        CREATED = "created", "Request created"
        REFUSED = "refused", "Refused by the club's rules"
        SKIPPED = "skipped", "Skipped"

    series = models.ForeignKey(BookingSeries, on_delete=models.CASCADE, related_name="occurrences")
    date = models.DateField()
    state = models.CharField(max_length=16, choices=State.choices)
    request_id = models.CharField(max_length=64, blank=True, default="")
    message = models.CharField(max_length=300, blank=True, default="")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["series", "date"], name="one_occurrence_per_date")
        ]

    def __str__(self) -> str:
        return f"{self.series_id} {self.date}: {self.state}"


class PreflightCheck(models.Model):
    """A dry run before a request's release: log in and open the form, submit nothing.

    ``bookings`` keeps it in the Django database, not on the request's
    DynamoDB item: a check must never bump the version a member's open
    edit form was drawn from. One per request and stage ("day": the day
    before the fire time, "final": ten minutes before).
    """

    class Stage(models.TextChoices):
        DAY = "day", "The day before"
        FINAL = "final", "Ten minutes before"

    class State(models.TextChoices):
        RUNNING = "running", "Running"
        OK = "ok", "All set"
        CREDENTIALS_REJECTED = "credentials_rejected", "The portal refused the password"
        PAGE_CHANGED = "page_changed", "The portal's page looked different"
        PORTAL_DOWN = "portal_down", "The portal did not answer"
        SKIPPED = "skipped", "Not needed"
        ERROR = "error", "Could not run"

    request_id = models.CharField(max_length=64)
    user_id = models.CharField(max_length=64)
    club_id = models.CharField(max_length=64)
    stage = models.CharField(max_length=8, choices=Stage.choices)
    fire_at = models.DateTimeField()
    state = models.CharField(max_length=24, choices=State.choices, default=State.RUNNING)
    message = models.CharField(max_length=500, blank=True, default="")  # for the member
    detail = models.TextField(blank=True, default="")  # for operators, never a secret
    evidence = models.JSONField(default=dict, blank=True)  # {"screenshot": path, "html": path}
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at"]
        constraints = [
            models.UniqueConstraint(fields=["request_id", "stage"], name="one_check_per_stage")
        ]
        indexes = [models.Index(fields=["request_id"], name="preflight_by_request")]

    def __str__(self) -> str:
        return f"{self.request_id} {self.stage}: {self.state}"
