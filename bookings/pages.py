"""Member pages of bookings: the home dashboard, the booking form, a request's page.

Thin views over ``bookings.services`` and ``bookings.workflow``: the form is
checked by the API's own serializer and created by the same workflow call
(``tennisbook.pages``), so the page and ``POST /api/bookings`` accept and
refuse exactly the same wishes. htmx asks for the live parts (the request
list, a request's status, when the chosen date opens) as partials.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from configs import clubs
from configs import services as config_services
from tennisbook import timefmt
from tennisbook.api.permissions import is_operator, may_operate
from tennisbook.pages import (
    PageError,
    attempt,
    member_clubs,
    require_posted_club,
    validated,
)
from tennisbook.values import InvalidValue

from . import member_templates, queries, services, workflow
from .choices import ACTIVE_STATUSES, MAX_PARTNERS, NOTES_MAX_LENGTH, OnConflict, RequestStatus
from .evidence import evidence_file, evidence_response, member_result
from .forms import Alternative, BookingForm
from .lifecycle import Actor, FailureReason
from .live_run import live_state
from .models import BookingSeries, PreflightCheck
from .run_report import run_report
from .serializers import BookingCreateSerializer
from .workflow.editing import CHANGED, NOT_PENDING, REPLACED_BY, REPLACES

RECENT_FINISHED = 5  # finished requests the dashboard still shows
STATUS_TEXT = {
    RequestStatus.PENDING: "Waiting for the release",
    RequestStatus.PROCESSING: "Booking now",
    RequestStatus.COMPLETED: "Booked",
    RequestStatus.FAILED: "Not booked",
    RequestStatus.CANCELLED: "Cancelled",
}

REASON_TEXT = {
    FailureReason.SLOT_TAKEN: "Someone else booked the slot (and every alternative) first.",
    FailureReason.NOT_OPEN: "The portal had not opened the date for booking.",
    FailureReason.QUOTA: "The portal says you hold as many bookings as it allows.",
    FailureReason.BAD_CREDENTIALS: "The portal refused your username or password.",
    FailureReason.PORTAL_ERROR: "The club's portal failed or did not answer.",
    FailureReason.UNVERIFIED: "The portal's answer could not be confirmed in your reservations.",
    FailureReason.EXPIRED: "The release passed before the request could be tried.",
    FailureReason.OPERATOR: "An operator stopped the request.",
    FailureReason.MEMBER_INACTIVE: "Your account was inactive at the release.",
    FailureReason.ENGINE_ERROR: "tennisbook failed while booking; the operators have been told.",
    FailureReason.UNKNOWN: "The booking failed for a reason tennisbook could not tell.",
}


def now_utc() -> datetime:
    return datetime.now(UTC)


# --- what a page shows of a request ------------------------------------------------


def court_names(club: str) -> dict[int, str]:
    return {court["id"]: court["name"] for court in config_services.get_courts(club)}


def request_view(item, now: datetime, names: dict[int, str] | None = None) -> dict:
    """One request as the templates show it (texts in the club's zone)."""
    club = clubs.get_club(item.club_id) if item.club_id in clubs.club_ids() else None
    zone = club.time_zone if club else "UTC"
    names = names if names is not None else court_names(item.club_id)
    active = item.status in ACTIVE_STATUSES
    return {
        "id": item.request_id,
        "club": club.name if club else item.club_id,
        "club_id": item.club_id,
        "court": names.get(item.court_id, f"Court {item.court_id}"),
        "court_id": item.court_id,
        "date": item.date,
        "day": timefmt.club_day(date.fromisoformat(item.date)),
        "time_slot": item.time_slot,
        "status": item.status,
        "status_text": STATUS_TEXT.get(item.status, item.status),
        "active": active,
        "queued": bool(item.queued_behind),
        "reason": item.reason,
        "reason_text": REASON_TEXT.get(item.reason, item.reason or ""),
        "fire_at": item.fire_at,
        "fire_club": timefmt.club_time(item.fire_at, zone),
        "fire_in": timefmt.until(item.fire_at, now),
        "zone": zone,
        "alternatives": [
            {"court": names.get(a.court_id, f"Court {a.court_id}"), "time_slot": a.time_slot}
            for a in item.alternatives
        ],
        "partners": list(item.partners or []),
        "notes": item.notes or "",
        "on_conflict": item.on_conflict,
    }


def member_requests(user_id: str, now: datetime) -> tuple[list[dict], list[dict]]:
    """The member's active requests (soonest first) and the latest finished ones."""
    items = services.list_requests(user_id)
    names: dict[str, dict[int, str]] = {}

    def view(item):
        if item.club_id not in names:
            names[item.club_id] = court_names(item.club_id) if item.club_id else {}
        return request_view(item, now, names[item.club_id])

    active = sorted((i for i in items if i.status in ACTIVE_STATUSES), key=lambda i: i.fire_at)
    finished = sorted(
        (i for i in items if i.status not in ACTIVE_STATUSES),
        key=lambda i: i.updated_at,
        reverse=True,
    )[:RECENT_FINISHED]
    return [view(i) for i in active], [view(i) for i in finished]


def club_openings(club: clubs.Club, now: datetime) -> list[dict]:
    return [
        {
            "court": opening.court_name,
            "at": opening.at,
            "at_club": timefmt.club_time(opening.at, club.time_zone),
            "in": timefmt.until(opening.at, now),
            "day": timefmt.club_day(opening.day),
            "date": opening.day.isoformat(),
            "time_slot": opening.time_slot,
            "court_id": opening.court_id,
        }
        for opening in services.next_openings(club.id, now)
    ]


# --- home --------------------------------------------------------------------------------


@require_GET
def home(request):
    """``/``: what tennisbook does for a visitor; the member's dashboard once logged in."""
    if not request.user.is_authenticated:
        return render(request, "home/landing.html")
    now = now_utc()
    mine = member_clubs(request)
    active, finished = member_requests(str(request.user.pk), now)
    shown = mine.bookable or [mine.current]
    releases = [{"club": club, "openings": club_openings(club, now)} for club in shown]
    return render(
        request,
        "bookings/dashboard.html",
        {
            "clubs": mine,
            "active": active,
            "finished": finished,
            "releases": releases,
            "needs_setup": not mine.configured,
            "operator": is_operator(request.user),
        },
    )


@login_required
@require_GET
def request_list(request):
    """The dashboard's list of requests, refreshed by htmx."""
    active, finished = member_requests(str(request.user.pk), now_utc())
    context = {"active": active, "finished": finished, "clubs": member_clubs(request)}
    return render(request, "bookings/_requests.html", context)


# --- the booking form -------------------------------------------------------------------


def window_days(club: str, court_id, now: datetime) -> list[dict]:
    """Each date a member may ask for, with when it opens (for the day picker)."""
    first, last = services.booking_window(club, now)
    days = []
    day = first
    while day <= last:
        entry = {"date": day.isoformat(), "label": timefmt.club_day(day), "opens": ""}
        if court_id:
            try:
                opening = services.opening_of(club, court_id, day, None, now=now)
            except InvalidValue:  # a hint only: the form checks the date for real
                opening = None
            if opening is not None and opening.at > now:
                entry["opens"] = "opens " + timefmt.until(opening.at, now).removeprefix("in ")
            elif opening is not None:
                entry["opens"] = "open now"
        days.append(entry)
        day += timedelta(days=1)
    return days


def ready_templates(courts: list[dict], first: date, last: date, preferred) -> list[dict]:
    """The ready-made templates, fitted to the club's courts and window."""

    def court_with(slot_start: str, prefer: int | None):
        ordered = sorted(courts, key=lambda c: (c["id"] != prefer, c["id"]))
        for court in ordered:
            for slot in court["slots"]:
                if slot.startswith(f"De {slot_start}"):
                    return court, slot
        return (ordered[0], ordered[0]["slots"][0]) if ordered and ordered[0]["slots"] else None

    templates = []
    found = court_with("07:00 AM", preferred)
    if found:
        court, slot = found
        templates.append(
            {
                "name": "Weekday 07:00 singles",
                "court_id": court["id"],
                "weekdays": [0, 1, 2, 3, 4],
                "date": next_weekday([0, 1, 2, 3, 4], first, last),
                "time_slot": slot,
                "alternatives": [],
                "partners": [""],
                "notes": "Singles",
                "on_conflict": OnConflict.SUGGEST.value,
            }
        )
    ids = [court["id"] for court in courts]
    first_court, second_court = (5, 7) if {5, 7} <= set(ids) else (ids + ids)[:2]
    saturday = court_with("08:00 AM", first_court)
    if saturday and len(courts) > 1:
        court, slot = saturday
        other = next(c for c in courts if c["id"] == second_court)
        alternatives = []
        if slot in other["slots"]:
            alternatives = [{"court_id": other["id"], "time_slot": slot}]
        templates.append(
            {
                "name": f"Saturday doubles, {court['name']} then {other['name']}",
                "court_id": court["id"],
                "weekdays": [5],
                "date": next_weekday([5], first, last),
                "time_slot": slot,
                "alternatives": alternatives,
                "partners": ["", "", ""],
                "notes": "Doubles",
                "on_conflict": OnConflict.SUGGEST.value,
            }
        )
    return templates


def next_weekday(weekdays: list[int], first: date, last: date) -> str:
    """The first date of the window on one of ``weekdays`` ("" when none is in it)."""
    day = first
    while day <= last:
        if day.weekday() in weekdays:
            return day.isoformat()
        day += timedelta(days=1)
    return ""


def template_view(template, first: date, last: date) -> dict:
    """A member's own template as the booking form applies it (the next date on its weekdays)."""
    return {
        "id": str(template.pk),
        "own": True,
        "name": template.name,
        "court_id": template.court_id,
        "weekdays": list(template.weekdays),
        "date": next_weekday(template.weekdays, first, last) if template.weekdays else "",
        "time_slot": template.time_slot,
        "alternatives": list(template.alternatives),
        "partners": list(template.partners) or [""],
        "notes": template.notes,
        "on_conflict": template.on_conflict or OnConflict.SUGGEST.value,
    }


def booking_context(request, mine, form: BookingForm, error: PageError | None = None) -> dict:
    now = now_utc()
    club = mine.current
    courts = config_services.get_courts(club.id)
    first, last = services.booking_window(club.id, now)
    config = config_services.find_user_config(str(request.user.pk), club.id)
    preferred = config.preferred_court if config else None
    favourite = member_templates.favourites(str(request.user.pk), club.id, config)
    court_slots = {str(c["id"]): favourite.slots_first(c["slots"]) for c in courts}
    own = [
        template_view(t, first, last) for t in member_templates.my_templates(request.user, club.id)
    ]
    opening = None
    if form.court_id and form.date:
        opening = opening_text(club, form.court_id, form.date, form.time_slot, now)
    limits = config_services.get_system_value("limits", club=club.id)
    fields = error.fields if error else {}
    partner_rows = [
        {"value": name, "errors": fields.get(f"partners[{i}]", [])}
        for i, name in enumerate(form.partner_inputs)
    ]
    alternative_rows = [
        {
            "court_id": alt.court_id,
            "time_slot": alt.time_slot,
            "errors": {
                "court_id": fields.get(f"alternatives[{i}].court_id", []),
                "time_slot": fields.get(f"alternatives[{i}].time_slot", []),
                "row": fields.get(f"alternatives[{i}]", []),
            },
        }
        for i, alt in enumerate(form.alternatives)
    ]
    return {
        "clubs": mine,
        "partner_rows": partner_rows,
        "alternative_rows": alternative_rows,
        "alternatives_errors": fields.get("alternatives", []),
        "club": club,
        "form": form,
        "error": error,
        "courts": courts,
        # Only the club's own courts; "Other courts" only when some are left.
        "favourite_courts": [c["id"] for c in courts if c["id"] in favourite.courts],
        "other_courts": any(c["id"] not in favourite.courts for c in courts),
        "court_slots": court_slots,
        "first": first.isoformat(),
        "last": last.isoformat(),
        "days": window_days(club.id, form.court_id or preferred or courts[0]["id"], now),
        "opening": opening,
        "configured": mine.is_configured(club.id),
        "templates": ready_templates(courts, first, last, preferred) + own,
        "own_templates": len(own),
        "max_alternatives": limits["max_alternatives"],
        "max_partners": MAX_PARTNERS,
        "notes_max": NOTES_MAX_LENGTH,
        "conflict_choices": OnConflict.choices,
        "club_policy": config_services.get_system_value("conflict_policy", club=club.id),
        "rules": {
            "first": first.isoformat(),
            "last": last.isoformat(),
            "slot_pattern": SLOT_PATTERN,
            "max_alternatives": limits["max_alternatives"],
            "draft_key": f"{request.user.pk}:{club.id}",
            "favourite_slots": favourite.slots,
        },
    }


# The browser's copy of ``tennisbook.values``'s slot format ("De 07:00 AM a 08:00 AM").
SLOT_PATTERN = r"^\s*de\s+\d{1,2}:\d{2}\s*[ap]\.?\s*m\.?\s+a\s+\d{1,2}:\d{2}\s*[ap]\.?\s*m\.?\s*$"


def opening_text(club: clubs.Club, court_id, day, slot, now: datetime) -> dict:
    """When the chosen date opens, as the form shows it; ``error`` when it cannot."""
    try:
        found = attempt(services.opening_of, club.id, court_id, day, slot or None, now=now)
    except PageError as exc:
        return {"error": next(iter(exc.fields.values()), [exc.message])[0], "field": exc.fields}
    if found.at <= now:
        return {"open": True}
    return {
        "open": False,
        "at": found.at,
        "at_club": timefmt.club_time(found.at, club.time_zone),
        "in": timefmt.until(found.at, now),
        "zone": club.time_zone,
        "whole_day": found.time_slot is None,
    }


@login_required
@require_http_methods(["GET", "POST"])
def book(request):
    """``/book/``: ask for a court; a created request lands on its own page."""
    mine = member_clubs(request, request.POST.get("club") or request.GET.get("club"))
    club = mine.current
    if request.method == "GET":
        config = config_services.find_user_config(str(request.user.pk), club.id)
        preferred_slot = (config.preferred_slots or [""])[0] if config else ""
        form = BookingForm.from_query(
            club.id,
            request.GET,
            preferred_court=config.preferred_court if config else None,
            preferred_slot=preferred_slot,
            policy=config_services.get_system_value("conflict_policy", club=club.id),
        )
        if request.GET.get("template"):
            form = template_form(request, club.id, request.GET["template"]) or form
        return render(request, "bookings/book.html", booking_context(request, mine, form))
    form = BookingForm.from_post(club.id, request.POST)
    try:
        require_posted_club(request, mine)
        wish = validated(BookingCreateSerializer, form.body())
        item = attempt(
            workflow.create_wish,
            str(request.user.pk),
            wish,
            club=club.id,
            by=f"member:{request.user.get_username()}",
        )
    except PageError as exc:
        names = court_names(club.id)
        for suggestion in exc.extra.get("suggestions") or []:
            court = suggestion.get("court_id")
            suggestion["court_name"] = names.get(court, f"Court {court}")
        context = booking_context(request, mine, form, exc)
        return render(request, "bookings/book.html", context, status=exc.status)
    return redirect(reverse("bookings:detail", args=[item.request_id]) + "?created=1")


def template_form(request, club: str, template_id: str) -> BookingForm | None:
    """The form filled from the member's own template at ``club`` (None if it is not theirs)."""
    try:
        template = member_templates.own_template(request.user, template_id)
    except member_templates.NoSuchTemplate:
        messages.error(request, "That template is not one of yours (or was deleted).")
        return None
    if template.club_id != club:
        return None
    first, last = services.booking_window(club, now_utc())
    return BookingForm(
        club,
        court_id=str(template.court_id),
        date=next_weekday(template.weekdays, first, last) if template.weekdays else "",
        time_slot=template.time_slot,
        alternatives=[
            Alternative(str(a.get("court_id", "")), a.get("time_slot", ""))
            for a in template.alternatives
        ],
        partners=list(template.partners),
        notes=template.notes,
        on_conflict=template.on_conflict or OnConflict.SUGGEST.value,
    )


@login_required
@require_GET
def opening(request):
    """htmx: when the chosen court and date open (``/book/opening``)."""
    mine = member_clubs(request, request.GET.get("club"))
    court_id = request.GET.get("court_id", "").strip()
    day = request.GET.get("date", "").strip()
    if not court_id or not day:
        return render(request, "bookings/_opening.html", {"opening": None})  # nothing to say yet
    found = opening_text(mine.current, court_id, day, request.GET.get("time_slot", ""), now_utc())
    return render(request, "bookings/_opening.html", {"opening": found})


# --- one request ------------------------------------------------------------------------

EVIDENCE_GONE = "This evidence is not (or no longer) kept on this server."
EDIT_DRAFT = "{user}:{club}:edit"  # never restored (the form is filled from the request)


def own_request(request, request_id: str):
    """The member's own request, for the actions on it; 404 for anyone else's."""
    try:
        return attempt(services.get_request, str(request.user.pk), request_id)
    except PageError as exc:
        if exc.status == 404:
            raise Http404("There is no such request.") from None
        raise


def shown_request(request, request_id, *, partners: bool = False):
    """The request for its page: the member's own, or (operators) one of a club they operate.

    With ``partners`` also a request naming the member among its partners
    (its page, read-only; never its evidence). Anyone else's, a made-up id
    included, is a 404 (``queries.find_for``, ``queries.find_shown``).
    """
    find = queries.find_shown if partners else queries.find_for
    try:
        operator = is_operator(request.user)
        return attempt(find, request.user, str(request_id), operator=operator)
    except PageError as exc:
        if exc.status == 404:
            raise Http404("There is no such request.") from None
        raise


def history_view(item) -> list[dict]:
    """The history, an edit's "replaced by"/"replaces" linking the other request."""
    entries = []
    for entry in item.history:
        message, link = entry.message or "", None
        for prefix, text in ((REPLACED_BY, "replaced by"), (REPLACES, "replaces")):
            other = message.removeprefix(prefix)
            if message.startswith(prefix) and is_uuid(other):
                message = "edited"
                link = {"text": f"{text} request {other[:8]}", "url": reverse_detail(other)}
        entries.append(
            {"at": entry.at, "to_status": entry.to_status, "message": message, "link": link}
        )
    return entries


def is_uuid(value: str) -> bool:
    """Whether ``value`` is a UUID as this site writes one (a request's, a member's id)."""
    try:
        return str(uuid.UUID(value)) == value
    except ValueError:
        return False


def reverse_detail(request_id: str) -> str:
    return reverse("bookings:detail", args=[request_id])


def member_name(user_id: str) -> str:
    """Whose request an operator is looking at."""
    if not is_uuid(str(user_id)):
        return str(user_id)
    found = get_user_model().objects.filter(pk=user_id).values_list("username", flat=True)
    return found.first() or "a member who is gone"


def preflight_rows(item, zone: str, *, operator: bool) -> list[dict]:
    """The request's pre-flight checks in words; what the engine said only for operators."""
    rows = []
    for check in PreflightCheck.objects.filter(request_id=item.request_id).order_by("started_at"):
        rows.append(
            {
                "stage": check.get_stage_display(),
                "state": check.state,
                "state_text": check.get_state_display(),
                "message": check.message,
                "at": timefmt.club_time(check.finished_at or check.started_at, zone),
                "detail": check.detail if operator else "",
            }
        )
    return rows


def detail_context(request, item) -> dict:
    now = now_utc()
    names = court_names(item.club_id)
    view = request_view(item, now, names)
    result = member_result(item)
    result.pop("evidence", None)
    choice = result.get("choice") if isinstance(result.get("choice"), dict) else {}
    booked_court = choice.get("court", item.court_id)
    booked = {  # the choice the engine booked: the first, or an alternative
        "court": names.get(booked_court, f"Court {booked_court}"),
        "time_slot": choice.get("slot") or item.time_slot,
    }
    owner = item.user_id == str(request.user.pk)
    operator = is_operator(request.user) and may_operate(request.user, item.club_id)
    allowed = services.allowed_targets(item, Actor.MEMBER) if owner else []
    report = run_report(item, names, view["zone"], operator=operator)
    if report and not (owner or operator):  # a partner: the screenshot is the owner's
        report.update(shots=[], files=[])
    return {
        "item": view,
        "booked": booked,
        "history": history_view(item),
        "result": result,
        "report": report,
        "partner_view": not (owner or operator),
        "live": live_state(item, now),  # the run the page's live timeline follows
        "created": owner and request.GET.get("created") == "1",
        "edited": owner and request.GET.get("edited") == "1",
        "lead_minutes": max(1, round(settings.BOOKER_LEAD_TIME_SECONDS / 60)),
        "owner": owner,
        "member": "" if owner else member_name(item.user_id),
        "may_cancel": RequestStatus.CANCELLED in allowed,
        "may_retry": RequestStatus.PENDING in allowed,
        "may_edit": owner and item.status == RequestStatus.PENDING,
        "draft_key": f"{request.user.pk}:{item.club_id}",
        "edit_draft_key": EDIT_DRAFT.format(user=request.user.pk, club=item.club_id),
        "preflight": preflight_rows(item, view["zone"], operator=operator),
        "series": BookingSeries.objects.filter(pk=item.series_id).first()
        if owner and _is_uuid(item.series_id)
        else None,
    }


def _is_uuid(value) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return value is not None


@login_required
@require_GET
def detail(request, request_id):
    """``/bookings/<id>/``: what was asked, what happens next, what the engine did."""
    item = shown_request(request, request_id, partners=True)
    return render(request, "bookings/detail.html", detail_context(request, item))


@login_required
@require_GET
def detail_status(request, request_id):
    """htmx: the status part of a request's page, polled while it is active."""
    item = shown_request(request, request_id)
    response = render(request, "bookings/_status.html", detail_context(request, item))
    if item.status not in ACTIVE_STATUSES:
        # Finished: htmx stops polling (286) and reloads the page once, so its
        # actions (cancel, try again) follow the new status too.
        response.status_code = 286
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_GET
def evidence(request, request_id, name):
    """``/bookings/<id>/evidence/<name>``: a failure's screenshot or page, as kept.

    For the request's member and the operators of its club; a 404 for anyone
    else, and for an id or a name that does not exist.
    """
    found = evidence_file(shown_request(request, request_id), name)
    if found is None:
        raise Http404(EVIDENCE_GONE)
    try:
        return evidence_response(*found)
    except OSError:
        raise Http404(EVIDENCE_GONE) from None


@login_required
@require_POST
def change(request, request_id, action):
    """Cancel a request, or try a failed or cancelled one again."""
    by = request.user.get_username()
    try:
        item = own_request(request, request_id)
        if action == "cancel":
            attempt(workflow.cancel, item, actor=Actor.MEMBER, by=by)
            messages.success(request, "The request is cancelled; the slot is free for others.")
        else:
            attempt(workflow.retry, item, actor=Actor.MEMBER, by=by)
            messages.success(request, "The request is pending again.")
    except PageError as exc:
        messages.error(request, exc.message)
    return redirect("bookings:detail", request_id=request_id)


# --- editing a pending request ------------------------------------------------------------


def edit_context(request, mine, item, form: BookingForm, error: PageError | None = None):
    """The booking form's context, in editing mode (book.html says "Edit", posts here)."""
    context = booking_context(request, mine, form, error)
    draft = EDIT_DRAFT.format(user=request.user.pk, club=item.club_id)
    context["rules"] = {**context["rules"], "draft_key": draft}  # the new-booking draft stays
    context["editing"] = {
        "id": item.request_id,
        "version": item.version,
        "action": reverse("bookings:edit", args=[item.request_id]),
        "back": reverse_detail(item.request_id),
    }
    return context


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, request_id):
    """``/bookings/<id>/edit``: the booking form filled with a pending request; saved by
    ``workflow.edit`` (in place, or replaced by a new request for a new court, date or slot).
    """
    item = own_request(request, request_id)
    mine = member_clubs(request, item.club_id)
    refused = edit_refusal(item, mine)
    if refused:
        messages.error(request, refused)
        return redirect("bookings:detail", request_id=item.request_id)
    if request.method == "POST":
        return save_edit(request, mine, item)
    form = BookingForm.from_request(item)
    return render(request, "bookings/book.html", edit_context(request, mine, item, form))


def save_edit(request, mine, item):
    """The posted edit form: saved (to the request's page), or back with what was wrong."""
    form = BookingForm.from_post(item.club_id, request.POST)
    version = item.version
    try:
        require_posted_club(request, mine)
        if request.POST.get("version") != str(version):  # drawn from an older version
            raise PageError(409, "moot", CHANGED)
        wish = kept_policy(item, validated(BookingCreateSerializer, form.body()))
        saved = attempt(workflow.edit, item, wish, by=f"member:{request.user.get_username()}")
    except PageError as exc:
        if exc.code in ("moot", "transition_refused"):  # it moved on: show it as it is now
            messages.error(request, exc.message)
            return redirect("bookings:detail", request_id=item.request_id)
        name_suggestions(exc, item.club_id)
        context = edit_context(request, mine, item, form, exc)
        return render(request, "bookings/book.html", context, status=exc.status)
    if saved.request_id != item.request_id:
        messages.success(request, REPLACED_TEXT)
    elif saved.version == version:
        messages.info(request, "Nothing changed: the request is as it was.")
    else:
        messages.success(request, "Your changes are saved.")
    return redirect(reverse_detail(saved.request_id) + "?edited=1")


def kept_policy(item, wish: dict) -> dict:
    """A request left to the club's policy stays so while the form shows what it does."""
    shown = BookingForm.from_request(item).on_conflict
    if item.on_conflict is None and wish["on_conflict"] == shown:
        return {**wish, "on_conflict": None}
    return wish


def edit_refusal(item, mine) -> str:
    """Why the form cannot edit ``item`` at all ("" when it can)."""
    if item.status != RequestStatus.PENDING:
        return NOT_PENDING
    if mine.current.id != item.club_id:  # the club was disabled since
        return f"The club of this request ({item.club_id}) takes no changes now."
    return ""


REPLACED_TEXT = (
    "Saved. A new court, date or slot needs a new request: this one replaces the one you "
    "edited, which is cancelled (the history of both says so)."
)


def name_suggestions(exc: PageError, club: str) -> None:
    """Court names for the free slots a refusal suggests (the form shows them as buttons)."""
    names = court_names(club)
    for suggestion in exc.extra.get("suggestions") or []:
        court = suggestion.get("court_id")
        suggestion["court_name"] = names.get(court, f"Court {court}")
