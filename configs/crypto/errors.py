"""What can go wrong with encrypted values, as types callers can act on."""


class CryptoError(Exception):
    """Base class of every encryption failure."""


class KeyServiceUnavailable(CryptoError):
    """KMS could not be reached or kept throttling after bounded retries."""


class DecryptionFailed(CryptoError):
    """The value is tampered with, moved to another record, or under a foreign key."""


class WrongEnvironment(DecryptionFailed):
    """The value was encrypted for another environment (dev/test/prod)."""


class KeyNotConfigured(CryptoError):
    """The configured key does not exist or cannot be used."""
