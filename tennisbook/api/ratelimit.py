"""Request rate limits (django-ratelimit) that answer 429 with ``Retry-After``.

django-ratelimit's own decorator raises ``Ratelimited``, a
``PermissionDenied`` that DRF and Django turn into 403; so it is not used:
its counters are read here (``get_usage``) and a limit surfaces as
``TooManyRequests`` instead, with the seconds left in the window. Rates are
read from ``settings.AUTH_RATE_LIMITS`` at request time, so tests and
deployments change them without touching code.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage

from .errors import TooManyRequests, humanize_seconds


def client_ip(request: HttpRequest) -> str:
    """The client's address, from ``settings.CLIENT_IP_META_KEY``.

    Never raises: a request without an address (some test clients, a Unix
    socket behind a proxy) is counted under one shared "unknown" key rather
    than crashing the view (django-ratelimit's own ``key="ip"`` raises).
    """
    value = request.META.get(settings.CLIENT_IP_META_KEY) or request.META.get("REMOTE_ADDR")
    if not value:
        return "unknown"
    # X-Forwarded-For style lists: the last entry is the one our own proxy
    # added; earlier entries come from the client and can be forged.
    return str(value).split(",")[-1].strip()[:64] or "unknown"


def _ip_key(group: str, request: HttpRequest) -> str:
    return client_ip(request)


def usage(
    request: HttpRequest, name: str, *, rate: str | None = None, increment: bool = True
) -> dict[str, Any] | None:
    """django-ratelimit's usage of limit ``name`` for this client."""
    return get_usage(
        request,
        group=f"tennisbook.{name}",
        key=_ip_key,
        rate=rate or settings.AUTH_RATE_LIMITS[name],
        increment=increment,
    )


def check_rate(request: HttpRequest, name: str, *, message: str | None = None) -> None:
    """Count this request against limit ``name``; ``TooManyRequests`` when over it."""
    current = usage(request, name)
    if current is not None and current["should_limit"]:
        wait = max(1, current["time_left"])
        raise TooManyRequests(
            message
            or f"Too many requests from your address; try again in {humanize_seconds(wait)}.",
            retry_after=wait,
        )


def rate_limit(name: str) -> Callable:
    """Decorate a view method ``(self, request, ...)`` with limit ``name``."""

    def decorator(method: Callable) -> Callable:
        @functools.wraps(method)
        def wrapper(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
            check_rate(request, name)
            return method(self, request, *args, **kwargs)

        wrapper.rate_limited = True  # the schema documents 429 for it
        return wrapper

    return decorator
