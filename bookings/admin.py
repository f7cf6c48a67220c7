"""Admin views for booking requests (DynamoDB items, not ORM models).

Mounted under ``/admin/bookings/`` and wrapped in ``admin.site.admin_view``
(staff only), rendered with the admin's own templates like the
configuration views. Operators list and search requests, read a request's
history and result (portal message, timings, attempts, evidence), and move
it through the states an operator may set, through ``bookings.workflow``.

An operator limited to some clubs (``User.operator_clubs``) sees only those
clubs' requests; another club's request answers 404, as an unknown one
does, GET or POST alike.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from configs import clubs
from tennisbook.api.permissions import may_operate, operated_clubs
from tennisbook.dynamo import Conflict, DataError
from tennisbook.values import InvalidValue, parse_club_id

from . import queries, services, workflow
from .choices import RequestStatus
from .dynamo import BookingRequest
from .evidence import evidence_response, preflight_file
from .lifecycle import Actor
from .models import PreflightCheck
from .services import requests_repo

PAGE_SIZE = 50
# How many index pages one list page may read to fill itself with the rows a
# limited operator may see; past that it shows fewer rows and links further.
MAX_READS = 10


def _render(request: HttpRequest, template: str, title: str, **context: Any) -> HttpResponse:
    context = {**admin.site.each_context(request), "title": title, **context}
    return render(request, f"admin/bookings/{template}", context)


def _members(user_ids: list[str]) -> dict[str, Any]:
    ids = []
    for value in user_ids:
        try:
            ids.append(uuid.UUID(value))
        except ValueError:
            continue
    return {str(pk): user for pk, user in get_user_model().objects.in_bulk(ids).items()}


def request_list(request: HttpRequest) -> HttpResponse:
    """The requests of the clubs the operator operates, latest fire time first, a page at a time.

    Pages are read through the status index from a cursor (never a scan);
    a search looks up a request id, a member id or a username directly;
    ``?club=`` shows one club's.
    """
    status = request.GET.get("status", "")
    status = status if status in RequestStatus.values else ""
    query = request.GET.get("q", "").strip()
    club = _club_filter(request)
    after = queries.Cursor.decode(request.GET.get("after", ""))
    items, next_cursor, known = [], None, []
    try:
        known = clubs.list_clubs(only=operated_clubs(request.user))
        if query:
            items = [
                i
                for i in queries.operator_search(query)
                if (not status or i.status == status) and _visible(request, i, club)
            ]
        else:
            items, next_cursor = _visible_page(request, status, club, after)
    except DataError as exc:
        messages.error(request, f"DynamoDB is unavailable: {exc}")
    members = _members([item.user_id for item in items])
    return _render(
        request,
        "request_list.html",
        "Booking requests",
        rows=[{"item": item, "member": members.get(item.user_id)} for item in items],
        query=query,
        status=status,
        statuses=RequestStatus.choices,
        club=club,
        clubs=known,
        first_page=after is None,
        next_cursor=next_cursor.encode() if next_cursor else "",
    )


def _club_filter(request: HttpRequest) -> str:
    """The ``?club=`` of the list: 404 if it cannot be a club, 403 if not the operator's."""
    club = request.GET.get("club", "")
    if not club:
        return ""
    try:
        club = parse_club_id(club)
    except InvalidValue:
        raise Http404("No such club.") from None
    if not may_operate(request.user, club):
        raise PermissionDenied("You do not operate this club.")
    return club


def _visible(request: HttpRequest, item: BookingRequest, club: str) -> bool:
    return (not club or item.club_id == club) and may_operate(request.user, item.club_id)


def _visible_page(
    request: HttpRequest, status: str, club: str, after: queries.Cursor | None
) -> tuple[list[BookingRequest], queries.Cursor | None]:
    """One page of the rows this operator may see (of ``club`` when given), and the next cursor.

    ``queries.operator_page`` reads every club's requests; an operator of
    every club gets its page as it is, anyone else the rows of their clubs,
    read on until the page is full.
    """
    if not club and operated_clubs(request.user) is None:
        page = queries.operator_page(status=status or None, after=after, size=PAGE_SIZE)
        return page.rows, page.next_cursor
    rows, cursor = [], after
    for _ in range(MAX_READS):
        page = queries.operator_page(status=status or None, after=cursor, size=PAGE_SIZE)
        rows += [item for item in page.rows if _visible(request, item, club)]
        cursor = page.next_cursor
        if len(rows) >= PAGE_SIZE or cursor is None:
            break
    if len(rows) > PAGE_SIZE:
        rows = rows[:PAGE_SIZE]
        cursor = queries.Cursor(rows[-1].fire_at, rows[-1].request_id)
    return rows, cursor


def _find(request: HttpRequest, request_id: str):
    """The request, if the operator operates its club; 404 otherwise, as for an unknown id."""
    item = requests_repo.find_by_id(request_id) if _is_uuid(request_id) else None
    if item is None or not may_operate(request.user, item.club_id):
        raise Http404("No such booking request.")
    return item


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def request_detail(request: HttpRequest, request_id: str) -> HttpResponse:
    item = _find(request, request_id)
    result = item.result_data
    return _render(
        request,
        "request_detail.html",
        f"Booking request {item.request_id}",
        item=item,
        member=_members([item.user_id]).get(item.user_id),
        result=result,
        attempts=result.get("attempts") or [],
        timings=result.get("timings") or [],
        targets=services.allowed_targets(item, Actor.OPERATOR),
        preflight=PreflightCheck.objects.filter(request_id=item.request_id).order_by("started_at"),
    )


def preflight_evidence(request: HttpRequest, request_id: str, check_id: int, name: str):
    """A pre-flight check's screenshot or page, for the operators of the request's club."""
    item = _find(request, request_id)
    check = PreflightCheck.objects.filter(pk=check_id, request_id=item.request_id).first()
    found = preflight_file(check, name) if check is not None else None
    if found is None:
        raise Http404("That evidence is not kept (any more).")
    try:
        return evidence_response(*found)
    except OSError:
        raise Http404("That evidence is not kept (any more).") from None


@require_POST
def request_status(request: HttpRequest, request_id: str) -> HttpResponse:
    item = _find(request, request_id)
    target = request.POST.get("status", "")
    message = request.POST.get("message", "").strip()[:500] or "changed by an operator"
    try:
        workflow.change_status(
            item,
            target,
            actor=Actor.OPERATOR,
            by=f"operator:{request.user.get_username()}",
            message=message,
        )
    except (Conflict, InvalidValue) as exc:
        messages.error(request, f"Not changed: {exc}")
    except DataError as exc:
        messages.error(request, f"DynamoDB is unavailable; nothing was changed: {exc}")
    else:
        messages.success(request, f"The request is now {target}.")
    return redirect("bookings-admin:request-detail", request_id=item.request_id)


app_name = "bookings-admin"

urlpatterns = [
    path("requests/", admin.site.admin_view(request_list), name="request-list"),
    path(
        "requests/<str:request_id>/",
        admin.site.admin_view(request_detail),
        name="request-detail",
    ),
    path(
        "requests/<str:request_id>/status",
        admin.site.admin_view(request_status),
        name="request-status",
    ),
    path(
        "requests/<str:request_id>/preflight/<int:check_id>/<slug:name>",
        admin.site.admin_view(preflight_evidence),
        name="preflight-evidence",
    ),
]
