"""API exceptions of our own, raised by services and views alike.

Each carries its HTTP status, a stable machine-readable ``code`` and a
message a member can read; ``tennisbook.api.exceptions`` renders them.
"""

from __future__ import annotations

import math

from rest_framework import status
from rest_framework.exceptions import APIException


class TooManyRequests(APIException):
    """A rate limit or lockout: 429 with ``Retry-After`` (whole seconds)."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "rate_limited"
    default_detail = "Too many requests; try again later."

    def __init__(self, detail: str | None = None, *, retry_after: float, code: str | None = None):
        super().__init__(detail, code)
        self.retry_after = max(1, math.ceil(retry_after))


class ServiceUnavailable(APIException):
    """A backing service (DynamoDB, KMS, e-mail) cannot serve us right now."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "service_unavailable"
    default_detail = "A service this request needs is unavailable; try again shortly."


class ConflictError(APIException):
    """The current state refuses the request: 409 with the refusal's own ``code``.

    Without arguments it is the generic "someone else changed it first"
    (optimistic locking lost). ``extra`` is data the refusal carries for the
    client (a held slot's ``suggestions``); it joins the error body.
    """

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "The resource changed while you were editing it; reload and try again."

    def __init__(
        self, detail: str | None = None, code: str | None = None, extra: dict | None = None
    ):
        super().__init__(detail, code)
        self.extra = extra or {}


class PayloadTooLarge(APIException):
    """The request body is larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE``."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"
    default_detail = "The request body is too large."


def humanize_seconds(seconds: float) -> str:
    """``905`` → ``"15 minutes"``; used in lockout and rate-limit messages."""
    seconds = max(1, math.ceil(seconds))
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    if minutes < 120:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours = math.ceil(minutes / 60)
    return f"{hours} hours"
