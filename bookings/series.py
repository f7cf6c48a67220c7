"""Recurring series: "every Tuesday 07:00, court 5 then 7, until 31 March, skip 24 Dec".

A series is a member's wish without a date (checked by the same rules as
a request and a template) plus the weekdays it is for, its first and last
date and the dates to skip. ``plan`` (a beat task, every few minutes)
creates each date's request through ``workflow.create``, so the club's
conflicts, quotas and credentials apply to it as to any other request:

- a date is created ``SERIES_LEAD`` before its release (48 h by default),
  or as soon as it enters the club's booking horizon when that is later,
  and never after its slot has begun; a date whose release has already
  passed is created at once, and fires at once, as a member's would;
- the request's id is derived from the series and the date, so two
  planners (or a retried task) never create one date twice;
- what each date became is a ``SeriesOccurrence``: the request, or the
  refusal in the club's words (quota reached, slot held, ...). A store that
  is away leaves the date for the next run.

Pausing stops new dates (the ones created stay); skipping a date cancels
its request if it has not started; editing changes the dates still to
come, and the created requests that have not started follow it (a date no
longer in the series is cancelled); ending stops the series and, if the
member asks, cancels its requests that have not started.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import structlog
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from configs import clubs
from configs import services as config_services
from tennisbook.dynamo import Conflict, Unavailable
from tennisbook.values import InvalidValue, TimeSlot, clean_text, parse_date

from . import services, workflow
from .choices import RequestStatus
from .dynamo import BookingRequest
from .errors import Moot
from .lifecycle import Actor
from .models import BookingSeries, SeriesOccurrence
from .release import club_today, opening_instant

log = structlog.get_logger(__name__)

NAME_MAX_LENGTH = 60
MAX_ACTIVE_PER_CLUB = 10
MAX_SPAN_DAYS = 366
MAX_SKIPPED = 100
WISH_FIELDS = ("court_id", "time_slot", "alternatives", "partners", "notes", "on_conflict")
# Requests of a series that have not started: skipping, editing or ending touches these.
NOT_STARTED = {RequestStatus.PENDING.value}
_ID_SPACE = uuid.UUID("5e1e5000-7e00-4b00-8b00-5e1e50000000")


class NoSuchSeries(LookupError):
    """The series is not the caller's (or does not exist)."""


class StaleSeries(Conflict):
    """The series changed since the form was drawn from it."""

    code = "stale_series"


def lead() -> timedelta:
    return timedelta(hours=settings.SERIES_LEAD_HOURS)


def request_id_for(series: BookingSeries, day: date) -> str:
    """The id of the request of ``day``: the same for every planner that creates it.

    It names the series' version too, so a date skipped (its request
    cancelled) and taken back, a change of the series later, gets a new one.
    """
    return str(uuid.uuid5(_ID_SPACE, f"{series.pk}/{day.isoformat()}/{series.version}"))


# --- checking a series ---------------------------------------------------------------


def _weekdays(value: object) -> list[int]:
    if not isinstance(value, list | tuple) or not value:
        raise InvalidValue("weekdays", "expected at least one weekday, 0 (Monday) to 6 (Sunday).")
    if not all(isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= 6 for d in value):
        raise InvalidValue("weekdays", "expected weekday numbers from 0 (Monday) to 6 (Sunday).")
    return sorted(set(value))


def _skipped(value: object, starts_on: date, ends_on: date) -> list[str]:
    if value in (None, ""):
        return []
    if not isinstance(value, list | tuple):
        raise InvalidValue("skipped", "expected a list of dates (YYYY-MM-DD).")
    if len(value) > MAX_SKIPPED:
        raise InvalidValue("skipped", f"at most {MAX_SKIPPED} dates to skip.")
    days = {parse_date(item, "skipped") for item in value}
    outside = sorted(d for d in days if not starts_on <= d <= ends_on)
    if outside:
        raise InvalidValue("skipped", f"{outside[0]} is not between the first and last date.")
    return sorted(d.isoformat() for d in days)


def check_series(club: str, body: dict[str, Any], *, now: datetime) -> dict[str, Any]:
    """The model fields of a series from a body; ``InvalidValue`` naming the first bad field."""
    if not isinstance(body, dict):
        raise InvalidValue("body", "expected a JSON object.")
    name = clean_text(body.get("name") or "", "name", max_length=NAME_MAX_LENGTH, min_length=1)
    court, slot_label, alternatives = services.check_choices(
        club, body.get("court_id"), body.get("time_slot"), body.get("alternatives") or []
    )
    partners, notes, on_conflict = services.check_notes(
        [p for p in body.get("partners") or [] if str(p).strip()],
        body.get("notes") or "",
        body.get("on_conflict") or None,
    )
    weekdays = _weekdays(body.get("weekdays"))
    zone = clubs.get_club(club).time_zone
    today = club_today(zone, now)
    starts_on = parse_date(body.get("starts_on") or today, "starts_on")
    if body.get("ends_on") in (None, ""):
        raise InvalidValue("ends_on", "say until when (YYYY-MM-DD): a series has a last date.")
    ends_on = parse_date(body.get("ends_on"), "ends_on")
    if ends_on < starts_on:
        raise InvalidValue("ends_on", f"{ends_on} is before the first date, {starts_on}.")
    if ends_on < today:
        raise InvalidValue("ends_on", f"{ends_on} has passed (club date today: {today}).")
    if (ends_on - starts_on).days > MAX_SPAN_DAYS:
        raise InvalidValue("ends_on", f"a series spans at most {MAX_SPAN_DAYS} days.")
    return {
        "name": name,
        "court_id": court["id"],
        "time_slot": slot_label,
        "alternatives": [{"court_id": a.court_id, "time_slot": a.time_slot} for a in alternatives],
        "partners": partners,
        "notes": notes,
        "on_conflict": on_conflict or "",
        "weekdays": weekdays,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "skipped": _skipped(body.get("skipped"), starts_on, ends_on),
    }


# --- the member's series -------------------------------------------------------------


def my_series(user: Any, club: str | None = None) -> list[BookingSeries]:
    found = BookingSeries.objects.filter(owner=user)
    if club is not None:
        found = found.filter(club_id=club)
    return list(found.order_by("ended_at", "club_id", "name"))


def own_series(user: Any, series_id: object) -> BookingSeries:
    """The caller's series ``series_id``; ``NoSuchSeries`` for any other id."""
    try:
        return BookingSeries.objects.get(pk=str(series_id), owner=user)
    except (BookingSeries.DoesNotExist, ValidationError):
        raise NoSuchSeries(series_id) from None


def create_series(user: Any, club: str, body: dict[str, Any], *, now: datetime) -> BookingSeries:
    """Store a new series at ``club`` (an enabled club with the member's credentials)."""
    club = clubs.require_enabled(club).id
    values = check_series(club, body, now=now)
    services.check_credentials(str(user.pk), club)
    with transaction.atomic():
        active = BookingSeries.objects.select_for_update().filter(
            owner=user, club_id=club, ended_at__isnull=True
        )
        if len(active) >= MAX_ACTIVE_PER_CLUB:
            raise InvalidValue(
                "name",
                f"you keep {MAX_ACTIVE_PER_CLUB} series at this club already; end one first.",
            )
        series = BookingSeries.objects.create(owner=user, club_id=club, **values)
    log.info("series.created", series_id=str(series.pk), user_id=str(user.pk), club=club)
    return series


def _check_version(series: BookingSeries, version: object) -> None:
    try:
        drawn = int(str(version))
    except ValueError:
        raise InvalidValue("version", "expected the version the form was drawn from.") from None
    if drawn != series.version:
        raise StaleSeries(
            "This series changed since you opened it (perhaps in another tab); "
            "reload it and make your change again."
        )


def _locked(user: Any, series_id: object) -> BookingSeries:
    own_series(user, series_id)  # 404 before the lock, for any id
    return BookingSeries.objects.select_for_update().get(pk=str(series_id))


def _require_open(series: BookingSeries) -> None:
    if series.ended_at is not None:
        raise InvalidValue("series", "this series has ended; start a new one.")


def edit_series(
    user: Any, series_id: object, body: dict[str, Any], version: object, *, now: datetime
) -> tuple[BookingSeries, list[str]]:
    """Change the dates still to come; returns the series and what could not follow.

    Created requests that have not started follow the new wish
    (``workflow.edit``); one whose date left the series is cancelled. A
    request the club refuses in its new form keeps its old one, and the
    refusal is returned for the member.
    """
    with transaction.atomic():
        series = _locked(user, series_id)
        _require_open(series)
        _check_version(series, version)
        # Left out, the first date stays (a new series would start today).
        values = check_series(series.club_id, {"starts_on": series.starts_on, **body}, now=now)
        for name, value in values.items():
            setattr(series, name, value)
        series.save()
    problems = _follow(series, now=now)
    log.info("series.edited", series_id=str(series.pk), user_id=str(user.pk))
    return series, problems


def set_paused(user: Any, series_id: object, paused: bool) -> BookingSeries:
    with transaction.atomic():
        series = _locked(user, series_id)
        _require_open(series)
        if series.paused != paused:
            series.paused = paused
            series.save()
    log.info("series.paused" if paused else "series.resumed", series_id=str(series.pk))
    return series


def skip_date(user: Any, series_id: object, day: object, *, now: datetime) -> BookingSeries:
    """Leave ``day`` out; its request is cancelled if it has not started."""
    with transaction.atomic():
        series = _locked(user, series_id)
        _require_open(series)
        wanted = parse_date(day, "date")
        if not is_series_date(series, wanted, with_skipped=True):
            raise InvalidValue("date", f"{wanted} is not a date of this series.")
        request = _request_of(series, wanted)
        if request is not None and request.status not in NOT_STARTED:
            raise InvalidValue(
                "date",
                f"the request of {wanted} is {request.status} already; it cannot be skipped.",
            )
        if wanted.isoformat() not in series.skipped:
            if len(series.skipped) >= MAX_SKIPPED:
                raise InvalidValue("date", f"at most {MAX_SKIPPED} dates to skip.")
            series.skipped = sorted([*series.skipped, wanted.isoformat()])
            series.save()
        SeriesOccurrence.objects.update_or_create(
            series=series,
            date=wanted,
            defaults={
                "state": SeriesOccurrence.State.SKIPPED,
                "message": "skipped by the member",
                "at": now,
                "request_id": request.request_id if request is not None else "",
            },
        )
    if request is not None:
        _cancel(request, by=f"series:{series.pk}", message="date skipped in its series")
    log.info("series.date_skipped", series_id=str(series.pk), date=wanted.isoformat())
    return series


def unskip_date(user: Any, series_id: object, day: object) -> BookingSeries:
    """Take ``day`` back into the series: the planner creates it when its time comes."""
    with transaction.atomic():
        series = _locked(user, series_id)
        _require_open(series)
        wanted = parse_date(day, "date").isoformat()
        if wanted in series.skipped:
            series.skipped = [d for d in series.skipped if d != wanted]
            series.save()
            SeriesOccurrence.objects.filter(
                series=series, date=wanted, state=SeriesOccurrence.State.SKIPPED
            ).delete()
    return series


def end_series(
    user: Any, series_id: object, *, now: datetime, cancel_pending: bool = False
) -> tuple[BookingSeries, int]:
    """Stop the series; returns it and how many requests that had not started were cancelled."""
    with transaction.atomic():
        series = _locked(user, series_id)
        if series.ended_at is None:
            series.ended_at = now
            series.save()
    cancelled = 0
    if cancel_pending:
        for request in series_requests(series):
            if request.status in NOT_STARTED and _cancel(
                request, by=f"series:{series.pk}", message="its series ended"
            ):
                cancelled += 1
    log.info("series.ended", series_id=str(series.pk), cancelled=cancelled)
    return series, cancelled


# --- dates ---------------------------------------------------------------------------


def is_series_date(series: BookingSeries, day: date, *, with_skipped: bool = False) -> bool:
    return (
        series.starts_on <= day <= series.ends_on
        and day.weekday() in series.weekdays
        and (with_skipped or day.isoformat() not in series.skipped)
    )


def dates_of(series: BookingSeries, start: date, end: date) -> Iterator[date]:
    """The series' dates from ``start`` to ``end`` (both included), skipped ones left out."""
    day = max(start, series.starts_on)
    last = min(end, series.ends_on)
    while day <= last:
        if is_series_date(series, day):
            yield day
        day += timedelta(days=1)


def slot_start(series: BookingSeries, day: date, zone: ZoneInfo) -> datetime:
    start = TimeSlot.parse(series.time_slot).start
    return datetime.combine(day, start, tzinfo=zone)


def creation_instant(series: BookingSeries, day: date, rules: dict, horizon_days: int) -> datetime:
    """When the planner creates ``day``'s request: ``SERIES_LEAD`` before its release,
    or the club midnight that brings ``day`` into the booking horizon, whichever is later."""
    zone = ZoneInfo(rules["time_zone"])
    release = opening_instant(rules, series.court_id, day, TimeSlot.parse(series.time_slot))
    in_horizon = datetime.combine(day - timedelta(days=horizon_days), datetime.min.time(), zone)
    return max(release - lead(), in_horizon)


def upcoming(series: BookingSeries, *, now: datetime, limit: int = 8) -> list[dict]:
    """The next dates with their release and when their request is (or was) created."""
    rules = config_services.get_system_value("release_rules", club=series.club_id)
    limits = config_services.get_system_value("limits", club=series.club_id)
    zone = ZoneInfo(rules["time_zone"])
    slot = TimeSlot.parse(series.time_slot)
    done = {o.date: o for o in series.occurrences.all()}
    found = []
    for day in dates_of(series, club_today(rules["time_zone"], now), series.ends_on):
        if slot_start(series, day, zone) <= now:
            continue
        found.append(
            {
                "date": day,
                "release_at": opening_instant(rules, series.court_id, day, slot),
                "create_at": creation_instant(series, day, rules, limits["horizon_days"]),
                "occurrence": done.get(day),
            }
        )
        if len(found) >= limit:
            break
    return found


# --- planning ------------------------------------------------------------------------


def plan(now: datetime) -> dict[str, int]:
    """Create every active series' requests that are due; counts by what each date became."""
    counts = {"created": 0, "refused": 0, "later": 0}
    active = BookingSeries.objects.filter(ended_at__isnull=True, paused=False).select_related(
        "owner"
    )
    for series in active:
        try:
            for state in plan_series(series, now=now):
                counts[state] = counts.get(state, 0) + 1
        except Unavailable:
            counts["later"] += 1
            log.warning("series.plan_unavailable", series_id=str(series.pk), exc_info=True)
    return counts


def plan_series(series: BookingSeries, *, now: datetime) -> list[str]:
    """Create the series' requests that are due at ``now``; what each date became."""
    if series.club_id not in clubs.club_ids() or not clubs.get_club(series.club_id).enabled:
        return []
    rules = config_services.get_system_value("release_rules", club=series.club_id)
    limits = config_services.get_system_value("limits", club=series.club_id)
    zone = ZoneInfo(rules["time_zone"])
    today = club_today(rules["time_zone"], now)
    if series.ends_on < today:
        # Every date has passed: the series is over, and no longer counts as one kept.
        BookingSeries.objects.filter(pk=series.pk, ended_at__isnull=True).update(ended_at=now)
        log.info("series.finished", series_id=str(series.pk))
        return []
    done = set(series.occurrences.values_list("date", flat=True))
    horizon_end = today + timedelta(days=limits["horizon_days"])
    states = []
    for day in dates_of(series, today, min(series.ends_on, horizon_end)):
        if day in done or slot_start(series, day, zone) <= now:
            continue
        if now < creation_instant(series, day, rules, limits["horizon_days"]):
            break  # the dates after this one are due later still
        states.append(_create_date(series, day, now=now))
    return states


def _create_date(series: BookingSeries, day: date, *, now: datetime) -> str:
    request_id = request_id_for(series, day)
    state, message = SeriesOccurrence.State.CREATED, ""
    try:
        workflow.create(
            str(series.owner_id),
            series.court_id,
            day,
            series.time_slot,
            series.alternatives,
            club=series.club_id,
            partners=series.partners,
            notes=series.notes,
            on_conflict=series.on_conflict or None,
            by=f"series:{series.pk}",
            now=now,
            request_id=request_id,
            series_id=str(series.pk),
        )
    except Moot:
        pass  # another planner created this very request: it is there
    except (Conflict, InvalidValue) as refused:
        state, message = SeriesOccurrence.State.REFUSED, str(refused)[:300]
    with contextlib.suppress(IntegrityError), transaction.atomic():  # the other planner did
        SeriesOccurrence.objects.create(
            series=series,
            date=day,
            state=state,
            request_id=request_id if state == SeriesOccurrence.State.CREATED else "",
            message=message,
            at=now,
        )
    log.info(
        "series.date_planned",
        series_id=str(series.pk),
        date=day.isoformat(),
        state=str(state),
        message=message,
    )
    return str(state)


# --- the series' requests ----------------------------------------------------------------


def series_requests(series: BookingSeries) -> list[BookingRequest]:
    """The member's requests of this series, the newest of each date (a replacement wins)."""
    items = services.list_requests(
        str(series.owner_id),
        club=series.club_id,
        date_from=series.starts_on,
        date_to=series.ends_on,
    )
    newest: dict[str, BookingRequest] = {}
    for item in items:
        if item.series_id != str(series.pk):
            continue
        kept = newest.get(item.date)
        if kept is None or (item.created_at, item.request_id) > (kept.created_at, kept.request_id):
            newest[item.date] = item
    return sorted(newest.values(), key=lambda item: item.date)


def _request_of(series: BookingSeries, day: date) -> BookingRequest | None:
    return next((r for r in series_requests(series) if r.date == day.isoformat()), None)


def _cancel(request: BookingRequest, *, by: str, message: str) -> bool:
    try:
        workflow.cancel(request, actor=Actor.MEMBER, by=by, message=message)
    except Moot:
        return False  # it started or finished meanwhile
    return True


def _follow(series: BookingSeries, *, now: datetime) -> list[str]:
    """Bring the created requests that have not started in line with the edited series."""
    problems = []
    wish = {
        "court_id": series.court_id,
        "time_slot": series.time_slot,
        "alternatives": series.alternatives,
        "partners": series.partners,
        "notes": series.notes,
        "on_conflict": series.on_conflict or None,
    }
    for request in series_requests(series):
        if request.status not in NOT_STARTED:
            continue
        day = date.fromisoformat(request.date)
        by = f"series:{series.pk}"
        if not is_series_date(series, day):
            _cancel(request, by=by, message="its date left the series")
            SeriesOccurrence.objects.filter(series=series, date=day).delete()
            continue
        try:
            workflow.edit(request, {**wish, "date": day}, by=by, now=now)
        except (Conflict, InvalidValue) as refused:
            problems.append(f"{day}: {refused} (that date keeps its request as it was)")
    return problems
