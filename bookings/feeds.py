"""A member's calendar subscription: a secret URL that calendar apps poll without a session.

``/calendar/<token>.ics`` holds the member's booked courts. The token is
``secrets.token_urlsafe(32)``, shown to the member once; only its SHA-256
is stored (``User.calendar_token_hash``, unique), so a copy of the
database gives no working URL. A new token replaces the hash in one
conditional update: the old URL stops at that instant. Lookups go by the
hash (an indexed equality), never by comparing tokens one by one.

``make_token`` starts a feed, ``rotate_token`` replaces its URL,
``revoke_token`` stops it, ``find_member`` answers who a token belongs to.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from typing import Any

import structlog
from django.contrib.auth import get_user_model
from django.utils import timezone

log = structlog.get_logger(__name__)

TOKEN_BYTES = 32
# token_urlsafe(32): 43 characters of the URL-safe base64 alphabet.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")


class FeedError(Exception):
    """The feed is not in the state the action needs (a stale page, a second tab)."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def has_feed(user: Any) -> bool:
    return bool(user.calendar_token_hash)


def make_token(user: Any) -> str:
    """Start ``user``'s feed; returns its token (the only time it is known).

    Precondition: the member has no feed. A member who has one (another tab
    made it) gets ``FeedError``: a second click must not silently break the
    URL a calendar app already polls; ``rotate_token`` does that on purpose.
    """
    token = _store(user, exists=False)
    if token is None:
        raise FeedError("You already have a calendar link; regenerate it to get a new one.")
    log.info("calendar_feed.started", user_id=str(user.pk))
    return token


def rotate_token(user: Any) -> str:
    """A new token for ``user``'s feed; the old URL answers 404 from now on.

    Precondition: the member has a feed (``FeedError`` otherwise).
    """
    token = _store(user, exists=True)
    if token is None:
        raise FeedError("You have no calendar link to regenerate; create one first.")
    log.info("calendar_feed.rotated", user_id=str(user.pk))
    return token


def revoke_token(user: Any) -> bool:
    """Stop ``user``'s feed; whether there was one to stop."""
    model = get_user_model()
    stopped = model.objects.filter(pk=user.pk, calendar_token_hash__isnull=False).update(
        calendar_token_hash=None, calendar_token_created=None
    )
    user.calendar_token_hash = None
    user.calendar_token_created = None
    if stopped:
        log.info("calendar_feed.stopped", user_id=str(user.pk))
    return bool(stopped)


def find_member(token: object) -> Any | None:
    """The active member whose feed token is ``token``; None for any other string."""
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        return None
    model = get_user_model()
    member = model.objects.filter(calendar_token_hash=token_hash(token), is_active=True).first()
    if member is None:
        return None
    # A new password ends every session and API token: a link made before it ends too.
    revoked = member.tokens_valid_after
    made = member.calendar_token_created
    if revoked is not None and (made is None or made < revoked):
        return None
    return member


def _store(user: Any, *, exists: bool) -> str | None:
    """A new token, its hash written if the member's feed exists (or not) as said; else None.

    A conditional update, so two tabs can never both believe their token is
    the live one. (Two fresh 256-bit tokens never share a hash; the unique
    column would refuse it loudly if they did.)
    """
    token = secrets.token_urlsafe(TOKEN_BYTES)
    digest = token_hash(token)
    now = timezone.now()
    changed = (
        get_user_model()
        .objects.filter(pk=user.pk, calendar_token_hash__isnull=not exists)
        .update(calendar_token_hash=digest, calendar_token_created=now)
    )
    if not changed:
        return None
    user.calendar_token_hash = digest
    user.calendar_token_created = now
    return token
