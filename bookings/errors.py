"""Why a booking request was refused, and how a workflow verb failed.

Member refusals (``SlotClaimed``, ``DuplicateRequest``, ``QuotaReached``,
``TransitionRefused``) are conflicts the API renders as 409s with their own
code. Callers that act on a failure (workers, the outbox, sweeps) see three
kinds: ``Moot``, someone else already did it (drop it, or tell the member
to reload); ``Contended`` or any other ``Unavailable``, it may work later
(keep it, try again); ``Quarantine``, it will never work as it is (set it
aside for an operator).
"""

from __future__ import annotations

from tennisbook.dynamo import Conflict, DataError, Unavailable


class SlotClaimed(Conflict):
    """Another member's active request holds this court, date and slot."""

    code = "slot_claimed"

    def __init__(self, message: str, suggestions: list[dict]):
        super().__init__(message)
        self.suggestions = suggestions


class DuplicateRequest(Conflict):
    """The member already has an active request for this date and slot."""

    code = "duplicate_request"


class QuotaReached(Conflict):
    """The member has as many active requests as the club allows."""

    code = "quota_reached"


class Moot(Conflict):
    """The verb no longer applies: the request changed, finished or vanished."""

    code = "moot"


class TransitionRefused(Moot):
    """The status change is not allowed from the request's current status."""

    code = "transition_refused"


class Contended(Unavailable):
    """The request or its slot kept changing through a bounded number of tries."""

    code = "contended"


class Quarantine(DataError):
    """The write will never succeed as it is: set it aside for an operator."""

    code = "quarantined"
