"""Audit records of every encryption and decryption.

One line per operation on the ``tennisbook.audit`` logger: who (the actor
bound with ``acting_as``), which record (user and field), why (the reason),
under which key, and the outcome. Never the secret, never the data key.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

import structlog

audit_log = structlog.get_logger("tennisbook.audit")

_actor: ContextVar[tuple[str, str]] = ContextVar("crypto_actor", default=("system", "unspecified"))


@contextlib.contextmanager
def acting_as(actor: str, reason: str) -> Iterator[None]:
    """Attribute the encryptions and decryptions inside the block to ``actor``.

    ``reason`` says why the secret is needed ("booking attempt <id>",
    "member saved config", "key rotation").
    """
    token = _actor.set((actor, reason))
    try:
        yield
    finally:
        _actor.reset(token)


def record(
    operation: str,
    *,
    user_id: str,
    field: str,
    purpose: str,
    key_id: str | None,
    outcome: str,
    error: str | None = None,
) -> None:
    actor, reason = _actor.get()
    event = {
        "actor": actor,
        "reason": reason,
        "user_id": user_id,
        "field": field,
        "purpose": purpose,
        "key_id": key_id,
        "outcome": outcome,
    }
    if error:
        event["error"] = error
    (audit_log.info if outcome == "ok" else audit_log.warning)(f"crypto.{operation}", **event)
