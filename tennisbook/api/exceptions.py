"""One error format for every API failure.

Every 4xx and 5xx answer of the API has the body::

    {"error": {"code": "invalid", "message": "...", "fields": {"court_id": ["..."]}}}

``code`` is stable and machine-readable, ``message`` is a sentence a member
can read, ``fields`` maps each offending field (dotted path for nested
values, ``[i]`` for list items) to its messages and is empty otherwise.
A refusal may add data of its own beside them (``suggestions`` of a held
slot). Errors are JSON whatever the client accepts, a browser posting a form
included.

``exception_handler`` is DRF's ``EXCEPTION_HANDLER``: views raise, they do
not catch. A ``tennisbook.dynamo.Conflict`` subclass that declares its own
``code`` is a refusal written for the member (``bookings.errors``): it
answers 409 with that code, its message, and its public instance attributes
(``SlotClaimed.suggestions``) in the error body. A bare ``Conflict`` (a
conditional write lost) answers the generic ``conflict``: its message names
tables, not something a member can act on.

The Django-level handlers at the bottom give URLs outside DRF views the same
shape: ``api_not_found`` answers every unknown path under ``/api/`` (a route
of its own, so that even ``DEBUG=True`` does not answer Django's HTML page).
"""

from __future__ import annotations

from typing import Any

import structlog
from django.conf import settings
from django.core.exceptions import (
    BadRequest,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponsePermanentRedirect, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.urls import Resolver404, resolve
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions as drf
from rest_framework import status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import set_rollback
from rest_framework_simplejwt.exceptions import AuthenticationFailed as JWTAuthenticationFailed
from rest_framework_simplejwt.exceptions import InvalidToken

from configs.crypto import CryptoError, KeyServiceUnavailable
from tennisbook.dynamo import Conflict, DataError, NotFound, TableMissing, Unavailable
from tennisbook.values import InvalidValue

from .errors import ConflictError, PayloadTooLarge, ServiceUnavailable, TooManyRequests

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
NOT_FOUND = "There is no API endpoint at this address."
BAD_REQUEST = "The request could not be understood."

# Seconds a client should wait before retrying after a 503.
UNAVAILABLE_RETRY_AFTER = 30


def error_body(
    code: str,
    message: str,
    fields: dict[str, list[str]] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict:
    """The error body; ``extra`` adds keys beside the three, never in their place."""
    error = {"code": code, "message": message, "fields": fields or {}}
    for key, value in (extra or {}).items():
        error.setdefault(key, value)
    return {"error": error}


def error_response(
    status_code: int,
    code: str,
    message: str,
    fields: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    body = error_body(code, message, fields, extra)
    return Response(body, status=status_code, headers=headers)


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


def api_exception_response(exc: drf.APIException) -> Response:
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
    extra = getattr(exc, "extra", None)
    return error_response(exc.status_code, str(code), str(detail), headers=headers, extra=extra)


def _conflict(exc: Conflict) -> ConflictError:
    code = getattr(exc, "code", None)
    if not code:
        return ConflictError()
    extra = {name: value for name, value in vars(exc).items() if not name.startswith("_")}
    return ConflictError(str(exc), code, extra)


def _refused_input(exc: SuspiciousOperation | BadRequest) -> drf.APIException:
    """Django's refusals to read a request: too big, too many fields, malformed."""
    if isinstance(exc, RequestDataTooBig):
        limit = filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE).replace("\xa0", " ")
        return PayloadTooLarge(f"The request body is larger than the {limit} this API accepts.")
    if isinstance(exc, TooManyFieldsSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        return drf.ParseError(f"The request has more than the {limit} fields this API accepts.")
    if isinstance(exc, TooManyFilesSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FILES
        return drf.ParseError(f"The request has more than the {limit} files this API accepts.")
    return drf.ParseError(BAD_REQUEST)


def translate(exc: Exception) -> drf.APIException | None:
    """Our services' and the data layer's exceptions as DRF exceptions."""
    if isinstance(exc, drf.APIException):
        return exc
    if isinstance(exc, (SuspiciousOperation, BadRequest)):
        return _refused_input(exc)
    if isinstance(exc, Http404):
        return drf.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return drf.PermissionDenied()
    if isinstance(exc, InvalidValue):
        return drf.ValidationError({exc.field: [exc.message]})
    if isinstance(exc, NotFound):
        return drf.NotFound("The requested item does not exist.")
    if isinstance(exc, Conflict):
        return _conflict(exc)
    if isinstance(exc, Unavailable) and getattr(exc, "code", None):
        # A service's own "try again" (e.g. a request that kept changing under
        # a bounded number of tries): its message says what happened.
        return ServiceUnavailable(str(exc), code=exc.code)
    if isinstance(exc, (Unavailable, TableMissing)):
        return ServiceUnavailable(DATABASE_UNAVAILABLE)
    if isinstance(exc, KeyServiceUnavailable):
        return ServiceUnavailable(KEY_SERVICE_UNAVAILABLE)
    if isinstance(exc, DataError) and getattr(exc, "code", None):
        # A write the store refuses for good (e.g. an item grown too large):
        # retrying will not help, and nothing was changed.
        return ConflictError(str(exc), exc.code, {})
    return None


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """DRF's ``EXCEPTION_HANDLER``: every failure in the one error format.

    Unexpected exceptions are logged with their traceback and answered 500 in
    the same format, so a client never has to parse an HTML error page.
    """
    request = context.get("request")
    if request is not None:
        # Not the browsable API's HTML, the docs' template or the CSV renderer:
        # DRF renders a response with the renderer set here.
        request.accepted_renderer, request.accepted_media_type = JSONRenderer(), "application/json"
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
    return api_exception_response(api_exc)


# --- Django-level handlers (tennisbook.urls: handler400/403/404/500) ----------


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _json(status_code: int, code: str, message: str) -> JsonResponse:
    return JsonResponse(error_body(code, message), status=status_code)


def _is_endpoint(request: HttpRequest, path: str) -> bool:
    try:
        match = resolve(path, getattr(request, "urlconf", None))
    except Resolver404:
        return False
    return match.url_name != "api-not-found"


@csrf_exempt  # a POST to a wrong address is told so, not refused for its CSRF token
def api_not_found(request: HttpRequest, path: str = ""):
    """Every ``/api/`` path that no endpoint matches (the last API route).

    As ``APPEND_SLASH`` would, a GET that lacks only its trailing slash
    (``/api/docs``) is redirected; any other near miss is named in the message
    (``POST /api/bookings/``: did you mean ``/api/bookings``?).
    """
    slashed = request.path.endswith("/")
    other = request.path[:-1] if slashed else f"{request.path}/"
    if not _is_endpoint(request, other):
        return _json(404, "not_found", NOT_FOUND)
    if not slashed and request.method in ("GET", "HEAD") and settings.APPEND_SLASH:
        return HttpResponsePermanentRedirect(request.get_full_path(force_append_slash=True))
    return _json(404, "not_found", f"{NOT_FOUND[:-1]}; did you mean {other}?")


def page_not_found(request: HttpRequest, exception: Exception | None = None):
    if _is_api(request):
        return _json(404, "not_found", NOT_FOUND)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest):
    if _is_api(request):
        return _json(500, "server_error", SERVER_ERROR)
    return defaults.server_error(request)


def permission_denied(request: HttpRequest, exception: Exception | None = None):
    if _is_api(request):
        return _json(403, "permission_denied", "You do not have permission to do this.")
    return defaults.permission_denied(request, exception)


def bad_request(request: HttpRequest, exception: Exception | None = None):
    if _is_api(request):
        return _json(400, "bad_request", BAD_REQUEST)
    return defaults.bad_request(request, exception)
