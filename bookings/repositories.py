"""Repository for the BookingRequests table."""

from __future__ import annotations

from datetime import date, datetime

from tennisbook.dynamo import Repository

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

    def all_requests(self, status: str | None = None) -> list[BookingRequest]:
        """Every request (operators' admin): by status through the index, else a scan.

        The scan skips the claim items that share the table.
        """
        if status:
            return self.query(status, index=BookingRequest.by_status_fire_at)
        return list(self.scan(BookingRequest.court_id.exists()))
