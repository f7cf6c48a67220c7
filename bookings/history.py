"""The history page: every request of the member at every club, filtered, sorted, paged.

``/bookings/history`` reads everything from its query string, so a URL can
be bookmarked and paging keeps the filter: ``status``, ``club``, ``court``,
``from`` and ``to`` (club dates, YYYY-MM-DD) filter, ``sort`` names a column
(``-`` first: descending), ``page`` is the page. A value that cannot be
used is named on the page and left out of the filter, never a 500. The
page's CSV and iCalendar links export the same filter in the same order,
through ``bookings.queries.render_export``, as the API's exports do.

Values are checked with the validators the API's list query uses
(``tennisbook.values``, ``configs.clubs``); the rows reuse what the other
member pages show of a request (``bookings.pages``).
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from configs import clubs
from configs import services as config_services
from tennisbook.pages import PageError
from tennisbook.values import InvalidValue, TimeSlot, parse_court_id, parse_date

from . import exports, queries
from .choices import RequestStatus
from .models import BookingSeries
from .pages import STATUS_TEXT, court_names, now_utc, request_view

PAGE_SIZE = 20
PAGE_SIZES = (10, 20, 50, 100)  # the "rows per page" choices
LABELS = {
    "status": "Status",
    "club": "Club",
    "court": "Court",
    "from": "From",
    "to": "To",
    "sort": "Sort",
    "per": "Rows per page",
    "page": "Page",
}
# Column key -> header text, in the table's order.
COLUMNS = {
    "date": "Date",
    "slot": "Slot",
    "court": "Court",
    "club": "Club",
    "status": "Status",
    "outcome": "Outcome",
    "fired_at": "Fired at",
    "ms": "ms after release",
}
DEFAULT_SORT = "-date"  # newest first
STATUS_ORDER = [status.value for status in RequestStatus]
EXPORTS = {
    "csv": ("text/csv; charset=utf-8", "tennisbook-history.csv"),
    "ics": ("text/calendar; charset=utf-8", "tennisbook-history.ics"),
}


@dataclass
class HistoryQuery:
    """The history's filter and order as the query string gave them.

    ``errors`` maps a query parameter to what is wrong with it; a bad value
    is left out (the rest of the filter still applies). ``typed`` keeps what
    the member typed in the date fields, to show it again beside its error.
    """

    status: str | None = None
    club: str | None = None
    court_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    sort: str = DEFAULT_SORT
    per_page: int = PAGE_SIZE
    typed: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, data, known_courts: dict[str, list[int]]) -> HistoryQuery:
        """Read ``data`` (a QueryDict); ``known_courts`` maps each club to its court ids."""
        query = cls()
        raw = {name: (data.get(name) or "").strip() for name in LABELS}
        query.typed = {name: raw[name] for name in ("from", "to")}
        if raw["status"]:
            if raw["status"] in STATUS_ORDER:
                query.status = raw["status"]
            else:
                query.errors["status"] = (
                    f"{raw['status']!r} is not a status; choose one of the list "
                    f"({', '.join(STATUS_ORDER)})."
                )
        if raw["club"]:
            try:
                query.club = clubs.get_club(raw["club"]).id
            except InvalidValue as exc:
                query.errors["club"] = exc.message
        if raw["court"]:
            query.court_id = query._court(raw["court"], known_courts)
        for name, attr in (("from", "date_from"), ("to", "date_to")):
            if raw[name]:
                try:
                    setattr(query, attr, parse_date(raw[name], name))
                except InvalidValue as exc:
                    query.errors[name] = exc.message
        if query.date_from and query.date_to and query.date_from > query.date_to:
            query.errors["to"] = (
                f"{query.date_to} is before the From date {query.date_from}; "
                "choose a To date on or after it."
            )
            query.date_from = query.date_to = None
        if raw["sort"]:
            if raw["sort"].removeprefix("-") in COLUMNS:
                query.sort = raw["sort"]
            else:
                query.errors["sort"] = (
                    f"{raw['sort']!r} is not a column to sort by; "
                    f"choose one of: {', '.join(COLUMNS)} (with - first for descending)."
                )
        if raw["per"]:
            if raw["per"] in {str(size) for size in PAGE_SIZES}:
                query.per_page = int(raw["per"])
            else:
                sizes = ", ".join(map(str, PAGE_SIZES))
                query.errors["per"] = (
                    f"{raw['per']!r} is not one of {sizes}; showing {PAGE_SIZE} rows a page."
                )
        return query

    def _court(self, value: str, known_courts: dict[str, list[int]]) -> int | None:
        try:
            court = parse_court_id(value, "court")
        except InvalidValue as exc:
            self.errors["court"] = exc.message
            return None
        where = [self.club] if self.club else list(known_courts)
        if not any(court in known_courts.get(club, ()) for club in where):
            place = clubs.get_club(self.club).name if self.club else "any club"
            self.errors["court"] = f"there is no court {court} at {place}."
            return None
        return court

    @property
    def filtered(self) -> bool:
        return any(
            value is not None
            for value in (self.status, self.club, self.court_id, self.date_from, self.date_to)
        )

    def filters(self) -> dict:
        """The filter as ``queries.search_requests`` and ``queries.export`` take it."""
        return {
            "status": self.status,
            "club": self.club,
            "court_id": self.court_id,
            "date_from": self.date_from,
            "date_to": self.date_to,
        }

    def params(self, **changes) -> str:
        """The query string of this filter and order (valid values only), with ``changes``."""
        values = {
            "status": self.status,
            "club": self.club,
            "court": self.court_id,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            "sort": None if self.sort == DEFAULT_SORT else self.sort,
            "per": None if self.per_page == PAGE_SIZE else self.per_page,
        } | changes
        return urlencode({k: v for k, v in values.items() if v not in (None, "")})

    def messages(self) -> list[dict]:
        """Each problem, naming the field as the page labels it, for the error summary."""
        return [problem(name, message) for name, message in self.errors.items()]


def problem(name: str, message: str) -> dict:
    """One line of the error summary: the field's label, the message, where the field is."""
    anchor = "history-list" if name == "page" else f"filter-{name}"
    return {"field": name, "label": LABELS[name], "message": message, "anchor": anchor}


# --- the rows ---------------------------------------------------------------------


def outcome_text(item, view: dict, names: dict[int, str]) -> str:
    """What came of the request, in words: booked (and what), why not, or not yet."""
    if item.status == RequestStatus.COMPLETED:
        court, slot = exports.booked_choice(item)
        if (court, slot) != (item.court_id, item.time_slot):
            return f"Booked: {names.get(court, f'Court {court}')}, {slot}"
        return "Booked"
    if item.status == RequestStatus.FAILED:
        return view["reason_text"] or "Not booked."
    if item.status == RequestStatus.CANCELLED:
        return "Cancelled"
    return "Not tried yet"


def fired_text(moment, zone: str) -> str:
    """``Thu 3 Dec 00:00:00.012``: when the engine submitted, on the club's clock."""
    local = moment.astimezone(ZoneInfo(zone))
    return f"{local:%a} {local.day} {local:%b %H:%M:%S}.{local.microsecond // 1000:03d}"


def names_of_series(ids) -> dict[str, str]:
    """The names of the series ``ids`` name (one query), by id; a malformed id is left out."""
    wanted = set()
    for value in ids:
        with contextlib.suppress(ValueError, TypeError, AttributeError):
            wanted.add(uuid.UUID(value))
    if not wanted:
        return {}
    found = BookingSeries.objects.filter(pk__in=wanted).values_list("pk", "name")
    return {str(pk): name for pk, name in found}


def history_rows(items, now) -> list[dict]:
    names: dict[str, dict[int, str]] = {}
    series_names = names_of_series(item.series_id for item in items)
    rows = []
    for item in items:
        if item.club_id not in names:
            names[item.club_id] = court_names(item.club_id) if item.club_id else {}
        view = request_view(item, now, names[item.club_id])
        when = exports.timing(item)
        day = date.fromisoformat(item.date)
        view.update(
            item=item,
            date_text=f"{day:%a} {day.day} {day:%b %Y}",
            slot_start=TimeSlot.parse(item.time_slot).start,
            outcome=outcome_text(item, view, names[item.club_id]),
            fired_at=when.fired_at,
            fired_text=fired_text(when.fired_at, view["zone"]) if when.fired_at else "",
            ms=when.ms_after_release,
            ms_text="" if when.ms_after_release is None else f"{when.ms_after_release:,.1f}",
            series_id=item.series_id or "",
            series_name=series_names.get(item.series_id or "", ""),
        )
        rows.append(view)
    return rows


_SORT_KEYS = {
    "date": lambda r: (r["date"], r["slot_start"]),
    "slot": lambda r: (r["slot_start"], r["date"]),
    "court": lambda r: (r["court"].casefold(), r["court_id"]),
    "club": lambda r: r["club"].casefold(),
    "status": lambda r: STATUS_ORDER.index(r["status"]) if r["status"] in STATUS_ORDER else 99,
    "outcome": lambda r: r["outcome"].casefold(),
    "fired_at": lambda r: r["fired_at"],
    "ms": lambda r: r["ms"],
}


def sort_rows(rows: list[dict], sort: str) -> list[dict]:
    """Rows by ``sort``; ties by date in the same direction; rows without a value last."""
    column, descending = sort.removeprefix("-"), sort.startswith("-")
    key = _SORT_KEYS[column]
    ordered = sorted(rows, key=_SORT_KEYS["date"], reverse=descending)
    present = [row for row in ordered if key(row) is not None]
    missing = [row for row in ordered if key(row) is None]
    return sorted(present, key=key, reverse=descending) + missing


# --- the page ---------------------------------------------------------------------


def parse_request(request) -> tuple[HistoryQuery, list, dict[str, list[dict]]]:
    """The query of ``request``, every club (a member's history spans them) and their courts."""
    every = clubs.list_clubs()
    courts = {club.id: config_services.get_courts(club.id) for club in every}
    known = {club: [court["id"] for court in listed] for club, listed in courts.items()}
    return HistoryQuery.parse(request.GET, known), every, courts


def filtered_rows(request, query: HistoryQuery) -> list[dict]:
    items = queries.search_requests(str(request.user.pk), **query.filters())
    return sort_rows(history_rows(items, now_utc()), query.sort)


def page_of(rows: list[dict], raw: str, size: int = PAGE_SIZE) -> tuple[object, str | None]:
    """The page ``raw`` asks for, or the nearest one with a sentence saying why."""
    paginator = Paginator(rows, size)
    raw = (raw or "1").strip()
    try:
        number = int(raw)
    except ValueError:
        number = 0
    if number < 1:
        return paginator.page(1), f"{raw!r} is not a page number; showing page 1."
    if number > paginator.num_pages:
        pages = paginator.num_pages
        return (
            paginator.page(pages),
            f"there is no page {number}: this list has {pages} page{'s' if pages > 1 else ''}; "
            f"showing page {pages}.",
        )
    return paginator.page(number), None


def header_cells(query: HistoryQuery, several_clubs: bool) -> list[dict]:
    column, descending = query.sort.removeprefix("-"), query.sort.startswith("-")
    cells = []
    for key, text in COLUMNS.items():
        if key == "club" and not several_clubs:
            continue
        current = key == column
        # A first click sorts ascending; a click on the sorted column turns it around.
        wanted = (key if descending else f"-{key}") if current else key
        cells.append(
            {
                "key": key,
                "text": text,
                "href": "?" + query.params(sort=None if wanted == DEFAULT_SORT else wanted),
                "aria_sort": ("descending" if descending else "ascending") if current else None,
            }
        )
    return cells


# How each column reads in order, for the "Sort by" choice (the phone's way to sort).
_DIRECTIONS = {
    "date": ("oldest first", "newest first"),
    "slot": ("earliest first", "latest first"),
    "fired_at": ("earliest first", "latest first"),
    "ms": ("fastest first", "slowest first"),
    "status": ("waiting first", "cancelled first"),
}


def sort_choices(several_clubs: bool) -> list[tuple[str, str]]:
    choices = []
    for key, text in COLUMNS.items():
        if key == "club" and not several_clubs:
            continue
        up, down = _DIRECTIONS.get(key, ("A to Z", "Z to A"))
        choices += [(key, f"{text}, {up}"), (f"-{key}", f"{text}, {down}")]
    return choices


def history_context(query: HistoryQuery, rows: list[dict], raw_page: str, every, courts) -> dict:
    page, page_problem = page_of(rows, raw_page, query.per_page)
    problems = query.messages() + ([problem("page", page_problem)] if page_problem else [])
    several = len(every) > 1

    def page_href(number: int) -> str:
        return "?" + query.params(page=number if number > 1 else None)

    return {
        "query": query,
        "problems": problems,
        "rows": page.object_list,
        "page": page,
        "total": len(rows),
        "headers": header_cells(query, several),
        "sorted_by": COLUMNS[query.sort.removeprefix("-")].lower(),
        "descending": query.sort.startswith("-"),
        "several_clubs": several,
        "clubs": every,
        "club_courts": [
            {"club": club, "courts": courts[club.id]}
            for club in every
            if not query.club or club.id == query.club
        ],
        "statuses": [(value, STATUS_TEXT[value]) for value in STATUS_ORDER],
        "page_sizes": PAGE_SIZES,
        "sort_choices": sort_choices(several),
        "export_params": query.params(),
        "previous_href": page_href(page.previous_page_number()) if page.has_previous() else None,
        "next_href": page_href(page.next_page_number()) if page.has_next() else None,
    }


def tidy_address(request, query: HistoryQuery) -> str | None:
    """The short address of a valid filter the form sent with its empty and default fields.

    ``?status=failed&club=&court=&from=&to=&per=20`` becomes ``?status=failed``:
    what a member bookmarks or shares says only what it filters.
    """
    if query.errors:
        return None
    given = {key: values for key, values in request.GET.lists() if key != "page"}
    if given == dict(QueryDict(query.params()).lists()):
        return None
    wanted = query.params(page=request.GET.get("page") or None)
    return reverse("bookings:history") + (f"?{wanted}" if wanted else "")


@login_required
@require_GET
def history(request):
    """``/bookings/history``: the member's requests as a table."""
    query, every, courts = parse_request(request)
    tidy = tidy_address(request, query)
    if tidy is not None:
        return redirect(tidy)
    rows = filtered_rows(request, query)
    context = history_context(query, rows, request.GET.get("page", ""), every, courts)
    return render(request, "bookings/history.html", context, status=400 if query.errors else 200)


@login_required
@require_GET
def history_export(request, fmt: str):
    """The history's current filter, in its order, as CSV or iCalendar."""
    query, _, _ = parse_request(request)
    if query.errors:
        problems = "; ".join(f"{LABELS[name]}: {text}" for name, text in query.errors.items())
        error = PageError(400, "invalid", f"The filter cannot be exported: {problems}")
        return render(request, "error.html", {"error": error}, status=400)
    items = [row["item"] for row in filtered_rows(request, query)]
    content_type, filename = EXPORTS[fmt]
    response = HttpResponse(queries.render_export(items, fmt), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
