"""VAPID key pairs (RFC 8292): make one, check one, keep one in a file.

Plain ``cryptography``, no Django: ``manage.py generate_vapid_keys`` prints
a pair for an environment, and ``make run`` (``tennisbook.devstack``)
keeps one in its var dir so the stack's processes get the same keys on
every start (a browser's subscription is bound to the public key: a new
key would silently orphan every subscribed device).

Both keys are base64url without padding, the form browsers and push
libraries use: the public key is the uncompressed P-256 point (65 bytes,
the ``applicationServerKey`` of ``PushManager.subscribe``), the private
key its 32-byte scalar.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


class BadKey(ValueError):
    """A VAPID key that is not one (wrong length, not base64url, not on the curve)."""


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise BadKey("not base64url") from exc


def public_of(private_key: ec.EllipticCurvePrivateKey) -> str:
    point = private_key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64url(point)


def generate() -> tuple[str, str]:
    """A new pair: ``(public, private)``."""
    key = ec.generate_private_key(ec.SECP256R1())
    return public_of(key), b64url(key.private_numbers().private_value.to_bytes(32, "big"))


def load_private(private: str) -> ec.EllipticCurvePrivateKey:
    raw = unb64url(private.strip())
    if len(raw) != 32:
        raise BadKey(f"a private key is 32 bytes, this one is {len(raw)}")
    try:
        return ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
    except ValueError as exc:
        raise BadKey("not a P-256 private key") from exc


def check_pair(public: str, private: str) -> None:
    """``BadKey`` unless ``public`` is the public key of ``private``."""
    if public_of(load_private(private)) != public.strip():
        raise BadKey("the public key is not the private key's")


def load_or_create(path: Path) -> dict[str, str]:
    """The pair kept in ``path`` (JSON, mode 0600), made and written there on first use."""
    if path.exists():
        data = json.loads(path.read_text())
        check_pair(data["public_key"], data["private_key"])
        return data
    public, private = generate()
    data = {"public_key": public, "private_key": private}
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(data, handle)
    return data
