"""JWTs for API clients: issue, rotate, revoke.

Every token carries ``auth_time``, the instant (with microseconds) of the
login that started its chain; a rotated refresh token and the access tokens
made from it keep it. A token is *current* when its login happened after the
user's ``tokens_valid_after``, so setting that field (logout, password change
or reset) revokes every token issued before, access tokens included, without
a database row per token. Refresh tokens are also single-use: rotation
blacklists the old one (simplejwt's blacklist app).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken, TokenError
from rest_framework_simplejwt.tokens import RefreshToken

AUTH_TIME_CLAIM = "auth_time"

REVOKED_MESSAGE = "This token was revoked by a logout or a password change; log in again."


def token_is_current(user: Any, payload: Any) -> bool:
    """True unless the token's login predates the user's ``tokens_valid_after``."""
    valid_after = user.tokens_valid_after
    if valid_after is None:
        return True
    auth_time = payload.get(AUTH_TIME_CLAIM)
    if not isinstance(auth_time, (int, float)) or isinstance(auth_time, bool):
        return False
    return auth_time > valid_after.timestamp()


def issue_tokens(user: Any) -> dict[str, str]:
    """A fresh refresh/access pair for a login that happens now."""
    refresh = RefreshToken.for_user(user)
    refresh[AUTH_TIME_CLAIM] = timezone.now().timestamp()
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def _user_of(token: RefreshToken) -> Any:
    User = get_user_model()
    try:
        user = User.objects.get(pk=token.get("user_id"))
    except (User.DoesNotExist, ValidationError, ValueError, TypeError):
        raise AuthenticationFailed(
            "No active account found for this token.", code="no_active_account"
        ) from None
    if not user.is_active:
        raise AuthenticationFailed(
            "No active account found for this token.", code="no_active_account"
        )
    return user


def parse_refresh(raw: str) -> tuple[RefreshToken, Any]:
    """Verify a refresh token (signature, expiry, blacklist, revocation).

    Returns the token and its user; raises ``InvalidToken`` (401) otherwise.
    """
    try:
        token = RefreshToken(raw)
    except TokenError as exc:
        raise InvalidToken({"detail": str(exc), "code": "token_not_valid"}) from None
    user = _user_of(token)
    if not token_is_current(user, token):
        raise InvalidToken({"detail": REVOKED_MESSAGE, "code": "token_revoked"})
    return token, user


def rotate(raw: str) -> dict[str, str]:
    """Exchange a refresh token for a new pair; the old one is blacklisted.

    The blacklist write happens before the new pair is returned, so a stolen
    refresh token that is used twice fails the second time.
    """
    token, _user = parse_refresh(raw)
    token.blacklist()
    token.set_jti()
    token.set_exp()
    token.set_iat()
    token.outstand()
    return {"access": str(token.access_token), "refresh": str(token)}


def blacklist(raw: str) -> Any:
    """Blacklist a refresh token; returns its user (``InvalidToken`` if bad)."""
    token, user = parse_refresh(raw)
    token.blacklist()
    return user
