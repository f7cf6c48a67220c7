"""Web Push: whether it is on, members' subscriptions, and sending one message.

Push is on when the settings hold a valid VAPID pair (``status``); off, the
profile's push column says why and nothing is queued. A subscription is
what ``PushManager.subscribe`` gave the member's browser: the push
service's endpoint and the keys the payload is encrypted to (RFC 8291,
aes128gcm, done by pywebpush). Endpoints come from browsers, so only the
push services' hosts (``WEBPUSH_ENDPOINT_HOSTS``) are accepted: a member
must not be able to make the workers post to an internal address.

``send`` raises ``Gone`` (404/410: the browser unsubscribed; the caller
deletes it), ``Refused`` (another 4xx: sending again would not help) or
``Unavailable`` (429, 5xx, the network) so that a task can retry.
"""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

import requests
import structlog
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tennisbook.api.errors import ConflictError

from . import vapid
from .models import PushSubscription

log = structlog.get_logger(__name__)

MAX_PER_MEMBER = 20  # devices; the oldest subscription goes when a new one would pass it


class Gone(Exception):
    """The push service no longer knows the subscription (404 or 410)."""


class Refused(Exception):
    """The push service refused the message for good (another 4xx)."""


class Unavailable(Exception):
    """The push service is unreachable or busy (network, 429, 5xx): try again later."""


class BadSubscription(ValueError):
    """A subscription a browser could not have made, or one for a host we do not send to.

    ``field`` names the offending part (``endpoint``, ``keys.p256dh``, ``keys.auth``).
    """

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Status:
    enabled: bool
    public_key: str = ""
    reason: str = ""


def status() -> Status:
    """Whether push is on here, with the public key, or the reason it is off."""
    return _status(settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY)


@lru_cache(maxsize=4)
def _status(public: str, private: str) -> Status:
    if not public or not private:
        missing = " and ".join(
            name
            for name, value in (("VAPID_PUBLIC_KEY", public), ("VAPID_PRIVATE_KEY", private))
            if not value
        )
        return Status(False, reason=f"Push is off on this site: {missing} not set.")
    try:
        vapid.check_pair(public, private)
    except vapid.BadKey as exc:
        # Never the key itself: only what is wrong with it.
        return Status(False, reason=f"Push is off on this site: its VAPID keys are wrong ({exc}).")
    return Status(True, public_key=public)


# --- subscriptions ------------------------------------------------------------------


def require_enabled() -> Status:
    """The status if push is on; a 409 ``push_off`` saying why otherwise."""
    current = status()
    if not current.enabled:
        raise ConflictError(current.reason, code="push_off")
    return current


def check_endpoint(endpoint: str) -> str:
    """``endpoint`` if it is a push service's URL we send to; ``BadSubscription`` otherwise."""
    parts = urlsplit(endpoint)
    host = (parts.hostname or "").lower()
    if not host or parts.username or parts.password:
        raise BadSubscription("endpoint", "Enter the push service's URL the browser gave.")
    if _is_loopback(host):
        if settings.WEBPUSH_ALLOW_LOOPBACK and parts.scheme in ("http", "https"):
            return endpoint
        raise BadSubscription("endpoint", "Push endpoints on this machine are not accepted here.")
    if parts.scheme != "https":
        raise BadSubscription("endpoint", "A push endpoint must be an https URL.")
    allowed = [h.lower().lstrip(".") for h in settings.WEBPUSH_ENDPOINT_HOSTS]
    if not any(host == h or host.endswith("." + h) for h in allowed):
        raise BadSubscription(
            "endpoint", f"{host} is not a push service this site sends to ({', '.join(allowed)})."
        )
    return endpoint


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_keys(p256dh: str, auth: str) -> None:
    """``BadSubscription`` unless the keys are a P-256 public key and a 16-byte secret."""
    try:
        point = vapid.unb64url(p256dh)
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except (vapid.BadKey, ValueError):
        raise BadSubscription(
            "keys.p256dh", "Not a browser's push key (a P-256 public key in base64url)."
        ) from None
    try:
        secret = vapid.unb64url(auth)
    except vapid.BadKey:
        secret = b""
    if len(secret) != 16:
        raise BadSubscription("keys.auth", "Not a browser's push secret (16 bytes in base64url).")


def subscribe(member, endpoint: str, p256dh: str, auth: str, user_agent: str = ""):
    """Keep a browser's subscription for ``member``; returns ``(subscription, created)``.

    The values must have passed ``check_endpoint`` and ``check_keys`` (the
    serializer calls them). The same endpoint subscribed again (another
    member on that browser, or new keys) is updated, never duplicated.
    """
    with transaction.atomic():
        subscription, created = PushSubscription.objects.update_or_create(
            endpoint=endpoint,
            defaults={
                "member": member,
                "p256dh": p256dh,
                "auth": auth,
                "user_agent": user_agent[:200],
            },
        )
        extra = PushSubscription.objects.filter(member=member).order_by("-created_at", "-id")[
            MAX_PER_MEMBER:
        ]
        PushSubscription.objects.filter(pk__in=list(extra.values_list("pk", flat=True))).delete()
    return subscription, created


def unsubscribe(member, subscription_id: int) -> None:
    """Forget one of ``member``'s subscriptions; ``DoesNotExist`` if it is not theirs."""
    deleted, _ = PushSubscription.objects.filter(member=member, pk=subscription_id).delete()
    if not deleted:
        raise PushSubscription.DoesNotExist(subscription_id)


def subscriptions_of(member):
    return PushSubscription.objects.filter(member=member)


# --- sending ------------------------------------------------------------------------


def payload_of(notification) -> dict:
    """What a device is sent: enough to show it and open it, never a secret."""
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "title": notification.title,
        "body": notification.body,
        "url": notification.url,
    }


def send(subscription: PushSubscription, payload: dict) -> None:
    """Encrypt ``payload`` to the subscription and post it, signed with our VAPID key."""
    from pywebpush import WebPushException, webpush  # heavy (aiohttp): only where it sends

    current = status()
    if not current.enabled:
        raise Refused(current.reason)
    info = {
        "endpoint": check_endpoint(subscription.endpoint),
        "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
    }
    try:
        webpush(
            info,
            data=json.dumps(payload, separators=(",", ":")),
            vapid_private_key=settings.VAPID_PRIVATE_KEY,
            vapid_claims={"sub": settings.VAPID_SUBJECT},
            ttl=settings.WEBPUSH_TTL_SECONDS,
            timeout=settings.WEBPUSH_TIMEOUT_SECONDS,
            headers={"Urgency": "high"},
        )
    except WebPushException as exc:
        code = exc.status_code
        if code in (404, 410):
            raise Gone(f"the push service answered {code}") from None
        if code is not None and 400 <= code < 500 and code != 429:
            raise Refused(f"the push service answered {code}") from None
        raise Unavailable(f"the push service answered {code}") from None
    except requests.RequestException as exc:
        raise Unavailable(f"{type(exc).__name__} reaching the push service") from None
    PushSubscription.objects.filter(pk=subscription.pk).update(last_sent_at=timezone.now())
