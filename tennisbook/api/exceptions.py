"""One error format for every API failure.

Every 4xx and 5xx answer of the API has the body::

    {"error": {"code": "invalid", "message": "...", "fields": {"court_id": ["..."]}}}

``code`` is stable and machine-readable, ``message`` is a sentence a member
can read, ``fields`` maps each offending field (dotted path for nested
values, ``[i]`` for list items) to its messages and is empty otherwise.
``exception_handler`` is DRF's ``EXCEPTION_HANDLER``; the Django-level
handlers at the bottom give URLs outside DRF views (an unknown path under
``/api/``) the same shape.
"""

from __future__ import annotations

from typing import Any

import structlog
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from django_ratelimit.exceptions import Ratelimited
from rest_framework import exceptions as drf
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import set_rollback
from rest_framework_simplejwt.exceptions import AuthenticationFailed as JWTAuthenticationFailed
from rest_framework_simplejwt.exceptions import InvalidToken

from configs.crypto import CryptoError, KeyServiceUnavailable
from tennisbook.dynamo import Conflict, DataError, NotFound, TableMissing, Unavailable
from tennisbook.values import InvalidValue

from .errors import ConflictError, ServiceUnavailable, TooManyRequests

log = structlog.get_logger("tennisbook.api")

DATABASE_UNAVAILABLE = (
    "The configuration database is unavailable right now; nothing was changed. "
    "Try again in a minute."
)
KEY_SERVICE_UNAVAILABLE = (
    "The key service that protects portal passwords is unavailable right now; "
    "nothing was changed. Try again in a minute."
)
SERVER_ERROR = "Something went wrong on our side; it has been logged. Try again later."

# Seconds a client should wait before retrying after a 503.
UNAVAILABLE_RETRY_AFTER = 30


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def error_response(
    status_code: int,
    code: str,
    message: str,
    fields: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    return Response(error_body(code, message, fields), status=status_code, headers=headers)


def flatten_fields(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as ``{"a.b[0]": ["message", ...]}``."""
    fields: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            if isinstance(key, int) or (isinstance(key, str) and key.isdigit()):
                path = f"{prefix}[{key}]"
            else:
                path = f"{prefix}.{key}" if prefix else str(key)
            fields.update(flatten_fields(value, path))
    elif isinstance(detail, list) and any(isinstance(item, (dict, list)) for item in detail):
        for index, value in enumerate(detail):
            if value:
                fields.update(flatten_fields(value, f"{prefix}[{index}]"))
    elif isinstance(detail, list):
        fields[prefix or "non_field_errors"] = [str(item) for item in detail]
    else:
        fields[prefix or "non_field_errors"] = [str(detail)]
    return fields


def _validation_response(fields: dict[str, list[str]]) -> Response:
    general = fields.get("non_field_errors")
    if general and len(fields) == 1:
        message = general[0]
    else:
        name, messages = next(iter(fields.items()))
        message = f"{name}: {messages[0]}"
        if len(fields) > 1:
            others = len(fields) - 1
            message += f" (and {others} more field{'s' if others > 1 else ''})"
    return error_response(status.HTTP_400_BAD_REQUEST, "invalid", message, fields)


def _api_exception_response(exc: drf.APIException) -> Response:
    headers: dict[str, str] = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]
    if isinstance(exc, drf.Throttled) and exc.wait is not None:
        headers["Retry-After"] = str(max(1, int(exc.wait)))
    if isinstance(exc, TooManyRequests):
        headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, ServiceUnavailable):
        headers["Retry-After"] = str(UNAVAILABLE_RETRY_AFTER)

    detail = exc.detail
    if isinstance(exc, drf.ValidationError):
        return _validation_response(flatten_fields(detail))
    if isinstance(exc, (InvalidToken, JWTAuthenticationFailed)) and isinstance(detail, dict):
        # simplejwt nests a list of per-token-class messages; one sentence is enough.
        message = str(detail.get("detail", "The token is invalid or expired."))
        code = str(detail.get("code", "token_not_valid"))
        return error_response(exc.status_code, code, message, headers=headers)
    if isinstance(detail, (dict, list)):
        fields = flatten_fields(detail)
        message = next(iter(fields.values()))[0]
        code = exc.default_code
        return error_response(exc.status_code, code, message, fields, headers)
    code = getattr(detail, "code", None) or exc.default_code
    return error_response(exc.status_code, str(code), str(detail), headers=headers)


def translate(exc: Exception) -> drf.APIException | None:
    """Our services' and the data layer's exceptions as DRF exceptions."""
    if isinstance(exc, drf.APIException):
        return exc
    if isinstance(exc, Ratelimited):
        return TooManyRequests(retry_after=60)
    if isinstance(exc, Http404):
        return drf.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return drf.PermissionDenied()
    if isinstance(exc, InvalidValue):
        return drf.ValidationError({exc.field: [exc.message]})
    if isinstance(exc, NotFound):
        return drf.NotFound("The requested item does not exist.")
    if isinstance(exc, Conflict):
        return ConflictError()
    if isinstance(exc, (Unavailable, TableMissing)):
        return ServiceUnavailable(DATABASE_UNAVAILABLE)
    if isinstance(exc, KeyServiceUnavailable):
        return ServiceUnavailable(KEY_SERVICE_UNAVAILABLE)
    return None


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """DRF's ``EXCEPTION_HANDLER``: every failure in the one error format.

    Unexpected exceptions are logged with their traceback and answered 500 in
    the same format, so a client never has to parse an HTML error page.
    """
    api_exc = translate(exc)
    set_rollback()
    if api_exc is None:
        if isinstance(exc, (DataError, CryptoError)):
            log.error("api.backend_error", error_type=type(exc).__name__)
        else:
            log.exception("api.unhandled_error", error_type=type(exc).__name__)
        return error_response(status.HTTP_500_INTERNAL_SERVER_ERROR, "server_error", SERVER_ERROR)
    if api_exc.status_code >= 500:
        log.warning("api.unavailable", error_type=type(exc).__name__, status=api_exc.status_code)
    return _api_exception_response(api_exc)


# --- Django-level handlers (tennisbook.urls: handler400/403/404/500) ----------


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _json(status_code: int, code: str, message: str) -> JsonResponse:
    return JsonResponse(error_body(code, message), status=status_code)


def page_not_found(request: HttpRequest, exception: Exception | None = None):
    if _is_api(request):
        return _json(404, "not_found", "There is no API endpoint at this address.")
    from django.views.defaults import page_not_found as default

    return default(request, exception)


def server_error(request: HttpRequest):
    if _is_api(request):
        return _json(500, "server_error", SERVER_ERROR)
    from django.views.defaults import server_error as default

    return default(request)


def permission_denied(request: HttpRequest, exception: Exception | None = None):
    if isinstance(exception, Ratelimited):
        from .ratelimit import ratelimited_response

        return ratelimited_response(request, exception)
    if _is_api(request):
        return _json(403, "permission_denied", "You do not have permission to do this.")
    from django.views.defaults import permission_denied as default

    return default(request, exception)


def bad_request(request: HttpRequest, exception: Exception | None = None):
    if _is_api(request):
        return _json(400, "bad_request", "The request could not be understood.")
    from django.views.defaults import bad_request as default

    return default(request, exception)
