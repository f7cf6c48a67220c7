"""A deleted member's active requests are cancelled with them.

``post_delete`` of the user model, once the deletion has committed, cancels
every pending or processing request of the member through the workflow (a
processing one's worker loses its lease and stops before it submits). If
DynamoDB is down then, nothing fires anyway: the processor refuses every
request whose member is gone or inactive (``member_inactive``).
"""

from __future__ import annotations

from typing import Any

import structlog
from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from tennisbook.dynamo import DataError

from . import workflow

log = structlog.get_logger(__name__)


def cancel_requests_of_deleted_member(user_id: str) -> None:
    try:
        workflow.cancel_member_requests(
            user_id, by="system:account-deleted", message="cancelled: the account was deleted"
        )
    except DataError:
        log.exception("booking_request.member_cancel_failed", user_id=user_id)


@receiver(
    post_delete, sender=settings.AUTH_USER_MODEL, dispatch_uid="bookings.cancel_member_requests"
)
def cancel_member_requests(sender: type, instance: Any, using: str, **kwargs: Any) -> None:
    user_id = str(instance.pk)
    transaction.on_commit(lambda: cancel_requests_of_deleted_member(user_id), using=using)
