"""DRF authentication: simplejwt plus the per-user revocation check."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from rest_framework_simplejwt import authentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken

from .tokens import REVOKED_MESSAGE, token_is_current


class JWTAuthentication(authentication.JWTAuthentication):
    """Bearer access tokens, refused at once once the user revoked them.

    ``alg: none``, a tampered signature and an expired token are refused by
    simplejwt itself (the algorithm is pinned to ``SIMPLE_JWT["ALGORITHM"]``).
    """

    def get_user(self, validated_token: Any) -> Any:
        try:
            user = super().get_user(validated_token)
        except (ValidationError, ValueError, TypeError):
            # A well-signed token whose user id is not a UUID: never ours.
            raise InvalidToken({"detail": "Token is invalid", "code": "token_not_valid"}) from None
        if not token_is_current(user, validated_token):
            raise AuthenticationFailed(REVOKED_MESSAGE, code="token_revoked")
        return user
