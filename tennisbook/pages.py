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
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
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


def page_of(request, url: str | None) -> str | None:
    """``url`` as a path (with its query) if it is a page of this site; None otherwise.

    Django's own check (``url_has_allowed_host_and_scheme``, this request's
    host and scheme): a ``next`` taken from a header never leads off the site.
    """
    if not url or not url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    parts = urlsplit(url)
    if not parts.path.startswith("/") or parts.path.startswith("//"):
        return None
    return urlunsplit(("", "", parts.path, parts.query, ""))


def back_after_login(request) -> str | None:
    """Where a member sent to the login page should land afterwards, or None for home.

    Django's ``next`` is the URL that asked for a login, right for a page
    opened by a link. A partial (htmx) belongs to the page it is part of
    (``HX-Current-URL``), and a form's action may answer POST only: those
    go back to the page the member was on (``HX-Current-URL``, ``Referer``).
    """
    if getattr(request, "htmx", False):
        return page_of(request, request.htmx.current_url)
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    return page_of(request, request.headers.get("Referer"))


class PageErrorMiddleware:
    """A page that meets an error the API would answer (DynamoDB or KMS away)
    shows it as a page with the API's status and sentence, never a 500; an
    htmx partial gets the sentence alone (htmx swaps error replies: base.html's
    ``htmx-config``).

    A request that needed a session it no longer has (``login_required``'s
    redirect) is sent to the login page with ``next`` naming the page the
    member was on (``back_after_login``); a partial sends the whole page
    there (``HX-Redirect``) instead of the login page landing inside a panel.

    API paths are left to DRF's handler; unexpected errors still raise.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 302 and not request.path.startswith("/api/"):
            login = resolve_url(settings.LOGIN_URL)
            if urlsplit(response["Location"]).path == login:
                response = self.to_login(request, response, login)
        return response

    @staticmethod
    def to_login(request, response, login: str):
        htmx = getattr(request, "htmx", False)
        if not htmx and request.method in ("GET", "HEAD"):
            return response  # Django's next is already the page itself
        back = back_after_login(request)
        location = f"{login}?{urlencode({REDIRECT_FIELD_NAME: back})}" if back else login
        return HttpResponseClientRedirect(location) if htmx else HttpResponseRedirect(location)

    def process_exception(self, request, exception):
        if request.path.startswith("/api/") or isinstance(exception, Http404):
            return None
        # A view's own refusal (``attempt``) that it did not catch is shown the same way.
        error = exception if isinstance(exception, PageError) else page_error(exception)
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
