"""The BookingRequests table.

One item per booking request, keyed by ``requestId`` (hash) and ``userId``
(range). Two global secondary indexes serve the two access paths that must
never scan: a member's requests by date, and due work by status and fire
time (the beat sweep). Finished requests carry a ``ttl``.
"""

from __future__ import annotations

from pynamodb.attributes import (
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from tennisbook.dynamo import DynamoModel

from .choices import RequestStatus


class Alternative(MapAttribute):
    """A fallback (court, slot), tried in order when the first choice is taken."""

    court_id = NumberAttribute(attr_name="courtId")
    time_slot = UnicodeAttribute(attr_name="timeSlot")


class HistoryEntry(MapAttribute):
    """One transition in a request's life."""

    at = UTCDateTimeAttribute(attr_name="at")
    actor = UnicodeAttribute(attr_name="actor")
    from_status = UnicodeAttribute(null=True, attr_name="from")
    to_status = UnicodeAttribute(attr_name="to")
    message = UnicodeAttribute(default="", attr_name="message")


class ByUserDate(GlobalSecondaryIndex):
    """A member's requests ordered by booking date."""

    class Meta:
        index_name = "byUserDate"
        projection = AllProjection()

    user_id = UnicodeAttribute(hash_key=True, attr_name="userId")
    date = UnicodeAttribute(range_key=True, attr_name="date")


class ByStatusFireAt(GlobalSecondaryIndex):
    """Due work: requests of one status ordered by fire time."""

    class Meta:
        index_name = "byStatusFireAt"
        projection = AllProjection()

    status = UnicodeAttribute(hash_key=True, attr_name="status")
    fire_at = UTCDateTimeAttribute(range_key=True, attr_name="fireAt")


class BookingRequest(DynamoModel):
    """A member's wish for a court at a date and slot, and everything that happened.

    ``club_id`` names the club; ``fire_at`` is the release instant computed
    from that club's rules; the
    ``result`` map holds the confirmation, the portal's message and timings in
    milliseconds; ``history`` lists every transition.
    """

    table = "BookingRequests"

    class Meta:
        pass

    request_id = UnicodeAttribute(hash_key=True, attr_name="requestId")
    user_id = UnicodeAttribute(range_key=True, attr_name="userId")
    # The club whose court this is (``configs.clubs``); ``migrate_clubs``
    # gives requests written before clubs existed the default club.
    club_id = UnicodeAttribute(attr_name="clubId")
    court_id = NumberAttribute(attr_name="courtId")
    date = UnicodeAttribute(attr_name="date")
    time_slot = UnicodeAttribute(attr_name="timeSlot")
    alternatives = ListAttribute(of=Alternative, default=list, attr_name="alternatives")
    # The member's own notes for the booking: who they play with, anything else.
    partners = ListAttribute(of=UnicodeAttribute, default=list, attr_name="partners")
    notes = UnicodeAttribute(null=True, attr_name="notes")
    # What the member chose for a slot another member holds: "suggest" (refuse
    # with free alternatives) or "queue" (wait behind); None: the club's policy.
    on_conflict = UnicodeAttribute(null=True, attr_name="onConflict")
    status = UnicodeAttribute(default=RequestStatus.PENDING.value, attr_name="status")
    reason = UnicodeAttribute(null=True, attr_name="reason")
    fire_at = UTCDateTimeAttribute(attr_name="fireAt")
    attempts = NumberAttribute(default=0, attr_name="attempts")
    result = MapAttribute(default=dict, attr_name="result")
    history = ListAttribute(of=HistoryEntry, default=list, attr_name="history")
    # Set while another member's request holds the slot (conflict policy
    # "queue"): this request fires only if that one fails or is cancelled.
    queued_behind = UnicodeAttribute(null=True, attr_name="queuedBehind")
    # The recurring series this request is a date of (``bookings.series``).
    series_id = UnicodeAttribute(null=True, attr_name="seriesId")
    # When the sweep last handed the request to the workers (limits re-sends).
    dispatched_at = UTCDateTimeAttribute(null=True, attr_name="dispatchedAt")
    lease_owner = UnicodeAttribute(null=True, attr_name="leaseOwner")
    lease_expires_at = UTCDateTimeAttribute(null=True, attr_name="leaseExpiresAt")
    ttl = TTLAttribute(null=True, attr_name="ttl")
    created_at = UTCDateTimeAttribute(attr_name="createdAt")
    updated_at = UTCDateTimeAttribute(attr_name="updatedAt")
    version = VersionAttribute(attr_name="version")

    by_user_date = ByUserDate()
    by_status_fire_at = ByStatusFireAt()

    @property
    def result_data(self) -> dict:
        """``result`` as a plain dict, however it was set or loaded."""
        value = self.result
        if isinstance(value, MapAttribute):
            return value.as_dict()
        return dict(value or {})


class ClaimsByMarker(GlobalSecondaryIndex):
    """The byUserDate index seen from claims: all claims of one kind, by date."""

    class Meta:
        index_name = "byUserDate"
        projection = AllProjection()

    marker = UnicodeAttribute(hash_key=True, attr_name="userId")
    date = UnicodeAttribute(range_key=True, attr_name="date")


class Claim(DynamoModel):
    """An exclusive claim, stored in the BookingRequests table beside the requests.

    Three kinds, all per club and written in the same transaction as the
    request they guard, so they can never disagree with it:

    - ``slot``: one active request per court/date/slot of a club among all
      members (``holder`` is that request; ``queue`` lists fallbacks in order);
    - ``member-slot``: one active request per member, club, date and slot;
    - ``quota``: the member's count of active requests at a club (``active``).

    Their ``userId`` is a fixed marker no member can have; the ``date``
    attribute (absent on quota counters) lists them through ``byUserDate``.
    """

    table = "BookingRequests"
    manages_table = False

    class Meta:
        pass

    claim_id = UnicodeAttribute(hash_key=True, attr_name="requestId")
    marker = UnicodeAttribute(range_key=True, attr_name="userId")
    kind = UnicodeAttribute(attr_name="claimKind")
    club_id = UnicodeAttribute(null=True, attr_name="clubId")
    date = UnicodeAttribute(null=True, attr_name="date")
    holder = UnicodeAttribute(null=True, attr_name="holder")
    holder_user = UnicodeAttribute(null=True, attr_name="holderUser")
    queue = ListAttribute(of=UnicodeAttribute, default=list, attr_name="queue")
    active = NumberAttribute(default=0, attr_name="active")
    updated_at = UTCDateTimeAttribute(attr_name="updatedAt")

    by_marker = ClaimsByMarker()
