"""Logging out closes that session's live sockets at once (not the member's other devices)."""

from __future__ import annotations

import structlog
from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver
from redis.exceptions import RedisError

from . import broadcast

log = structlog.get_logger(__name__)


@receiver(user_logged_out, dispatch_uid="realtime.close_sockets_on_logout")
def close_sockets_on_logout(sender, request, user, **kwargs) -> None:
    key = getattr(getattr(request, "session", None), "session_key", None)
    if user is None or not key:
        return
    try:
        broadcast.end_session(user.pk, key)
    except (RedisError, OSError):
        # The logout stands; the sockets notice at their next ping instead.
        log.warning("live.end_session_failed", exc_info=True)
