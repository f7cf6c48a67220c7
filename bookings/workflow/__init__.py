"""The life of a booking request, in one place: every write goes through here.

One function per verb. Each loads what it needs, builds one DynamoDB
transaction of the request's write and its claim operations under a guard
(the status it saw plus the version, or the lease owner, or the claim as
read), retries a lost race a bounded number of times, and queues its side
effects (the member's channel event, e-mail) as Celery tasks once the write
is final. Processor, dispatch, sweeps, admin, views and commands call only
these; nothing else writes a BookingRequest (``tests/bookings/
test_one_writer.py`` holds the code to it).

Failures come in three kinds a caller can act on (``bookings.errors``):
``Moot`` (someone else already did it; ``TransitionRefused`` is one),
``Unavailable`` including ``Contended`` (try again later), and
``Quarantine`` (will never work as it is). Members' refusals
(``SlotClaimed``, ``DuplicateRequest``, ``QuotaReached``) and ``InvalidValue``
come from ``create``, ``retry`` and ``edit``.

``core`` holds the transaction and the guarded transition; ``member`` the
verbs of members and operators; ``editing`` a member's edit of a pending
request (in place, or replaced by a new one in one transaction); ``worker``
those of workers and the dispatch sweep; ``sweeps`` those of housekeeping.
"""

from .core import fail_left_behind
from .editing import edit
from .member import (
    cancel,
    cancel_member_requests,
    change_status,
    create,
    create_wish,
    reschedule,
    retry,
)
from .sweeps import release_stale_claim
from .worker import (
    REDISPATCH_AFTER,
    give_back,
    holds,
    lease_expired,
    mark_dispatched,
    record_result,
    refuse,
    renew,
    take,
    unmark_dispatched,
)

__all__ = [
    "REDISPATCH_AFTER",
    "cancel",
    "cancel_member_requests",
    "change_status",
    "create",
    "create_wish",
    "edit",
    "fail_left_behind",
    "give_back",
    "holds",
    "lease_expired",
    "mark_dispatched",
    "record_result",
    "refuse",
    "release_stale_claim",
    "renew",
    "reschedule",
    "retry",
    "take",
    "unmark_dispatched",
]
