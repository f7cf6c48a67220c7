"""Encryption of members' secrets at rest (KMS envelope encryption).

Nothing outside this package sees an envelope: models declare an
``EncryptedAttribute`` and read and write plaintext.
"""

from .attributes import EncryptedAttribute, EncryptedModelMixin, PlaintextWriteRefused
from .audit import acting_as
from .cipher import Binding, decrypt, encrypt, ensure_key, get_provider, key_id_of, rewrap
from .errors import (
    CryptoError,
    DecryptionFailed,
    KeyNotConfigured,
    KeyServiceUnavailable,
    WrongEnvironment,
)

__all__ = [
    "Binding",
    "CryptoError",
    "DecryptionFailed",
    "EncryptedAttribute",
    "EncryptedModelMixin",
    "KeyNotConfigured",
    "KeyServiceUnavailable",
    "PlaintextWriteRefused",
    "WrongEnvironment",
    "acting_as",
    "decrypt",
    "encrypt",
    "ensure_key",
    "get_provider",
    "key_id_of",
    "rewrap",
]
