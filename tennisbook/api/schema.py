"""OpenAPI documentation of the error format and of every error status.

``AutoSchema`` (the project's ``DEFAULT_SCHEMA_CLASS``) adds the error
responses an operation can give, all with the ``Error`` body:

- 400, 413 and 415 when it takes a request body;
- 401 unless the view has no authentication (a bad or revoked token is
  refused on every endpoint, even public ones);
- 403 when it needs more than being logged in, and on every write (CSRF for
  session-authenticated clients);
- 404 when its path has parameters;
- 429 always (DRF throttles), with ``Retry-After``;
- whatever the view lists in ``error_statuses``: a tuple for every method,
  or a dict by method with ``"*"`` for all (``{"*": (503,), "POST": (409,)}``).

It also teaches drf-spectacular the shared value fields of
``tennisbook.validators`` (slot labels, strict dates, court ids).

``error_responses(...)`` builds the same entries for an explicit
``@extend_schema(responses=...)``.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated

DESCRIPTIONS = {
    400: "Invalid input; `fields` names each offending field.",
    401: "Not logged in, or the token is invalid, expired or revoked.",
    403: "Logged in but not allowed (another member's data, operators only, CSRF).",
    404: "No such resource.",
    409: "Refused by the resource's current state; `code` says why "
    "(`conflict`: it changed meanwhile, reload and retry).",
    413: "The request body is larger than the API accepts.",
    415: "Unsupported request content type; send JSON.",
    429: "Rate limited or locked out; retry after `Retry-After` seconds.",
    503: "DynamoDB or the key service is unavailable; nothing was changed.",
}

ErrorSerializer = inline_serializer(
    "Error",
    fields={
        "error": inline_serializer(
            "ErrorDetail",
            fields={
                "code": serializers.CharField(help_text="Stable, machine-readable code."),
                "message": serializers.CharField(help_text="A sentence a person can read."),
                "fields": serializers.DictField(
                    child=serializers.ListField(child=serializers.CharField()),
                    help_text="Offending field (dotted path) → messages; empty if none.",
                ),
            },
        )
    },
)


def error_response(status: int, description: str | None = None) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description or DESCRIPTIONS.get(status, ""))


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    """``{status: OpenApiResponse(Error)}`` for ``@extend_schema(responses=...)``."""
    return {status: error_response(status) for status in statuses}


_BODY_METHODS = {"POST", "PUT", "PATCH"}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema plus the error responses listed in the module doc."""

    def error_statuses(self) -> set[int]:
        view = self.view
        declared = getattr(view, "error_statuses", ())
        if isinstance(declared, dict):
            declared = (*declared.get("*", ()), *declared.get(self.method, ()))
        statuses = {429} | set(declared)
        if self.method in _BODY_METHODS:
            statuses |= {400, 413, 415}
        if view.get_authenticators():
            statuses.add(401)
        permissions = [type(p) for p in view.get_permissions()]
        if self.method in _BODY_METHODS | {"DELETE"} or any(
            p not in (AllowAny, IsAuthenticated) for p in permissions
        ):
            statuses.add(403)
        if "{" in self.path:
            statuses.add(404)
        return statuses

    def _get_response_bodies(self, direction: Any = "response") -> dict:
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for status in sorted(self.error_statuses()):
            if str(status) not in responses:
                responses[str(status)] = self._get_response_for_code(
                    error_response(status), str(status), direction=direction
                )
        return responses


# --- the shared value fields ---------------------------------------------------


class _FieldSchema(OpenApiSerializerFieldExtension):
    schema: dict = {}

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict:
        return dict(self.schema)


class TimeSlotFieldSchema(_FieldSchema):
    target_class = "tennisbook.validators.TimeSlotField"
    schema = {
        "type": "string",
        "description": "A slot as the portal labels it: De HH:MM AM/PM a HH:MM AM/PM.",
        "example": "De 07:00 AM a 08:00 AM",
    }


class StrictDateFieldSchema(_FieldSchema):
    target_class = "tennisbook.validators.StrictDateField"
    schema = {"type": "string", "format": "date", "example": "2026-03-14"}


class CourtIdFieldSchema(_FieldSchema):
    target_class = "tennisbook.validators.CourtIdField"
    schema = {
        "type": "integer",
        "minimum": 1,
        "maximum": 9999,
        "description": "A court id configured in SystemConfig (courts).",
        "example": 5,
    }

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict:
        schema = dict(self.schema)
        if getattr(self.target, "allow_null", False):
            schema["nullable"] = True
        return schema
