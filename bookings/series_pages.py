"""Member pages of recurring series: list, start, edit, and each series' dates.

``/series/`` lists the member's series; ``/series/new`` starts one (the
booking form's "Repeat every week" link fills court and slot);
``/series/<id>/`` shows the dates to come (when each request is made and
when it opens, skip or take back a date), what each date made became, and
pause, resume and end; ``/series/<id>/edit`` changes the dates to come.
The forms are checked by the API's own serializer and ``bookings.series``,
so a page and ``/api/series`` never disagree. Another member's id is a 404.
"""

from __future__ import annotations

import contextlib
import re
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from configs import clubs
from configs import services as config_services
from tennisbook import timefmt
from tennisbook.pages import PageError, attempt, member_clubs, require_posted_club, validated

from . import series as series_service
from .choices import MAX_PARTNERS, NOTES_MAX_LENGTH, OnConflict
from .forms import Alternative, BookingForm
from .pages import STATUS_TEXT, court_names, now_utc
from .series_api import SeriesEditSerializer, SeriesInputSerializer
from .template_pages import WEEKDAYS

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
FORM_FIELDS = ("name", "court_id", "time_slot", "weekdays", "starts_on", "ends_on", "skipped")


def found(action, *args, **kwargs):
    try:
        return attempt(action, *args, **kwargs)
    except series_service.NoSuchSeries:
        raise Http404("There is no such series.") from None


def describe(series, now) -> dict:
    """A series in words: court and slot, weekdays, dates, alternatives, state."""
    known = series.club_id in clubs.club_ids()
    names = court_names(series.club_id) if known else {}

    def court(court_id) -> str:
        return names.get(court_id, f"Court {court_id}")

    return {
        "series": series,
        "club": clubs.get_club(series.club_id).name if known else series.club_id,
        "first": f"{court(series.court_id)}, {series.time_slot}",
        "alternatives": [
            f"{court(a.get('court_id'))}, {a.get('time_slot')}" for a in series.alternatives
        ],
        "weekdays": ", ".join(WEEKDAYS[d] for d in series.weekdays if 0 <= d <= 6),
        "span": f"{timefmt.club_day(series.starts_on)} to {timefmt.club_day(series.ends_on)}",
        "skipped": [timefmt.club_day(date.fromisoformat(d)) for d in series.skipped],
        "partners": ", ".join(series.partners),
        "state": series.state,
    }


@login_required
@require_http_methods(["GET"])
def series_list(request):
    now = now_utc()
    entries = [describe(s, now) for s in series_service.my_series(request.user)]
    return render(request, "bookings/series_list.html", {"entries": entries})


# --- the form ------------------------------------------------------------------------


def _dates(text: str) -> list[str]:
    return [part for part in re.split(r"[\s,;]+", text.strip()) if part]


def posted_body(club: str, data) -> dict:
    """The API's body from the posted form (numbers and dates stay text for the serializer)."""
    wish = BookingForm.from_post(club, data).body()
    wish.pop("date")
    weekdays = [int(d) if d.isdigit() else d for d in data.getlist("weekday")]
    body = {
        **wish,
        "name": data.get("name", ""),
        "weekdays": weekdays,
        "ends_on": data.get("ends_on", ""),
        "skipped": _dates(data.get("skipped", "")),
    }
    if data.get("starts_on", "").strip():
        body["starts_on"] = data["starts_on"].strip()
    return body


def typed_form(club: str, data) -> dict:
    """What the member typed, to show again beside the errors."""
    return {
        "wish": BookingForm.from_post(club, data),
        "name": data.get("name", ""),
        "weekdays": data.getlist("weekday"),
        "starts_on": data.get("starts_on", ""),
        "ends_on": data.get("ends_on", ""),
        "skipped": data.get("skipped", ""),
    }


def stored_form(series) -> dict:
    wish = BookingForm(
        series.club_id,
        court_id=str(series.court_id),
        time_slot=series.time_slot,
        alternatives=[Alternative(str(a["court_id"]), a["time_slot"]) for a in series.alternatives],
        partners=list(series.partners),
        notes=series.notes,
        on_conflict=series.on_conflict or OnConflict.SUGGEST.value,
    )
    return {
        "wish": wish,
        "name": series.name,
        "weekdays": [str(d) for d in series.weekdays],
        "starts_on": series.starts_on.isoformat(),
        "ends_on": series.ends_on.isoformat(),
        "skipped": ", ".join(series.skipped),
    }


def form_page(request, club: str, form: dict, *, series=None, error=None, status=200, mine=None):
    courts = config_services.get_courts(club)
    limits = config_services.get_system_value("limits", club=club)
    errors = error.fields if error else {}
    wish = form["wish"]
    rows = wish.alternatives + [Alternative()] * max(
        0, limits["max_alternatives"] - len(wish.alternatives)
    )
    context = {
        "series": series,
        "clubs": mine,
        "club": club,
        "form": form,
        "error": error,
        "courts": courts,
        "slots": list(dict.fromkeys(slot for court in courts for slot in court["slots"])),
        "errors": {name: errors.get(name, []) for name in (*FORM_FIELDS, "alternatives")},
        "other_errors": {
            name: messages_
            for name, messages_ in errors.items()
            if name.split("[")[0].split(".")[0] not in (*FORM_FIELDS, "alternatives")
        },
        "alternative_rows": [
            {
                "court_id": alt.court_id,
                "time_slot": alt.time_slot,
                "errors": [
                    *errors.get(f"alternatives[{i}].court_id", []),
                    *errors.get(f"alternatives[{i}].time_slot", []),
                    *errors.get(f"alternatives[{i}]", []),
                ],
            }
            for i, alt in enumerate(rows)
        ],
        "partner_rows": [
            {"value": name, "errors": errors.get(f"partners[{i}]", [])}
            for i, name in enumerate(wish.partner_inputs)
        ],
        "weekday_choices": [
            {"value": str(d), "name": WEEKDAY_NAMES[d], "checked": str(d) in form["weekdays"]}
            for d in range(7)
        ],
        "conflict_choices": OnConflict.choices,
        "notes_max": NOTES_MAX_LENGTH,
        "max_partners": MAX_PARTNERS,
    }
    return render(request, "bookings/series_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def series_new(request):
    source = request.POST if request.method == "POST" else request.GET
    mine = member_clubs(request, source.get("club"))
    club = mine.current.id
    if request.method == "GET":
        wish = BookingForm.from_query(club, request.GET)
        form = {
            "wish": wish,
            "name": "",
            "weekdays": [d for d in request.GET.getlist("weekday") if d.isdigit()],
            "starts_on": request.GET.get("starts_on", ""),
            "ends_on": "",
            "skipped": "",
        }
        return form_page(request, club, form, mine=mine)
    form = typed_form(club, request.POST)
    if request.POST.get("prefill"):
        # "Repeat every week" of the booking form: its wish, every weekday of its date.
        day = request.POST.get("date", "").strip()
        with contextlib.suppress(ValueError):
            form["weekdays"] = [str(date.fromisoformat(day).weekday())]
            form["starts_on"] = day
        return form_page(request, club, form, mine=mine)
    try:
        require_posted_club(request, mine)
        body = validated(SeriesInputSerializer, posted_body(club, request.POST))
        body = {**body, "alternatives": [dict(a) for a in body.get("alternatives", [])]}
        body.pop("club", None)
        created = attempt(series_service.create_series, request.user, club, body, now=now_utc())
    except PageError as error:
        return form_page(request, club, form, error=error, status=error.status, mine=mine)
    messages.success(
        request, f"Started “{created.name}”: each date's request is made ahead of its release."
    )
    return redirect("bookings:series-detail", series_id=created.pk)


@login_required
@require_http_methods(["GET", "POST"])
def series_edit(request, series_id):
    series = found(series_service.own_series, request.user, series_id)
    if request.method == "GET":
        return form_page(request, series.club_id, stored_form(series), series=series)
    form = typed_form(series.club_id, request.POST)
    try:
        body = posted_body(series.club_id, request.POST) | {
            "version": request.POST.get("version", "")
        }
        body = validated(SeriesEditSerializer, body)
        body = {**body, "alternatives": [dict(a) for a in body.get("alternatives", [])]}
        version = body.pop("version")
        body.pop("club", None)
        edited, problems = found(
            series_service.edit_series, request.user, series.pk, body, version, now=now_utc()
        )
    except PageError as error:
        return form_page(
            request, series.club_id, form, series=series, error=error, status=error.status
        )
    messages.success(request, "Saved: the dates to come follow the change.")
    for problem in problems:
        messages.warning(request, problem)
    return redirect("bookings:series-detail", series_id=edited.pk)


# --- one series ----------------------------------------------------------------------


def occurrence_rows(series) -> list[dict]:
    requests = {r.date: r for r in series_service.series_requests(series)}
    rows = []
    for occurrence in series.occurrences.all():
        request = requests.get(occurrence.date.isoformat())
        rows.append(
            {
                "date": occurrence.date,
                "day": timefmt.club_day(occurrence.date),
                "state": occurrence.state,
                "state_text": occurrence.get_state_display(),
                "message": occurrence.message,
                "request": request,
                "status_text": STATUS_TEXT.get(request.status, request.status) if request else "",
            }
        )
    return sorted(rows, key=lambda row: row["date"], reverse=True)


@login_required
@require_http_methods(["GET"])
def series_detail(request, series_id):
    series = found(series_service.own_series, request.user, series_id)
    now = now_utc()
    zone = clubs.get_club(series.club_id).time_zone
    upcoming = []
    if series.state != "ended":
        for entry in series_service.upcoming(series, now=now, limit=10):
            occurrence = entry["occurrence"]
            upcoming.append(
                {
                    "date": entry["date"],
                    "iso": entry["date"].isoformat(),
                    "day": timefmt.club_day(entry["date"]),
                    "release": timefmt.club_time(entry["release_at"], zone),
                    "create": timefmt.club_time(entry["create_at"], zone),
                    "made": occurrence is not None and occurrence.state == "created",
                    "refused": occurrence.message
                    if occurrence is not None and occurrence.state == "refused"
                    else "",
                }
            )
    context = {
        "entry": describe(series, now),
        "series": series,
        "upcoming": upcoming,
        "skipped": [
            {"iso": day, "day": timefmt.club_day(date.fromisoformat(day))} for day in series.skipped
        ],
        "occurrences": occurrence_rows(series),
        "lead_hours": round(series_service.lead().total_seconds() / 3600),
    }
    return render(request, "bookings/series_detail.html", context)


@login_required
@require_POST
def series_action(request, series_id, action: str):
    """Pause, resume, skip or take back a date, end: then back to the series."""
    user, now = request.user, now_utc()
    day = request.POST.get("date", "")
    try:
        if action in ("pause", "resume"):
            found(series_service.set_paused, user, series_id, action == "pause")
            text = "Paused: no new dates are made." if action == "pause" else "Resumed."
        elif action == "skip":
            found(series_service.skip_date, user, series_id, day, now=now)
            text = f"Skipped {day}."
        elif action == "unskip":
            found(series_service.unskip_date, user, series_id, day)
            text = f"{day} is back in the series."
        else:
            cancel = request.POST.get("cancel_pending") == "on"
            _series, cancelled = found(
                series_service.end_series, user, series_id, now=now, cancel_pending=cancel
            )
            text = "Ended." + (f" Cancelled {cancelled} request(s) not started." if cancel else "")
    except PageError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, text)
    return redirect("bookings:series-detail", series_id=series_id)
