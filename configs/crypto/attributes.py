"""A PynamoDB attribute that is encrypted on save and decrypted on access.

Code that uses the model reads and assigns plaintext
(``config.portal_password = "..."``; ``config.portal_password``); the item
in DynamoDB only ever holds an envelope. How:

- assigning a plaintext keeps it in memory as ``_Plain``;
- ``EncryptedModelMixin.serialize`` (every save goes through it) encrypts
  pending plaintexts with the record's binding (purpose, hash key, field)
  and serializes the envelopes; a plaintext that reached ``serialize`` any
  other way raises instead of being written;
- loading keeps the envelope (``_Sealed``); the first access decrypts it
  once and keeps the plaintext on that instance only.

Listing records therefore costs no KMS call; only code that really needs
the secret (the booking engine) pays for one decryption, and is audited.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from pynamodb.attributes import Attribute
from pynamodb.constants import STRING

from . import cipher

_raw_access: ContextVar[bool] = ContextVar("encrypted_raw_access", default=False)


class _Plain:
    """A plaintext waiting to be encrypted; its repr never shows it."""

    __slots__ = ("value",)

    def __init__(self, value: str):
        self.value = value

    def __repr__(self) -> str:
        return "<plaintext, not yet encrypted>"


class _Sealed:
    """A stored envelope, and its plaintext once this instance decrypted it."""

    __slots__ = ("envelope", "plaintext")

    def __init__(self, envelope: str):
        self.envelope = envelope
        self.plaintext: str | None = None

    def __repr__(self) -> str:
        return "<encrypted>"


class PlaintextWriteRefused(TypeError):
    """Something tried to write a plaintext secret without encrypting it."""


@contextlib.contextmanager
def raw_access() -> Iterator[None]:
    """Inside the block, encrypted attributes give their stored form."""
    token = _raw_access.set(True)
    try:
        yield
    finally:
        _raw_access.reset(token)


class EncryptedAttribute(Attribute[str]):
    """A string secret bound to its record: ``purpose`` + owner (and club) + field name."""

    attr_type = STRING

    def __init__(self, *, purpose: str, **kwargs: Any):
        super().__init__(**kwargs)
        self.purpose = purpose

    def binding(self, instance: Any) -> cipher.Binding:
        """The record's owner (``encryption_owner()``, else its hash key), purpose, field."""
        owner = getattr(instance, "encryption_owner", None)
        if owner is not None:
            user_id, club = owner()
        else:
            user_id, club = getattr(instance, instance._hash_keyname), None
        return cipher.Binding(self.purpose, str(user_id), self.attr_name, club)

    def __set__(self, instance: Any, value: Any) -> None:
        if isinstance(value, str):
            value = _Plain(value)
        elif value is not None and not isinstance(value, _Plain | _Sealed):
            raise TypeError(f"{self.attr_name} takes a string")
        super().__set__(instance, value)

    def __get__(self, instance: Any, owner: Any) -> Any:
        value = super().__get__(instance, owner)
        if instance is None or value is None or value is self or _raw_access.get():
            return value
        if isinstance(value, _Plain):
            return value.value
        if value.plaintext is None:
            value.plaintext = cipher.decrypt(value.envelope, self.binding(instance))
        return value.plaintext

    def serialize(self, value: Any) -> str:
        if isinstance(value, _Sealed):
            return value.envelope
        raise PlaintextWriteRefused(
            f"{self.attr_name} must be encrypted before it is written: save the model, "
            "never set the attribute through an update action"
        )

    def deserialize(self, value: str) -> _Sealed:
        return _Sealed(value)

    def is_set(self, instance: Any) -> bool:
        with raw_access():
            return getattr(instance, self.python_name(instance)) is not None

    def python_name(self, instance: Any) -> str:
        return instance._dynamo_to_python_attrs.get(self.attr_name, self.attr_name)

    def seal(self, instance: Any) -> None:
        """Encrypt a pending plaintext on ``instance`` (one KMS data key)."""
        name = self.python_name(instance)
        value = instance.attribute_values.get(name)
        if isinstance(value, _Plain):
            sealed = _Sealed(cipher.encrypt(value.value, self.binding(instance)))
            sealed.plaintext = value.value
            instance.attribute_values[name] = sealed

    def replace_envelope(self, instance: Any, envelope: str) -> None:
        instance.attribute_values[self.python_name(instance)] = _Sealed(envelope)

    def stored(self, instance: Any) -> str | None:
        value = instance.attribute_values.get(self.python_name(instance))
        return value.envelope if isinstance(value, _Sealed) else None


class EncryptedModelMixin:
    """Mix into a PynamoDB model that has ``EncryptedAttribute`` fields."""

    @classmethod
    def encrypted_attributes(cls) -> dict[str, EncryptedAttribute]:
        return {
            name: attr
            for name, attr in cls.get_attributes().items()  # type: ignore[attr-defined]
            if isinstance(attr, EncryptedAttribute)
        }

    def serialize(self, null_check: bool = True) -> dict[str, dict[str, Any]]:
        # Encrypt first: a KMS failure raises here, before anything is written.
        for attribute in self.encrypted_attributes().values():
            attribute.seal(self)
        with raw_access():
            return super().serialize(null_check=null_check)  # type: ignore[misc]
