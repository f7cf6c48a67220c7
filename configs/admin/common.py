"""What the configs admin pages share: rendering, errors, the clubs an operator reaches."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from tennisbook import values
from tennisbook.api.permissions import may_operate, operated_clubs
from tennisbook.dynamo import Conflict
from tennisbook.values import InvalidValue

from .. import clubs
from ..dynamo import UserConfig

PAGE_SIZE = 50


def _render(request: HttpRequest, template: str, title: str, **context: Any) -> HttpResponse:
    context = {**admin.site.each_context(request), "title": title, **context}
    return render(request, f"admin/configs/{template}", context)


def _posted(request: HttpRequest) -> Any:
    """A form's data: the POST, even an empty one (every box unticked), else None."""
    return request.POST if request.method == "POST" else None


def _fail(request: HttpRequest, exc: Exception) -> None:
    """Show a data-layer or key-service failure as an admin error message."""
    if isinstance(exc, Conflict):
        messages.error(request, "Someone changed this item meanwhile; reload and try again.")
    else:
        messages.error(request, f"DynamoDB or the key service is unavailable: {exc}")


def _form_error(form: forms.Form, exc: InvalidValue, field: str | None = None) -> None:
    """Show a service's ``InvalidValue`` on ``field``, else the field it names, else atop."""
    field = field or exc.field
    if field in form.fields:
        form.add_error(field, exc.message)
    else:
        form.add_error(None, f"{exc.field}: {exc.message}")


# --- which clubs an operator reaches -----------------------------------------------


def _club_access(request: HttpRequest, club_id: str) -> str:
    """The club id of a URL, once the operator may operate it (no read yet).

    404 for what cannot be a club id, 403 for a club the operator does not
    operate: checked first, so nothing of another club is ever read.
    """
    try:
        club_id = values.parse_club_id(club_id)
    except InvalidValue:
        raise Http404("No such club.") from None
    if not may_operate(request.user, club_id):
        raise PermissionDenied("You do not operate this club.")
    return club_id


def _operated_club(request: HttpRequest, club_id: str) -> clubs.Club:
    """The club of a URL: 403 as ``_club_access``, 404 when it does not exist."""
    try:
        return clubs.get_club(_club_access(request, club_id))
    except InvalidValue:
        raise Http404("No such club.") from None


def _require_all_clubs(request: HttpRequest) -> None:
    if operated_clubs(request.user) is not None:
        raise PermissionDenied("Only an operator of every club may do this.")


def _may_see(user: Any, config: UserConfig) -> bool:
    if config.is_legacy:
        return operated_clubs(user) is None
    return may_operate(user, config.club_id)


def _club_list_url(name: str, club: str) -> str:
    return f"{reverse(name)}?{urlencode({'club': club})}"
