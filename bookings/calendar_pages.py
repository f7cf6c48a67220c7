"""The calendar page and the member's calendar feed.

``/calendar/`` shows a month (``?month=2026-12``) or a week
(``?view=week&date=2026-12-07``, Monday first): the member's requests and
bookings at every club on their days, each with its status in words and
colour, and the current club's release instants on the days they happen
(the dates the member may ask for now: ``services.booking_window`` and
``opening_of``, plus ``next_openings``). A day inside the club's window
links to the booking form for it. Days are club dates; "today" is the
current club's.

``/calendar/feed`` starts, regenerates or stops the member's subscription
(``bookings.feeds``), answering htmx with the feed section alone;
``/calendar/<token>.ics`` is the feed itself, for calendar apps that poll
it without a session: an unknown or replaced token is a bare 404.
"""

from __future__ import annotations

import calendar as month_math
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseNotFound
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST, require_safe

from configs import clubs
from configs import services as config_services
from tennisbook import timefmt
from tennisbook.pages import member_clubs
from tennisbook.values import InvalidValue, TimeSlot, parse_date

from . import exports, feeds, queries, services
from . import series as series_service
from .choices import RequestStatus
from .pages import STATUS_TEXT, court_names, now_utc
from .release import club_today

FIRST_YEAR, LAST_YEAR = 2000, 2100
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
VIEWS = ("month", "week")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
STATUS_ORDER = [status.value for status in RequestStatus]


@dataclass(frozen=True)
class Period:
    """The days a calendar page shows, and the query strings around it."""

    view: str
    first: date
    last: date
    anchor: date  # the day asked for (the month's first day in the month view)

    @property
    def title(self) -> str:
        if self.view == "month":
            return f"{self.first:%B %Y}"
        return f"Week of {timefmt.club_day(self.first)} {self.first.year}"

    def shifted(self, step: int) -> Period | None:
        """The previous (-1) or next (+1) month or week; None outside the years offered."""
        if self.view == "month":
            year, month = divmod(self.first.month - 1 + step, 12)
            year += self.first.year
            if not FIRST_YEAR <= year <= LAST_YEAR:
                return None
            return month_period(date(year, month + 1, 1))
        day = self.anchor + timedelta(days=7 * step)
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            return None
        return week_period(day)

    def params(self) -> str:
        if self.view == "month":
            return urlencode({"month": f"{self.first:%Y-%m}"})
        return urlencode({"view": "week", "date": self.anchor.isoformat()})


def month_period(day: date) -> Period:
    first = day.replace(day=1)
    last = first.replace(day=month_math.monthrange(first.year, first.month)[1])
    return Period("month", first, last, first)


def week_period(day: date) -> Period:
    monday = day - timedelta(days=day.weekday())
    return Period("week", monday, monday + timedelta(days=6), day)


def parse_period(data, today: date) -> tuple[Period, list[dict]]:
    """The period ``data`` asks for, or this month/week with a sentence naming the bad field."""
    problems = []
    view = (data.get("view") or "month").strip()
    if view not in VIEWS:
        problems.append(
            {"field": "view", "label": "View", "message": f"{view!r} is not month or week."}
        )
        view = "month"
    if view == "week":
        raw = (data.get("date") or "").strip()
        day = today
        if raw:
            try:
                day = parse_date(raw, "date")
            except InvalidValue as exc:
                problems.append({"field": "date", "label": "Date", "message": exc.message})
            else:
                if not FIRST_YEAR <= day.year <= LAST_YEAR:
                    problems.append({"field": "date", "label": "Date", "message": _years(raw)})
                    day = today
        period = week_period(day)
        what = "this week"
    else:
        raw = (data.get("month") or "").strip()
        first = today.replace(day=1)
        if raw:
            found = _MONTH.match(raw)
            year, month = (int(found[1]), int(found[2])) if found else (0, 0)
            if not found or not 1 <= month <= 12:
                message = f"{raw!r} is not a month; write it as YYYY-MM, for example {first:%Y-%m}."
                problems.append({"field": "month", "label": "Month", "message": message})
            elif not FIRST_YEAR <= year <= LAST_YEAR:
                problems.append({"field": "month", "label": "Month", "message": _years(raw)})
            else:
                first = date(year, month, 1)
        period = month_period(first)
        what = "this month"
    for problem in problems:
        problem["message"] += f" Showing {what}."
    return period, problems


def _years(raw: str) -> str:
    return f"{raw!r} is outside the years the calendar shows ({FIRST_YEAR} to {LAST_YEAR})."


# --- what is on each day ------------------------------------------------------------------


def events_by_day(items, several_clubs: bool) -> dict[str, list[dict]]:
    """The member's requests by club date, earliest slot first."""
    names: dict[str, dict[int, str]] = {}
    found: dict[str, list[dict]] = {}
    for item in items:
        if item.club_id not in names:
            names[item.club_id] = court_names(item.club_id) if item.club_id else {}
        court_id, slot_label = exports.booked_choice(item)  # an alternative, once booked
        slot = TimeSlot.parse(slot_label)
        club = clubs.get_club(item.club_id) if item.club_id in clubs.club_ids() else None
        found.setdefault(item.date, []).append(
            {
                "id": item.request_id,
                "start": slot.start,
                "time": f"{slot.start:%H:%M}",
                "time_slot": slot_label,
                "court": names[item.club_id].get(court_id, f"Court {court_id}"),
                "club": (club.name if club else item.club_id) if several_clubs else "",
                "status": item.status,
                "status_text": STATUS_TEXT.get(item.status, item.status),
                "series": item.series_id or "",
            }
        )
    for events in found.values():
        events.sort(key=lambda event: (event["start"], event["court"]))
    return found


def release_marks(club: clubs.Club, period: Period, now: datetime) -> dict[date, list[dict]]:
    """The club's release instants still ahead that fall in ``period``, by club date.

    Each date the member may ask for now opens at one instant per court
    (``opening_of``; for a rolling rule, its first slot's); ``next_openings``
    adds each court's very next one. Dates past the window are not known yet.
    """
    first, last = services.booking_window(club.id, now)
    openings = list(services.next_openings(club.id, now))
    day = max(first, period.first)
    courts = config_services.get_courts(club.id)
    while day <= last:
        for court in courts:
            try:
                openings.append(services.opening_of(club.id, court["id"], day, None, now=now))
            except InvalidValue:  # a court without slots: nothing opens
                continue
        day += timedelta(days=1)
    zone = ZoneInfo(club.time_zone)
    marks: dict[date, list[dict]] = {}
    seen = set()
    for opening in openings:
        local = opening.at.astimezone(zone)
        key = (opening.court_id, opening.day, opening.time_slot)
        if opening.at <= now or key in seen or not period.first <= local.date() <= period.last:
            continue
        seen.add(key)
        marks.setdefault(local.date(), []).append(
            {
                "at": opening.at,
                "time": f"{local:%H:%M}",
                "court": opening.court_name,
                "for_day": timefmt.club_day(opening.day),
                "time_slot": opening.time_slot,
            }
        )
    for entries in marks.values():
        entries.sort(key=lambda entry: (entry["at"], entry["court"]))
    return marks


def series_marks(user, period: Period, now: datetime, events) -> dict[date, list[dict]]:
    """The member's series dates in ``period`` whose request is not made yet, by date.

    A date already made shows as its request (``events``); a paused series
    shows nothing new, as it makes nothing.
    """
    marks: dict[date, list[dict]] = {}
    for series in series_service.my_series(user):
        if series.state != "active" or series.club_id not in clubs.club_ids():
            continue
        names = court_names(series.club_id)
        slot = TimeSlot.parse(series.time_slot)
        today = club_today(clubs.get_club(series.club_id).time_zone, now)
        for day in series_service.dates_of(series, max(period.first, today), period.last):
            made = any(e.get("series") == str(series.pk) for e in events.get(day.isoformat(), []))
            if made:
                continue
            marks.setdefault(day, []).append(
                {
                    "id": str(series.pk),
                    "name": series.name,
                    "time": f"{slot.start:%H:%M}",
                    "court": names.get(series.court_id, f"Court {series.court_id}"),
                }
            )
    return marks


def book_href(day: date, club: clubs.Club) -> str:
    """The booking form for ``day`` at ``club`` (``BookingForm.from_query`` reads both)."""
    return f"{reverse('bookings:book')}?{urlencode({'date': day.isoformat(), 'club': club.id})}"


def calendar_days(period, today, window, club, events, releases, planned=None) -> list[dict]:
    """Each day of ``period`` as the page shows it: requests, series dates, releases, link."""
    days = []
    day = period.first
    planned = planned or {}
    while day <= period.last:
        on_day = events.get(day.isoformat(), [])
        marks = releases.get(day, [])
        series_dates = planned.get(day, [])
        bookable = window[0] <= day <= window[1]
        days.append(
            {
                "date": day,
                "iso": day.isoformat(),
                "weekday": f"{day:%a}",
                "number": day.day,
                "month": f"{day:%b}",
                "column": day.isoweekday(),
                "today": day == today,
                "book_href": book_href(day, club) if bookable else "",
                "events": on_day,
                "releases": marks,
                "planned": series_dates,
                "empty": not on_day and not marks and not series_dates,
            }
        )
        day += timedelta(days=1)
    return days


def calendar_context(request, data) -> tuple[dict, list[dict]]:
    """What the calendar page shows for the query ``data``, and what was wrong with it."""
    mine = member_clubs(request, data.get("club"))
    club = mine.current
    now = now_utc()
    today = club_today(club.time_zone, now)
    period, problems = parse_period(data, today)
    items = services.list_requests(
        str(request.user.pk), date_from=period.first, date_to=period.last
    )
    # A club's name beside each request once the member deals with more than one.
    several = len({item.club_id for item in items} | set(mine.configured)) > 1
    window = services.booking_window(club.id, now)
    events = events_by_day(items, several)
    days = calendar_days(
        period,
        today,
        window,
        club,
        events,
        release_marks(club, period, now),
        series_marks(request.user, period, now, events),
    )
    previous, following = period.shifted(-1), period.shifted(1)
    if period.view == "month":
        other_view = urlencode(
            {
                "view": "week",
                "date": (today if period.first <= today <= period.last else period.first),
            }
        )
        today_params = ""
    else:
        other_view = urlencode({"month": f"{period.anchor:%Y-%m}"})
        today_params = urlencode({"view": "week"})
    return {
        "clubs": mine,
        "club": club,
        "period": period,
        "days": days,
        "window_first": window[0],
        "window_last": window[1],
        "weekdays": WEEKDAYS,
        "previous_params": previous.params() if previous else None,
        "next_params": following.params() if following else None,
        "today_params": today_params,
        "other_view_params": other_view,
        "statuses": [(status, STATUS_TEXT[status]) for status in STATUS_ORDER],
        "problems": problems,
    }, problems


# --- the feed ------------------------------------------------------------------------


def feed_context(request, *, token: str | None = None, message="", error="") -> dict:
    user = request.user
    url = request.build_absolute_uri(reverse("bookings:feed", args=[token])) if token else ""
    return {
        "has_feed": feeds.has_feed(user),
        "feed_created": user.calendar_token_created,
        "feed_url": url,
        "webcal_url": "webcal://" + url.split("://", 1)[1] if url else "",
        "feed_message": message,
        "feed_error": error,
    }


@login_required
@require_GET
def calendar(request):
    """``/calendar/``: a month or a week of the member's requests and the club's releases."""
    context, problems = calendar_context(request, request.GET)
    context |= feed_context(request)
    return render(request, "bookings/calendar.html", context, status=400 if problems else 200)


FEED_DONE = {
    "make": "Your calendar link is ready. It is shown only this once: copy it now.",
    "rotate": "A new link replaces the old one, which stopped working just now. "
    "Give the new one to your calendar app; it is shown only this once.",
    "revoke": "The feed is stopped: its link shows nothing any more.",
}


@login_required
@require_POST
def feed_change(request):
    """Start, regenerate or stop the member's feed (``action`` = make, rotate, revoke)."""
    action = request.POST.get("action", "")
    token, error, status = None, "", 200
    try:
        if action == "make":
            token = feeds.make_token(request.user)
        elif action == "rotate":
            token = feeds.rotate_token(request.user)
        elif action == "revoke":
            if not feeds.revoke_token(request.user):
                error, status = "There was no feed to stop.", 409
        else:
            error, status = "Choose to create, regenerate or stop the calendar link.", 400
    except feeds.FeedError as exc:
        error, status = str(exc), 409
    message = "" if error else FEED_DONE[action]
    feed = feed_context(request, token=token, message=message, error=error)
    if request.htmx:
        response = render(request, "bookings/_calendar_feed.html", feed, status=status)
    else:
        context, _ = calendar_context(request, {})
        response = render(request, "bookings/calendar.html", context | feed, status=status)
    response["Cache-Control"] = "no-store"  # it may hold the secret link: keep no copy
    return response


@require_safe
def feed(request, token):
    """``/calendar/<token>.ics``: the member's booked courts, for calendar apps; no session."""
    member = feeds.find_member(token)
    if member is None:
        return HttpResponseNotFound("Not found.\n", content_type="text/plain; charset=utf-8")
    response = HttpResponse(
        queries.booked_feed(str(member.pk)), content_type="text/calendar; charset=utf-8"
    )
    # Polled by apps, revocable at once: never kept by a shared cache.
    response["Cache-Control"] = "private, no-cache"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    response["Content-Disposition"] = 'inline; filename="tennisbook.ics"'
    return response
