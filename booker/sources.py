"""Where a worker gets credentials and the portal profile.

The profile comes through the club-settings cache, which serves the last
value while DynamoDB is unavailable, so an outage does not stop attempts
already under way. Credentials are decrypted once per attempt, audited with
the worker and the request as the reason, and never cached.
"""

from __future__ import annotations

from configs import services as config_services
from configs.crypto import acting_as
from tennisbook.values import InvalidValue

from .results import Credentials


def load_profile() -> dict:
    """The portal profile from SystemConfig (served stale while DynamoDB is down)."""
    return config_services.get_system_value("portal_profile")


def load_credentials(user_id: str, *, actor: str, request_id: str) -> Credentials:
    """The member's portal credentials, decrypted for this attempt only."""
    config = config_services.get_user_config(user_id)
    if not config.portal_username or not config.has_portal_password:
        raise InvalidValue("portal_credentials", "the member has no portal credentials saved.")
    with acting_as(actor, f"booking attempt {request_id}"):
        return Credentials(config.portal_username, config.portal_password)
