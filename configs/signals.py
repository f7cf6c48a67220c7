"""A deleted member takes their configuration (portal credentials) with them.

Whichever way a site user is deleted — the admin (one or many), a service,
``QuerySet.delete()``, a shell — Django sends ``post_delete`` for each user,
and this receiver erases their UserConfigs row once the deletion has
committed: a deletion that is rolled back keeps the member's configuration.
What happens when DynamoDB fails then is ``services.erase_config_of_deleted_member``'s
business (a logged orphan, deletable in the admin).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from . import services


@receiver(post_delete, sender=settings.AUTH_USER_MODEL, dispatch_uid="configs.erase_member_config")
def erase_member_config(sender: type, instance: Any, using: str, **kwargs: Any) -> None:
    user_id = str(instance.pk)
    transaction.on_commit(lambda: services.erase_config_of_deleted_member(user_id), using=using)
