"""What every member page shares: the API's errors as form errors, the member's club.

Page views call the same serializers and services as the API views, so a
page and the API can never disagree about what is valid. ``attempt`` runs a
service call and turns whatever the API would answer as an error (a bad
field, a held slot, DynamoDB or KMS away) into a ``PageError`` the template
shows next to the field it names; anything else is a real bug and raises.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings
from django.http import Http404
from django.shortcuts import render, resolve_url
from django_htmx.http import HttpResponseClientRedirect
from rest_framework import serializers

from configs import clubs
from configs import services as config_services
from tennisbook.api.exceptions import api_exception_response, translate

T = TypeVar("T")

SESSION_CLUB = "tennisbook.club"


@dataclass
class PageError(Exception):
    """An error body of the API, for a page: ``fields`` map names to messages."""

    status: int
    code: str
    message: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def for_field(self, name: str) -> list[str]:
        """Messages of ``name`` and of its parts (``alternatives[0].court_id``)."""
        found = []
        for key, messages in self.fields.items():
            if key == name or key.startswith((f"{name}.", f"{name}[")):
                found.extend(messages)
        return found


def page_error(exc: Exception) -> PageError | None:
    """The API's answer to ``exc`` as a ``PageError``; None for an unexpected error."""
    api_exc = translate(exc)
    if api_exc is None:
        return None
    body = api_exception_response(api_exc).data["error"]
    extra = {k: v for k, v in body.items() if k not in ("code", "message", "fields")}
    return PageError(api_exc.status_code, body["code"], body["message"], body["fields"], extra)


def attempt(action: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``action(*args, **kwargs)``, with the API's refusals raised as ``PageError``."""
    try:
        return action(*args, **kwargs)
    except PageError:
        raise
    except Exception as exc:
        error = page_error(exc)
        if error is None:
            raise
        raise error from exc


def validated(serializer_class: type[serializers.Serializer], data: Any, **context: Any) -> dict:
    """``data`` checked by the API's own serializer; ``PageError`` naming each bad field."""
    serializer = serializer_class(data=data, context=context)
    attempt(serializer.is_valid, raise_exception=True)
    return serializer.validated_data


class PageErrorMiddleware:
    """A page that meets an error the API would answer (DynamoDB or KMS away)
    shows it as a page with the API's status and sentence, never a 500; an
    htmx partial gets the sentence alone (htmx swaps error replies: base.html's
    ``htmx-config``). A partial asked for by a logged-out browser sends the
    whole page to the login page.

    API paths are left to DRF's handler; unexpected errors still raise.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "htmx", False) and response.status_code == 302:
            # A partial asked after the session ended: the whole page goes to the
            # login page, instead of the login page landing inside a panel.
            login = resolve_url(settings.LOGIN_URL)
            if response["Location"].startswith(login):
                return HttpResponseClientRedirect(response["Location"])
        return response

    def process_exception(self, request, exception):
        if request.path.startswith("/api/") or isinstance(exception, Http404):
            return None
        error = page_error(exception)
        if error is None:
            return None
        template = "_error_partial.html" if getattr(request, "htmx", False) else "error.html"
        response = render(request, template, {"error": error}, status=error.status)
        if error.status == 503:
            response["Retry-After"] = "30"
        return response


# --- the member's clubs -----------------------------------------------------------


@dataclass(frozen=True)
class MemberClubs:
    """The clubs a page offers a member, and which of them is chosen now."""

    all: list[clubs.Club]  # every enabled club: where a member may set up an account
    configured: list[str]  # ids of the clubs where the member saved portal credentials
    current: clubs.Club

    @property
    def several(self) -> bool:
        return len(self.all) > 1

    @property
    def bookable(self) -> list[clubs.Club]:
        return [club for club in self.all if club.id in self.configured]

    def is_configured(self, club_id: str) -> bool:
        return club_id in self.configured


def require_posted_club(request, mine: MemberClubs) -> None:
    """A form posted for a club other than the page's (gone, disabled) is refused.

    ``member_clubs`` falls back to another club for a club it does not
    offer: right for showing a page, wrong for saving or booking there.
    """
    posted = request.POST.get("club")
    if posted and posted != mine.current.id:
        raise PageError(
            400,
            "invalid",
            "That club does not take requests now; choose another.",
            {"club": [f"there is no enabled club {posted!r}."]},
        )


def member_clubs(request, wanted: str | None = None) -> MemberClubs:
    """The member's clubs; the current one is ``wanted``, else the one last used.

    The choice is remembered in the session, so the booking form and the
    settings page open at the club the member used last.
    """
    enabled = [club for club in clubs.list_clubs() if club.enabled]
    if not enabled:
        enabled = [clubs.get_club(settings.DEFAULT_CLUB_ID)]
    ids = [club.id for club in enabled]
    configured = [
        config.club_id
        for config in config_services.member_configs(str(request.user.pk), ids)
        if config.portal_username and config.has_portal_password
    ]
    remembered = request.session.get(SESSION_CLUB)
    for choice in (wanted, remembered, *configured, settings.DEFAULT_CLUB_ID, ids[0]):
        if choice in ids:
            current = enabled[ids.index(choice)]
            break
    if wanted in ids and remembered != wanted:
        request.session[SESSION_CLUB] = wanted
    return MemberClubs(enabled, configured, current)
