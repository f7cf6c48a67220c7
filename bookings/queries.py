"""Read-side of booking requests: search, lookup, stats, exports, operators' list."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model

from configs import services as config_services
from tennisbook.api.permissions import may_operate
from tennisbook.dynamo import NotFound

from . import exports, stats
from .choices import RequestStatus
from .dynamo import BookingRequest
from .services import get_request, list_requests, requests_repo

_ORDER_KEYS = {
    "date": lambda r: (r.date, r.time_slot),
    "created_at": lambda r: r.created_at,
    "fire_at": lambda r: r.fire_at,
}


def search_requests(
    user_id: str,
    *,
    club: str | None = None,
    status: str | None = None,
    court_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    ordering: str = "date",
) -> list[BookingRequest]:
    items = list_requests(
        user_id,
        club=club,
        status=status,
        court_id=court_id,
        date_from=date_from,
        date_to=date_to,
    )
    key = ordering.lstrip("-")
    return sorted(items, key=_ORDER_KEYS[key], reverse=ordering.startswith("-"))


def find_for(user: Any, request_id: str, *, operator: bool) -> BookingRequest:
    """The caller's own request, or (operators) any request of a club they operate.

    Another club's request answers ``NotFound`` to an operator limited to
    some clubs, as another member's does to a member.
    """
    if not operator:
        return get_request(str(user.pk), request_id)
    try:
        return get_request(str(user.pk), request_id)
    except NotFound:
        item = requests_repo.find_by_id(request_id)
        if item is None or not may_operate(user, item.club_id):
            raise
        return item


def find_shown(user: Any, request_id: str, *, operator: bool) -> BookingRequest:
    """``find_for``, and a request naming ``user`` among its partners (to read only)."""
    try:
        return find_for(user, request_id, operator=operator)
    except NotFound:
        item = requests_repo.find_by_id(request_id)  # find_for checked the id's shape
        if item is None or not is_partner(user, item):
            raise
        return item


def member_partners(partners: list[str] | None) -> set[str]:
    """The usernames (casefolded) a request's partners name as ``@username``.

    Only an explicit mention counts: a partner typed as free text ("Anna")
    gives nobody access, or anyone could register "anna" and read every
    request naming an Anna.
    """
    names = {str(p).strip() for p in partners or []}
    return {name[1:].casefold() for name in names if name.startswith("@") and len(name) > 1}


def is_partner(user: Any, item: BookingRequest) -> bool:
    """Whether ``user`` is named among the request's partners as ``@username``."""
    return str(user.get_username()).casefold() in member_partners(item.partners)


def may_view(user: Any, item: BookingRequest) -> bool:
    """Owner, a partner who is a member, or an operator of the request's club."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if item.user_id == str(user.pk):
        return True
    return is_partner(user, item) or may_operate(user, item.club_id)


def member_stats(user_id: str, date_from: date | None = None, date_to: date | None = None) -> dict:
    items = list_requests(user_id, date_from=date_from, date_to=date_to)
    return stats.summarize(items, date_from, date_to)


def export(
    user_id: str,
    fmt: str,
    date_from: date | None = None,
    date_to: date | None = None,
    *,
    club: str | None = None,
    status: str | None = None,
    court_id: int | None = None,
) -> str:
    """A member's requests at every club as CSV or iCalendar (each in its club's time zone).

    The API's exports give a period; the history page's also a club, a
    status and a court (``search_requests``'s filters).
    """
    items = list_requests(
        user_id,
        club=club,
        status=status,
        court_id=court_id,
        date_from=date_from,
        date_to=date_to,
    )
    return render_export(items, fmt)


def render_export(items: list[BookingRequest], fmt: str, **ics_options: Any) -> str:
    """``items`` (in their order) as CSV or iCalendar; ``ics_options`` go to ``to_ics``."""
    # (A request from before clubs has none until migrate_clubs ran.)
    club_ids = sorted({item.club_id for item in items if item.club_id})
    names = {
        (club, court["id"]): court["name"]
        for club in club_ids
        for court in config_services.get_courts(club)
    }
    if fmt == "csv":
        return exports.to_csv(items, names)
    zones = {
        club: config_services.get_system_value("release_rules", club=club)["time_zone"]
        for club in club_ids
    }
    club_names = {
        club: config_services.get_system_value("club", club=club)["name"] for club in club_ids
    }
    return exports.to_ics(items, names, zones, club_names, **ics_options)


FEED_REFRESH = timedelta(hours=1)  # how often calendar apps are asked to poll a feed


def booked_feed(user_id: str, name: str = "tennisbook: booked courts") -> str:
    """The member's booked courts (completed requests) as a subscription feed.

    Each event on its club's clock with that zone's definition, so a
    calendar app shows the club's hour wherever the member is.
    """
    items = list_requests(user_id, status=RequestStatus.COMPLETED)
    return render_export(
        items,
        "ics",
        statuses={RequestStatus.COMPLETED},
        local_times=True,
        name=name,
        refresh=FEED_REFRESH,
    )


# --- operators' list (admin) -------------------------------------------------------


@dataclass(frozen=True)
class Cursor:
    """Where a page of the operators' list starts: the last row shown before it."""

    fire_at: datetime
    request_id: str

    def encode(self) -> str:
        return f"{self.fire_at.isoformat()}|{self.request_id}"

    @classmethod
    def decode(cls, value: str) -> Cursor | None:
        moment, _, request_id = (value or "").partition("|")
        try:
            at = datetime.fromisoformat(moment)
            key = str(uuid.UUID(request_id))
        except ValueError:
            return None
        return cls(at, key) if at.tzinfo is not None else None


@dataclass
class OperatorPage:
    rows: list[BookingRequest]
    next_cursor: Cursor | None


def _newest_key(item: BookingRequest) -> tuple[datetime, str]:
    return item.fire_at, item.request_id


def operator_page(
    *, status: str | None = None, after: Cursor | None = None, size: int = 50
) -> OperatorPage:
    """One page of every member's requests, latest fire time first.

    Read through the byStatusFireAt index, one partition per status, each
    only as far as the page needs (never a scan of the table); rows sharing
    a fire time are ordered by request id, so a page boundary inside a
    release instant neither repeats nor skips a row.
    """
    statuses = [status] if status else list(RequestStatus.values)
    boundary = (after.fire_at, after.request_id) if after else None
    found: list[BookingRequest] = []
    for name in statuses:
        taken = 0
        last_fire_at = None
        for item in requests_repo.by_status_newest(name, after and after.fire_at, size + 1):
            if boundary is not None and _newest_key(item) >= boundary:
                continue
            # Past enough rows, read on only while the fire time repeats.
            if taken > size and item.fire_at != last_fire_at:
                break
            found.append(item)
            taken += 1
            last_fire_at = item.fire_at
    found.sort(key=_newest_key, reverse=True)
    rows = found[:size]
    more = len(found) > size
    return OperatorPage(rows, Cursor(*_newest_key(rows[-1])) if more and rows else None)


def operator_search(text: str, limit: int = 200) -> list[BookingRequest]:
    """Requests by request id, member id or member username (indexed lookups)."""
    text = text.strip()
    try:
        key = str(uuid.UUID(text))
    except ValueError:
        key = None
    if key is not None:
        by_id = requests_repo.find_by_id(key)
        items = [by_id] if by_id else requests_repo.for_user(key, limit=limit)
    else:
        users = get_user_model().objects.filter(username__iexact=text).values_list("pk", flat=True)
        items = [r for pk in users for r in requests_repo.for_user(str(pk), limit=limit)]
    return sorted(items, key=_newest_key, reverse=True)[:limit]
