"""Where a worker gets credentials and the portal profile: always the request's club's.

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


def load_profile(club: str) -> dict:
    """``club``'s portal profile from SystemConfig (served stale while DynamoDB is down)."""
    return config_services.get_system_value("portal_profile", club=club)


def load_credentials(
    user_id: str, club: str, *, actor: str, request_id: str = "", reason: str = ""
) -> Credentials:
    """The member's portal credentials for ``club``, decrypted for this attempt only.

    Only that club's item is read, and its secret is bound to the club: a
    credential saved for another club can never reach this club's portal.
    The decryption is audited as ``actor``'s, for ``reason`` (by default the
    booking attempt ``request_id``).
    """
    config = config_services.find_user_config(user_id, club)
    if config is None or not config.portal_username or not config.has_portal_password:
        raise InvalidValue(
            "portal_credentials", f"the member has no portal credentials saved for {club!r}."
        )
    with acting_as(actor, reason or f"booking attempt {request_id} at {club}"):
        return Credentials(config.portal_username, config.portal_password)
