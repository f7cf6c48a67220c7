"""Admin views for booking requests (DynamoDB items, not ORM models).

Mounted under ``/admin/bookings/`` and wrapped in ``admin.site.admin_view``
(staff only), rendered with the admin's own templates like the
configuration views. Operators list and search requests, read a request's
history and result (portal message, timings, attempts, evidence), and move
it through the states an operator may set, through the booking services.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from tennisbook.dynamo import DataError

from . import services
from .choices import RequestStatus
from .lifecycle import Actor
from .repositories import BookingRequestRepository

PAGE_SIZE = 50
requests_repo = BookingRequestRepository()


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
    status = request.GET.get("status", "")
    status = status if status in RequestStatus.values else ""
    query = request.GET.get("q", "").strip().lower()
    try:
        items = requests_repo.all_requests(status or None)
    except DataError as exc:
        messages.error(request, f"DynamoDB is unavailable: {exc}")
        items = []
    members = _members([item.user_id for item in items])
    rows = []
    for item in sorted(items, key=lambda r: r.fire_at, reverse=True):
        member = members.get(item.user_id)
        haystack = " ".join(
            filter(None, [item.request_id, item.user_id, member and member.username, item.date])
        ).lower()
        if not query or query in haystack:
            rows.append({"item": item, "member": member})
    return _render(
        request,
        "request_list.html",
        "Booking requests",
        page=Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
        query=query,
        status=status,
        statuses=RequestStatus.choices,
    )


def _find(request_id: str):
    item = requests_repo.find_by_id(request_id) if _is_uuid(request_id) else None
    if item is None:
        raise Http404("No such booking request.")
    return item


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def request_detail(request: HttpRequest, request_id: str) -> HttpResponse:
    item = _find(request_id)
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
    )


@require_POST
def request_status(request: HttpRequest, request_id: str) -> HttpResponse:
    item = _find(request_id)
    target = request.POST.get("status", "")
    message = request.POST.get("message", "").strip()[:500] or "changed by an operator"
    try:
        services.transition(
            item,
            target,
            actor=Actor.OPERATOR,
            by=f"operator:{request.user.get_username()}",
            message=message,
            reason="operator" if target == RequestStatus.FAILED else None,
        )
    except (*services.BOOKING_CONFLICTS, ValueError) as exc:
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
]
