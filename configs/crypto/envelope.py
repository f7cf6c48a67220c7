"""The stored form of an encrypted value.

An envelope is a compact JSON string in one DynamoDB attribute:

    {"v": 1, "alg": "A256GCM", "env": "prod", "kid": <key id>,
     "edk": <encrypted data key>, "iv": <96-bit nonce>, "ct": <ciphertext+tag>,
     "cm": <key commitment>}

Binary parts are base64url. ``v`` lets the format change without breaking
values already stored. Nothing in it is secret: the data key is wrapped by
the key provider, and the ciphertext is authenticated together with the
encryption context (purpose, user, field, environment) as associated data.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

from .errors import DecryptionFailed

VERSION = 1
ALGORITHM = "A256GCM"
PREFIX = '{"v":'


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class Envelope:
    env: str
    key_id: str
    encrypted_key: bytes
    nonce: bytes
    ciphertext: bytes
    commitment: bytes
    version: int = VERSION
    algorithm: str = ALGORITHM

    def dumps(self) -> str:
        return json.dumps(
            {
                "v": self.version,
                "alg": self.algorithm,
                "env": self.env,
                "kid": self.key_id,
                "edk": _b64(self.encrypted_key),
                "iv": _b64(self.nonce),
                "ct": _b64(self.ciphertext),
                "cm": _b64(self.commitment),
            },
            separators=(",", ":"),
        )

    @classmethod
    def loads(cls, text: str) -> Envelope:
        try:
            data = json.loads(text)
            if data["v"] != VERSION or data["alg"] != ALGORITHM:
                raise DecryptionFailed(f"unsupported envelope version {data['v']}/{data['alg']}")
            envelope = cls(
                env=data["env"],
                key_id=data["kid"],
                encrypted_key=_unb64(data["edk"]),
                nonce=_unb64(data["iv"]),
                ciphertext=_unb64(data["ct"]),
                commitment=_unb64(data["cm"]),
            )
        except DecryptionFailed:
            raise
        except (ValueError, KeyError, TypeError) as exc:
            raise DecryptionFailed("the stored value is not a readable envelope") from exc
        if len(envelope.nonce) != 12:
            raise DecryptionFailed("the stored value has a malformed nonce")
        return envelope

    def with_key(self, key_id: str, encrypted_key: bytes) -> Envelope:
        """The same ciphertext with its data key re-wrapped (rotation)."""
        return Envelope(
            self.env, key_id, encrypted_key, self.nonce, self.ciphertext, self.commitment
        )


def looks_like_envelope(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)
