"""Who may open a socket and who may watch which stream.

The consumer calls these and nothing else: ``authenticate`` (the session's
member for pages, a bearer JWT for API clients), ``origin_allowed`` (a
page of another site must not ride the member's cookie) and ``may_watch``
(the owner, the request's partners who are members, operators of its club;
a template's owner and the members it is shared with).
"""

from __future__ import annotations

import uuid
from importlib import import_module
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user
from django.core.cache import cache
from django.http.request import split_domain_port, validate_host
from redis.exceptions import RedisError
from rest_framework.exceptions import AuthenticationFailed

from accounts.authentication import JWTAuthentication
from accounts.models import BookingTemplate
from bookings.queries import may_view
from bookings.services import requests_repo

from .broadcast import BadStream, check_stream, member_stream


def _headers(scope: dict) -> dict[str, str]:
    return {
        name.decode("latin-1").lower(): value.decode("latin-1")
        for name, value in scope.get("headers", [])
    }


def bearer_token(scope: dict) -> str | None:
    """The ``Authorization`` header's bearer token: None without the header, "" if malformed."""
    header = _headers(scope).get("authorization")
    if header is None:
        return None
    kind, _, token = header.partition(" ")
    return token.strip() if kind.lower() == "bearer" else ""


def authenticate(scope: dict) -> tuple[Any, str] | None:
    """(user, "session" | "token") for the socket's caller, or None: refuse it.

    A bearer header wins: an API client is judged on its token alone, and a
    bad one is refused even when a session cookie came along.
    """
    token = bearer_token(scope)
    if token == "":
        return None
    if token is not None:
        auth = JWTAuthentication()
        try:
            user = auth.get_user(auth.get_validated_token(token.encode()))
        except AuthenticationFailed:  # InvalidToken is one: expired, tampered, revoked
            return None
        return (user, "token") if user.is_active else None
    user = scope.get("user")
    if user is not None and user.is_authenticated and user.is_active:
        return user, "session"
    return None


def still_valid(scope: dict, how: str, user: Any) -> Any | None:
    """The socket's member read afresh while its credentials hold (session or token); else None.

    Fresh, so what changed since the handshake (an operator's clubs, staff
    rights) counts at the next check of each watched stream.
    """
    if how == "token":
        found = authenticate(scope)
        return found[0] if found is not None and found[0].pk == user.pk else None
    session = scope.get("session")
    if session is None or not session.session_key:
        return None
    # A fresh read: the session may have expired, been flushed (logout) or
    # outlived a password change since the handshake; Django's own check.
    stored = import_module(settings.SESSION_ENGINE).SessionStore(session_key=session.session_key)
    current = get_user(SimpleNamespace(session=stored))
    if current.is_authenticated and current.pk == user.pk and current.is_active:
        return current
    return None


def reads_the_database(stream: str) -> bool:
    """Whether ``may_watch`` asks the Django database for ``stream`` (else DynamoDB or nothing)."""
    return stream.startswith("template:")


# Refused watches a member may make in a window, on every socket together: a
# page asks for the few streams it shows, so more is someone probing ids
# (each costs a DynamoDB read), and reconnecting does not start them afresh.
MAX_REFUSED_WATCHES = 20
REFUSED_WINDOW_S = 600


def _refused_key(user_id: object) -> str:
    return f"live:refused-watches:{user_id}"


def count_refused_watch(user_id: object) -> int | None:
    """Count one refused watch of the member's; their count in this window, None if unknown.

    The count lives in the cache (Redis): unreachable, the caller counts
    on its socket alone.
    """
    key = _refused_key(user_id)
    try:
        cache.add(key, 0, timeout=REFUSED_WINDOW_S)  # the window starts at the first refusal
        return int(cache.incr(key))
    except (RedisError, OSError, ValueError):  # ValueError: expired between add and incr
        return None


def refused_too_often(user_id: object) -> bool:
    """Whether the member used up their refused watches in this window."""
    try:
        return int(cache.get(_refused_key(user_id)) or 0) >= MAX_REFUSED_WATCHES
    except (RedisError, OSError, ValueError):
        return False


def origin_allowed(scope: dict, how: str) -> bool:
    """A session socket needs the site's own Origin; a token socket may send none."""
    headers = _headers(scope)
    origin = headers.get("origin")
    if origin is None:
        return how == "token"
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    host, _port = split_domain_port(parts.netloc)
    if not validate_host(host, settings.ALLOWED_HOSTS):
        return False
    # The page must be this very site (host and port), not a sibling allowed host.
    return how == "token" or parts.netloc.lower() == headers.get("host", "").lower()


def may_watch(user: Any, stream: str) -> bool:
    """Whether ``user`` may receive the events of ``stream``.

    Raises ``tennisbook.dynamo.DataError`` when the request cannot be read.
    """
    try:
        kind, _, key = check_stream(stream).partition(":")
    except BadStream:
        return False
    if kind == "user":
        return stream == member_stream(user.pk)
    try:
        uuid.UUID(key)
    except ValueError:
        return False
    if kind == "request":
        # DataError (the store is down) is the caller's: "try again", not "forbidden".
        item = requests_repo.find_by_id(key)
        return item is not None and may_view(user, item)
    if kind == "template":
        return (
            BookingTemplate.objects.filter(pk=key, owner=user).exists()
            or BookingTemplate.objects.filter(pk=key, shares__recipient=user).exists()
        )
    return False
