"""Which status changes are allowed, and for whom.

A request lives ``pending → processing → completed | failed``, or ends
``cancelled``. Members may cancel a request that has not started and retry
one that failed or was cancelled; the engine moves requests through
processing (and back to pending when it gives an attempt up to another
worker); operators may do what the engine does, and cancel, even a request
being processed.
"""

from __future__ import annotations

from enum import StrEnum

from .choices import FINISHED_STATUSES, RequestStatus

P, R, C, F, X = (
    RequestStatus.PENDING,
    RequestStatus.PROCESSING,
    RequestStatus.COMPLETED,
    RequestStatus.FAILED,
    RequestStatus.CANCELLED,
)


class Actor(StrEnum):
    MEMBER = "member"
    ENGINE = "engine"
    OPERATOR = "operator"


class FailureReason(StrEnum):
    """Why a request failed, for members, stats and alerts."""

    SLOT_TAKEN = "slot_taken"
    NOT_OPEN = "not_open"
    QUOTA = "quota"
    BAD_CREDENTIALS = "bad_credentials"
    PORTAL_ERROR = "portal_error"
    UNVERIFIED = "unverified"
    EXPIRED = "expired"
    OPERATOR = "operator"
    MEMBER_INACTIVE = "member_inactive"
    ENGINE_ERROR = "engine_error"
    UNKNOWN = "unknown"


ALLOWED: dict[tuple[RequestStatus, RequestStatus], frozenset[Actor]] = {
    (P, R): frozenset({Actor.ENGINE, Actor.OPERATOR}),
    (P, X): frozenset({Actor.MEMBER, Actor.OPERATOR}),
    (P, F): frozenset({Actor.ENGINE, Actor.OPERATOR}),
    (R, P): frozenset({Actor.ENGINE, Actor.OPERATOR}),
    # An operator may stop a running attempt: its worker loses the lease
    # (renewal is conditioned on "processing") and stops before it submits.
    (R, X): frozenset({Actor.OPERATOR}),
    (R, C): frozenset({Actor.ENGINE, Actor.OPERATOR}),
    (R, F): frozenset({Actor.ENGINE, Actor.OPERATOR}),
    (F, P): frozenset({Actor.MEMBER, Actor.OPERATOR}),
    (X, P): frozenset({Actor.MEMBER, Actor.OPERATOR}),
}


def is_allowed(current: str, target: str, actor: Actor) -> bool:
    try:
        key = (RequestStatus(current), RequestStatus(target))
    except ValueError:
        return False
    return actor in ALLOWED.get(key, frozenset())


def targets_for(current: str, actor: Actor) -> list[str]:
    """The statuses ``actor`` may move a ``current`` request to (for the API)."""
    return [t.value for (s, t), actors in ALLOWED.items() if s == current and actor in actors]


def releases_claims(target: str) -> bool:
    """Finishing a request gives its slot, its member slot and its quota back."""
    return RequestStatus(target) in FINISHED_STATUSES


def takes_claims(current: str, target: str) -> bool:
    """A retry of a finished request must win its claims again."""
    return RequestStatus(current) in FINISHED_STATUSES and target == RequestStatus.PENDING
