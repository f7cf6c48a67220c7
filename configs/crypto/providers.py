"""Key providers: who wraps and unwraps the per-value data keys.

``KmsKeyProvider`` asks KMS for a fresh data key per value
(``GenerateDataKey``) under the environment's key (``alias/tennisbook-<env>``)
and never sees the key material itself. ``LocalKeyProvider`` is for
development without KMS: its key-encryption key is derived with HKDF from a
secret kept out of the code (``CRYPTO_LOCAL_SECRET``, or a 0600 key file
created on first use). Both bind the wrapped data key to the encryption
context, so a wrapped key cannot be replayed for another record either.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from .errors import DecryptionFailed, KeyNotConfigured, KeyServiceUnavailable, WrongEnvironment


@dataclass(frozen=True)
class DataKey:
    plaintext: bytes
    encrypted: bytes
    key_id: str


def canonical_context(context: dict[str, str]) -> bytes:
    return json.dumps(context, sort_keys=True, separators=(",", ":")).encode()


class KmsKeyProvider:
    """Envelope keys from AWS KMS (or the local emulator)."""

    name = "kms"

    def __init__(self, key_id: str, *, region: str, endpoint_url: str = "", max_attempts: int = 4):
        self.key_id = key_id
        self.client = boto3.client(
            "kms",
            region_name=region,
            endpoint_url=endpoint_url or None,
            config=Config(
                retries={"total_max_attempts": max_attempts, "mode": "standard"},
                connect_timeout=2,
                read_timeout=5,
            ),
        )
        self._arn: str | None = None

    def _call(self, operation: str, **kwargs):
        """Call KMS; botocore already retried throttling with backoff."""
        try:
            return getattr(self.client, operation)(**kwargs)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in ("InvalidCiphertextException", "IncorrectKeyException"):
                raise DecryptionFailed(
                    "KMS refused to unwrap the data key: the value belongs to another "
                    "record, another key or another environment"
                ) from exc
            if code in ("NotFoundException", "DisabledException", "KMSInvalidStateException"):
                raise KeyNotConfigured(
                    f"KMS key {self.key_id!r} is missing or disabled ({code}): "
                    "run `python manage.py setup_keys`."
                ) from exc
            raise KeyServiceUnavailable(f"KMS {operation} failed: {code or exc}") from exc
        except BotoCoreError as exc:
            raise KeyServiceUnavailable(f"KMS cannot be reached: {exc}") from exc

    def current_key_id(self) -> str:
        """The ARN the alias points at now (what new values are wrapped under)."""
        if self._arn is None:
            self._arn = self._call("describe_key", KeyId=self.key_id)["KeyMetadata"]["Arn"]
        return self._arn

    def generate(self, context: dict[str, str]) -> DataKey:
        reply = self._call(
            "generate_data_key", KeyId=self.key_id, KeySpec="AES_256", EncryptionContext=context
        )
        return DataKey(reply["Plaintext"], reply["CiphertextBlob"], reply["KeyId"])

    def unwrap(self, encrypted: bytes, key_id: str, context: dict[str, str]) -> bytes:
        reply = self._call(
            "decrypt", CiphertextBlob=encrypted, KeyId=key_id, EncryptionContext=context
        )
        return reply["Plaintext"]

    def rewrap(self, encrypted: bytes, key_id: str, context: dict[str, str]) -> tuple[bytes, str]:
        """Re-wrap a data key under the current key, inside KMS (ReEncrypt)."""
        reply = self._call(
            "re_encrypt",
            CiphertextBlob=encrypted,
            SourceKeyId=key_id,
            SourceEncryptionContext=context,
            DestinationKeyId=self.key_id,
            DestinationEncryptionContext=context,
        )
        return reply["CiphertextBlob"], reply["KeyId"]

    def ensure_key(self, env: str) -> tuple[str, bool]:
        """Create the environment's key and alias if missing (rotation on)."""
        try:
            return self.current_key_id(), False
        except KeyNotConfigured:
            pass
        if not self.key_id.startswith("alias/"):
            raise KeyNotConfigured(f"KMS key {self.key_id!r} does not exist; create it in AWS.")
        metadata = self._call(
            "create_key",
            Description=f"tennisbook {env}: wraps members' portal credentials",
            KeyUsage="ENCRYPT_DECRYPT",
            KeySpec="SYMMETRIC_DEFAULT",
            Tags=[{"TagKey": "app", "TagValue": "tennisbook"}, {"TagKey": "env", "TagValue": env}],
        )["KeyMetadata"]
        self._call("enable_key_rotation", KeyId=metadata["KeyId"])
        self._call("create_alias", AliasName=self.key_id, TargetKeyId=metadata["KeyId"])
        self._arn = None
        return metadata["Arn"], True


class LocalKeyProvider:
    """Development keys derived from secrets on this machine, never in code.

    The key ring holds every local key ever made (so old values still
    decrypt) and names the current one; ``add_key`` starts a rotation.
    """

    name = "local"
    _lock = threading.Lock()

    def __init__(self, env: str, *, secret: str = "", key_file: Path | None = None):
        self.env = env
        self.secret = secret
        self.key_file = key_file

    # --- the key ring -------------------------------------------------------

    def _ring(self) -> dict:
        if self.secret:
            return {"current": "env", "keys": {"env": self.secret}}
        if self.key_file is None:
            raise KeyNotConfigured("set CRYPTO_LOCAL_SECRET or CRYPTO_LOCAL_KEY_FILE.")
        with self._lock:
            if not self.key_file.exists():
                self._write_ring({"current": "k1", "keys": {"k1": secrets.token_urlsafe(32)}})
            try:
                ring = json.loads(self.key_file.read_text())
                ring["keys"][ring["current"]]
            except (ValueError, KeyError, TypeError):
                raise KeyNotConfigured(
                    f"the local key file {self.key_file} is unreadable; restore it from backup."
                ) from None
        return ring

    def _write_ring(self, ring: dict) -> None:
        self.key_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = self.key_file.with_suffix(".tmp")
        descriptor = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            json.dump(ring, handle)
        os.replace(tmp, self.key_file)

    def add_key(self) -> str:
        """Make a new current key (old ones stay for decryption)."""
        if self.secret:
            raise KeyNotConfigured("CRYPTO_LOCAL_SECRET is a single key: change it to rotate.")
        ring = self._ring()
        with self._lock:
            name = f"k{len(ring['keys']) + 1}"
            ring["keys"][name] = secrets.token_urlsafe(32)
            ring["current"] = name
            self._write_ring(ring)
        return self._key_id(name)

    def _key_id(self, name: str) -> str:
        return f"local:{self.env}:{name}"

    def _kek(self, key_id: str) -> bytes:
        try:
            _, env, name = key_id.split(":")
        except ValueError:
            raise DecryptionFailed(f"{key_id!r} is not a local key id") from None
        if env != self.env:
            raise WrongEnvironment(f"the value was wrapped by a {env!r} key; this is {self.env!r}")
        secret = self._ring()["keys"].get(name)
        if secret is None:
            raise DecryptionFailed(f"local key {key_id!r} is not in the key ring")
        return HKDF(
            algorithm=hashes.SHA256(),
            length=32,
            salt=b"tennisbook-local-kek",
            info=f"{self.env}/{name}".encode(),
        ).derive(secret.encode())

    # --- provider interface --------------------------------------------------

    def current_key_id(self) -> str:
        return self._key_id(self._ring()["current"])

    def _wrap(self, key: bytes, key_id: str, context: dict[str, str]) -> bytes:
        nonce = os.urandom(12)
        return nonce + AESGCM(self._kek(key_id)).encrypt(nonce, key, canonical_context(context))

    def generate(self, context: dict[str, str]) -> DataKey:
        key_id = self.current_key_id()
        plaintext = AESGCM.generate_key(bit_length=256)
        return DataKey(plaintext, self._wrap(plaintext, key_id, context), key_id)

    def unwrap(self, encrypted: bytes, key_id: str, context: dict[str, str]) -> bytes:
        try:
            return AESGCM(self._kek(key_id)).decrypt(
                encrypted[:12], encrypted[12:], canonical_context(context)
            )
        except InvalidTag:
            raise DecryptionFailed(
                "the data key does not unwrap: the value belongs to another record or key"
            ) from None

    def rewrap(self, encrypted: bytes, key_id: str, context: dict[str, str]) -> tuple[bytes, str]:
        current = self.current_key_id()
        return self._wrap(self.unwrap(encrypted, key_id, context), current, context), current

    def ensure_key(self, env: str) -> tuple[str, bool]:
        existed = self.secret or (self.key_file is not None and self.key_file.exists())
        return self.current_key_id(), not existed
