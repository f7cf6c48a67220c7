"""Envelope encryption of single values.

Per value: a fresh 256-bit data key from the provider, wrapped under the
environment's key with the encryption context; AES-256-GCM with a random
96-bit nonce and the same context as associated data, so a ciphertext
copied to another member's row, field or environment fails to decrypt. The
cipher key and a key commitment are derived from the data key with HKDF:
the commitment is checked before decryption, so one ciphertext can never be
opened by two different data keys (the property the AWS Encryption SDK calls
key commitment).
"""

from __future__ import annotations

import functools
import hmac
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from . import audit
from .envelope import ALGORITHM, VERSION, Envelope
from .errors import CryptoError, DecryptionFailed, WrongEnvironment
from .providers import KmsKeyProvider, LocalKeyProvider, canonical_context


@dataclass(frozen=True)
class Binding:
    """What a value belongs to: the encryption context, minus the environment."""

    purpose: str
    user_id: str
    field: str
    # The club the value belongs to; None only for values written before
    # clubs existed (``migrate_clubs`` re-encrypts them with their club).
    club: str | None = None

    def context(self, env: str) -> dict[str, str]:
        context = {
            "app": "tennisbook",
            "env": env,
            "purpose": self.purpose,
            "user_id": self.user_id,
            "field": self.field,
        }
        if self.club is not None:
            context["club"] = self.club
        return context


@functools.cache
def get_provider() -> KmsKeyProvider | LocalKeyProvider:
    """The configured key provider (cached; ``get_provider.cache_clear()`` in tests)."""
    if settings.CRYPTO_KEY_PROVIDER == "local":
        return LocalKeyProvider(
            settings.TENNISBOOK_ENV,
            secret=settings.CRYPTO_LOCAL_SECRET,
            key_file=settings.CRYPTO_LOCAL_KEY_FILE,
        )
    return KmsKeyProvider(
        settings.KMS_KEY_ID,
        region=settings.DYNAMODB["region"],
        endpoint_url=settings.KMS_ENDPOINT_URL,
        max_attempts=settings.KMS_MAX_ATTEMPTS,
    )


def _derive(data_key: bytes, label: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"tennisbook/v1/" + label
    ).derive(data_key)


def _aad(context: dict[str, str]) -> bytes:
    return f"{VERSION}|{ALGORITHM}|".encode() + canonical_context(context)


def encrypt(plaintext: str, binding: Binding) -> str:
    """Encrypt ``plaintext`` for ``binding``; returns the envelope to store."""
    env = settings.TENNISBOOK_ENV
    context = binding.context(env)
    key_id = None
    try:
        data_key = get_provider().generate(context)
        key_id = data_key.key_id
        nonce = os.urandom(12)
        ciphertext = AESGCM(_derive(data_key.plaintext, b"enc")).encrypt(
            nonce, plaintext.encode("utf-8"), _aad(context)
        )
        envelope = Envelope(
            env=env,
            key_id=data_key.key_id,
            encrypted_key=data_key.encrypted,
            nonce=nonce,
            ciphertext=ciphertext,
            commitment=_derive(data_key.plaintext, b"commit"),
        )
    except CryptoError as exc:
        _record("encrypt", binding, key_id, exc)
        raise
    _record("encrypt", binding, envelope.key_id)
    return envelope.dumps()


def decrypt(stored: str, binding: Binding) -> str:
    """Decrypt an envelope stored for ``binding``; ``DecryptionFailed`` otherwise."""
    env = settings.TENNISBOOK_ENV
    key_id = None
    try:
        envelope = Envelope.loads(stored)
        key_id = envelope.key_id
        if envelope.env != env:
            raise WrongEnvironment(
                f"this value was encrypted for the {envelope.env!r} environment; "
                f"this is {env!r}, whose key cannot and must not open it"
            )
        context = binding.context(env)
        data_key = get_provider().unwrap(envelope.encrypted_key, envelope.key_id, context)
        if not hmac.compare_digest(_derive(data_key, b"commit"), envelope.commitment):
            raise DecryptionFailed("the key commitment does not match the data key")
        try:
            plaintext = AESGCM(_derive(data_key, b"enc")).decrypt(
                envelope.nonce, envelope.ciphertext, _aad(context)
            )
        except InvalidTag:
            raise DecryptionFailed(
                "the ciphertext is tampered with or belongs to another record"
            ) from None
    except CryptoError as exc:
        _record("decrypt", binding, key_id, exc)
        raise
    _record("decrypt", binding, key_id)
    return plaintext.decode("utf-8")


def key_id_of(stored: str) -> str:
    return Envelope.loads(stored).key_id


def rewrap(stored: str, binding: Binding) -> str | None:
    """Re-wrap the value's data key under the current key; None if already there.

    The ciphertext is untouched and the plaintext never leaves the key
    provider (KMS ``ReEncrypt``), so rotation needs no decryption here.
    """
    envelope = Envelope.loads(stored)
    provider = get_provider()
    current = provider.current_key_id()
    if envelope.key_id == current:
        return None
    if envelope.env != settings.TENNISBOOK_ENV:
        raise WrongEnvironment(f"cannot rotate a value of the {envelope.env!r} environment")
    context = binding.context(envelope.env)
    try:
        encrypted_key, key_id = provider.rewrap(envelope.encrypted_key, envelope.key_id, context)
    except CryptoError as exc:
        _record("rewrap", binding, envelope.key_id, exc)
        raise
    _record("rewrap", binding, key_id)
    return envelope.with_key(key_id, encrypted_key).dumps()


def ensure_key() -> tuple[str, bool]:
    """Create the environment's key if our tooling may; returns (key id, created)."""
    return get_provider().ensure_key(settings.TENNISBOOK_ENV)


def _record(operation: str, binding: Binding, key_id: str | None, error: Exception | None = None):
    audit.record(
        operation,
        user_id=binding.user_id,
        field=binding.field,
        purpose=binding.purpose,
        key_id=key_id,
        outcome="ok" if error is None else type(error).__name__,
        error=str(error) if error else None,
    )
