"""Read-side of booking requests for the API: search, lookup, stats, exports."""

from __future__ import annotations

from datetime import date
from typing import Any

from configs import services as config_services
from tennisbook.dynamo import NotFound

from . import exports, stats
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
    status: str | None = None,
    court_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    ordering: str = "date",
) -> list[BookingRequest]:
    items = list_requests(
        user_id, status=status, court_id=court_id, date_from=date_from, date_to=date_to
    )
    key = ordering.lstrip("-")
    return sorted(items, key=_ORDER_KEYS[key], reverse=ordering.startswith("-"))


def find_for(user: Any, request_id: str, *, operator: bool) -> BookingRequest:
    """The caller's own request, or (operators) any request by its id alone."""
    if not operator:
        return get_request(str(user.pk), request_id)
    try:
        return get_request(str(user.pk), request_id)
    except NotFound:
        item = requests_repo.find_by_id(request_id)
        if item is None:
            raise
        return item


def member_stats(user_id: str, date_from: date | None = None, date_to: date | None = None) -> dict:
    items = list_requests(user_id, date_from=date_from, date_to=date_to)
    return stats.summarize(items, date_from, date_to)


def export(
    user_id: str, fmt: str, date_from: date | None = None, date_to: date | None = None
) -> str:
    items = list_requests(user_id, date_from=date_from, date_to=date_to)
    names = {court["id"]: court["name"] for court in config_services.get_courts()}
    if fmt == "csv":
        return exports.to_csv(items, names)
    zone = config_services.get_system_value("release_rules")["time_zone"]
    return exports.to_ics(items, names, zone)
