"""Where a worker gets credentials and the portal profile.

The profile is cached per process for a short time and served stale while
DynamoDB is unavailable, so an outage does not stop attempts that are
already under way. Credentials are decrypted once per attempt, audited with
the worker and the request as the reason, and never cached.
"""

from __future__ import annotations

import threading
import time

import structlog

from configs import services as config_services
from configs.crypto import acting_as
from tennisbook.dynamo import Unavailable
from tennisbook.values import InvalidValue

from .results import Credentials

log = structlog.get_logger(__name__)

PROFILE_TTL_SECONDS = 60.0
_cache: dict[str, tuple[float, dict]] = {}
_lock = threading.Lock()


def load_profile() -> dict:
    """The portal profile from SystemConfig, cached; stale while DynamoDB is down."""
    now = time.monotonic()
    with _lock:
        cached = _cache.get("portal_profile")
    if cached and now - cached[0] < PROFILE_TTL_SECONDS:
        return cached[1]
    try:
        profile = config_services.get_system_value("portal_profile")
    except Unavailable:
        if cached:
            log.warning("profile.served_stale", age_s=round(now - cached[0], 1))
            return cached[1]
        raise
    with _lock:
        _cache["portal_profile"] = (now, profile)
    return profile


def load_credentials(user_id: str, *, actor: str, request_id: str) -> Credentials:
    """The member's portal credentials, decrypted for this attempt only."""
    config = config_services.get_user_config(user_id)
    if not config.portal_username or not config.has_portal_password:
        raise InvalidValue("portal_credentials", "the member has no portal credentials saved.")
    with acting_as(actor, f"booking attempt {request_id}"):
        return Credentials(config.portal_username, config.portal_password)
