"""Login lockout: per account (django-axes) and per client address.

Per account, axes records each failed login; ``LOGIN_LOCKOUT_FAILURES``
failures within ``LOGIN_LOCKOUT_COOLOFF`` lock the username for the cool-off,
counted from the last failure. Attempts made while locked are not recorded,
so nobody can keep a member locked out for longer than one cool-off by
hammering the login; a successful login resets the count. Per address, a
django-ratelimit counter of failures across all usernames locks that address
for the rest of its window (``LOGIN_IP_FAILURES`` per
``LOGIN_IP_WINDOW_SECONDS``). Unknown usernames are counted exactly like
existing ones, so the answers never tell whether an account exists.
"""

from __future__ import annotations

from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from tennisbook.api.errors import TooManyRequests, humanize_seconds
from tennisbook.api.exceptions import error_body
from tennisbook.api.ratelimit import usage


class LoginLocked(TooManyRequests):
    default_code = "account_locked"


def _now():
    return timezone.now()


def account_lock_remaining(username: str | None) -> float:
    """Seconds the username stays locked (0 when it may try to log in)."""
    if not username:
        return 0.0
    cool_off = settings.AXES_COOLOFF_TIME
    recent = AccessAttempt.objects.filter(
        username=username, attempt_time__gte=_now() - cool_off
    ).aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
    if (recent["failures"] or 0) < settings.AXES_FAILURE_LIMIT:
        return 0.0
    return max(0.0, (recent["last"] + cool_off - _now()).total_seconds())


def _ip_usage(request: HttpRequest, *, increment: bool) -> dict[str, Any] | None:
    rate = f"{settings.LOGIN_IP_FAILURES}/{settings.LOGIN_IP_WINDOW_SECONDS}s"
    return usage(request, "login_failures", rate=rate, increment=increment)


def address_lock_remaining(request: HttpRequest) -> float:
    """Seconds this client address stays locked (0 when it may try)."""
    current = _ip_usage(request, increment=False)
    if current is None or current["count"] < settings.LOGIN_IP_FAILURES:
        return 0.0
    return float(max(1, current["time_left"]))


def account_message(seconds: float) -> str:
    return (
        f"This account is locked after {settings.AXES_FAILURE_LIMIT} failed logins. "
        f"Try again in {humanize_seconds(seconds)}, or reset your password."
    )


def address_message(seconds: float) -> str:
    return (
        "Too many failed logins from your network address. "
        f"Try again in {humanize_seconds(seconds)}."
    )


def check_not_locked(request: HttpRequest, username: str | None) -> None:
    """Raise ``LoginLocked`` (429, ``Retry-After``) if this login must wait."""
    seconds = account_lock_remaining(username)
    if seconds:
        raise LoginLocked(account_message(seconds), retry_after=seconds)
    seconds = address_lock_remaining(request)
    if seconds:
        raise LoginLocked(address_message(seconds), retry_after=seconds, code="address_locked")


def record_address_failure(request: HttpRequest) -> None:
    _ip_usage(request, increment=True)


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: the locked-out answer for logins axes stops.

    Our own login views answer for themselves (they set
    ``request.login_handled``); this serves the admin's login form.
    """
    if getattr(request, "login_handled", False) and original_response is not None:
        return original_response
    username = (credentials or {}).get("username") or request.POST.get("username")
    seconds = account_lock_remaining(username) or settings.AXES_COOLOFF_TIME.total_seconds()
    message = account_message(seconds)
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(error_body("account_locked", message), status=429)
    else:
        response = render(request, "accounts/locked_out.html", {"message": message}, status=429)
    response["Retry-After"] = str(max(1, int(seconds)))
    return response
