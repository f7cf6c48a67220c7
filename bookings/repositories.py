"""Repository for the BookingRequests table."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

from tennisbook.dynamo import Repository
from tennisbook.dynamo.repository import is_expired

from .dynamo import BookingRequest


class BookingRequestRepository(Repository[BookingRequest]):
    model = BookingRequest

    def for_user(
        self,
        user_id: str,
        *,
        date_from: date | None = None,
        date_to: date | None = None,
        newest_first: bool = False,
        limit: int | None = None,
    ) -> list[BookingRequest]:
        """A member's requests ordered by booking date (the byUserDate index)."""
        key = BookingRequest.date
        condition = None
        if date_from and date_to:
            condition = key.between(date_from.isoformat(), date_to.isoformat())
        elif date_from:
            condition = key >= date_from.isoformat()
        elif date_to:
            condition = key <= date_to.isoformat()
        return self.query(
            user_id,
            condition,
            index=BookingRequest.by_user_date,
            newest_first=newest_first,
            limit=limit,
        )

    def due(
        self, status: str, fire_before: datetime, limit: int | None = None
    ) -> list[BookingRequest]:
        """Requests of ``status`` whose fire time is before ``fire_before``, soonest first."""
        return self.query(
            status,
            BookingRequest.fire_at <= fire_before,
            index=BookingRequest.by_status_fire_at,
            limit=limit,
        )

    def find_by_id(self, request_id: str) -> BookingRequest | None:
        """A request by its id alone (operators), without knowing its member."""
        items = self.query(request_id, limit=1)
        return items[0] if items else None

    def by_status_newest(
        self, status: str, before: datetime | None = None, page_size: int = 50
    ) -> Iterator[BookingRequest]:
        """Requests of ``status``, latest fire time first, from ``before`` down (inclusive).

        A lazy iterator over the byStatusFireAt index, read ``page_size`` at a
        time: the caller stops reading when it has enough.
        """
        condition = BookingRequest.fire_at <= before if before is not None else None
        with self.errors("query"):
            items = BookingRequest.by_status_fire_at.query(
                status, condition, scan_index_forward=False, page_size=page_size
            )
            for item in items:
                if not is_expired(item):
                    yield item
