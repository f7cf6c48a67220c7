"""Statuses and reason codes of booking requests."""

from django.db import models


class RequestStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    PROCESSING = "processing", "Processing"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


ACTIVE_STATUSES = frozenset({RequestStatus.PENDING, RequestStatus.PROCESSING})
FINISHED_STATUSES = frozenset(
    {RequestStatus.COMPLETED, RequestStatus.FAILED, RequestStatus.CANCELLED}
)

# A member's own notes on a request.
MAX_PARTNERS = 3
PARTNER_MAX_LENGTH = 64
NOTES_MAX_LENGTH = 500


class OnConflict(models.TextChoices):
    """What a member wants when another member already holds the slot."""

    SUGGEST = "suggest", "Tell me, and suggest free alternatives"
    QUEUE = "queue", "Queue behind the other member's request"


CONFLICT_CHOICES = OnConflict.choices
