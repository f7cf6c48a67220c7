"""Why a booking request was refused, as types the API renders as 409s."""

from __future__ import annotations

from tennisbook.dynamo import Conflict


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


class TransitionRefused(Conflict):
    """The status change is not allowed now (or the request changed meanwhile)."""

    code = "transition_refused"
