"""Web Push against a real push endpoint on 127.0.0.1: encrypted per RFC 8291, signed per RFC 8292.

The test is the browser and its push service: it makes the subscriber's
ECDH P-256 key pair and 16-byte auth secret as a browser does, subscribes
through the API, and runs a tiny HTTP server that receives the push
service's POST. The body is decrypted (aes128gcm, http_ece) and must be the
notification's JSON and nothing more; the ``Authorization: vapid t=…,k=…``
header must carry our public key and a JWT whose ES256 signature that key
verifies, whose ``aud`` is the endpoint's origin and whose ``sub`` is ours.
A push service answering 410 makes us forget the subscription.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from rest_framework.test import APIClient

from bookings.lifecycle import FailureReason
from realtime import notifications, vapid
from realtime.choices import DeliveryState, EventType
from realtime.models import Delivery, PushSubscription

pytestmark = pytest.mark.django_db


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def browser_keys() -> tuple[ec.EllipticCurvePrivateKey, str, str]:
    """A subscriber's key pair and auth secret, as ``PushSubscription.toJSON()`` gives them."""
    private = ec.generate_private_key(ec.SECP256R1())
    point = private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return private, b64(point), b64(os.urandom(16))


class PushService:
    """An HTTP server on 127.0.0.1 that keeps every POST and answers with ``status``."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.status = 201
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                service.received.append(
                    {
                        "path": self.path,
                        # Header names are case-insensitive: kept in lower case.
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": self.rfile.read(length),
                    }
                )
                self.send_response(service.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):  # keep the test's output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> PushService:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def service():
    with PushService() as running:
        yield running


@pytest.fixture
def keys(settings):
    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = vapid.generate()
    settings.VAPID_SUBJECT = "mailto:operators@example.test"
    settings.WEBPUSH_ALLOW_LOOPBACK = True
    return settings.VAPID_PUBLIC_KEY


@pytest.fixture
def browser(member, service, keys):
    """The member's browser, subscribed through the API; returns its private key and secret."""
    private, p256dh, auth = browser_keys()
    client = APIClient()
    client.force_authenticate(member)
    answer = client.post(
        "/api/notifications/push-subscriptions",
        {"endpoint": f"{service.origin}/push/device-1", "keys": {"p256dh": p256dh, "auth": auth}},
        format="json",
    )
    assert answer.status_code == 201, answer.content
    return private, auth


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def decrypt(received: dict, private, auth: str) -> dict:
    plain = http_ece.decrypt(
        received["body"], private_key=private, auth_secret=vapid.unb64url(auth), version="aes128gcm"
    )
    return json.loads(plain)


def vapid_header(received: dict) -> dict[str, str]:
    scheme, _, rest = received["headers"]["authorization"].partition(" ")
    assert scheme == "vapid"
    return dict(part.split("=", 1) for part in rest.split(","))


def test_a_notification_reaches_the_device_encrypted_and_signed(
    member, dynamo, service, keys, browser, committed
):
    private, auth = browser
    with committed():
        note, _ = notifications.notify(
            member,
            notifications.Notice(
                EventType.BOOKED.value, "Court booked", "Court 5 tomorrow", "/bookings/x/", "k1"
            ),
        )
    [received] = service.received
    assert received["path"] == "/push/device-1"
    assert received["headers"]["content-encoding"] == "aes128gcm"
    assert int(received["headers"]["ttl"]) > 0
    assert decrypt(received, private, auth) == {
        "id": note.pk,
        "kind": "booked",
        "title": "Court booked",
        "body": "Court 5 tomorrow",
        "url": "/bookings/x/",
    }
    parts = vapid_header(received)
    assert parts["k"] == keys
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), vapid.unb64url(keys))
    header = jwt.get_unverified_header(parts["t"])
    assert (header["alg"], header["typ"]) == ("ES256", "JWT")
    claims = jwt.decode(parts["t"], key=public, algorithms=["ES256"], audience=service.origin)
    assert claims["sub"] == "mailto:operators@example.test"
    assert time.time() < claims["exp"] <= time.time() + 24 * 3600
    delivery = Delivery.objects.get(notification=note, channel="push")
    assert delivery.state == DeliveryState.SENT


def test_a_signature_by_another_key_would_not_verify(
    member, dynamo, service, keys, browser, committed
):
    with committed():
        notifications.notify(
            member, notifications.Notice("booked", "Court booked", "", "/bookings/x/", "k1")
        )
    token = vapid_header(service.received[0])["t"]
    stranger = ec.generate_private_key(ec.SECP256R1()).public_key()
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, key=stranger, algorithms=["ES256"], audience=service.origin)


def test_a_refused_login_pushes_no_credential(
    member, dynamo, service, keys, browser, committed, portal_member, make_request
):
    from tests.bookings.conftest import finish

    private, auth = browser
    portal_member(str(member.pk))  # portal account "alice" / "portal-pass"
    with committed():
        finish(
            make_request(str(member.pk)),
            "failed",
            reason=FailureReason.BAD_CREDENTIALS,
            message="Clave portal-pass incorrecta para alice",
        )
    [received] = service.received
    payload = decrypt(received, private, auth)
    assert payload["kind"] == "credentials_rejected"
    assert set(payload) == {"id", "kind", "title", "body", "url"}
    assert "portal-pass" not in json.dumps(payload)


def test_a_subscription_the_push_service_answers_410_for_is_deleted(
    member, dynamo, service, keys, browser, committed
):
    service.status = 410
    with committed():
        note, _ = notifications.notify(
            member, notifications.Notice("failed", "Booking failed", "", "", "k1")
        )
    assert len(service.received) == 1
    assert not PushSubscription.objects.filter(member=member).exists()
    assert Delivery.objects.get(notification=note, channel="push").state == DeliveryState.FAILED


def test_a_busy_push_service_is_tried_again(member, dynamo, service, keys, browser, committed):
    service.status = 503
    with committed():
        note, _ = notifications.notify(
            member, notifications.Notice("failed", "Booking failed", "", "", "k1")
        )
    # Eager retries run at once; every try reached the server and failed.
    delivery = Delivery.objects.get(notification=note, channel="push")
    assert len(service.received) == delivery.attempts > 1
    assert delivery.state == DeliveryState.PENDING
    assert "503" in delivery.error
