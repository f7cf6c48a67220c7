"""``Idempotency-Key`` on the booking API's create and cancel.

A client that cannot tell whether its request arrived (a lost answer, a
browser that queued it offline and sends it again on reconnect) repeats it
with the same key, and nothing happens twice:

- **create**: the new request's id is ``uuid5(member, key)``. The workflow's
  conditional put (``requestId`` must not exist) and the member-slot claim
  make a second request with that id impossible, even when two repeats race
  each other; the loser reads the winner back. A repeat with the same body
  answers the original request (200 and ``Idempotent-Replayed: true``
  instead of 201); the same key with another body answers 422 naming the
  fields that differ. No record is kept beside the request itself: the key
  is remembered as long as the request is (its ``ttl``, once finished).
- **cancel**: a request already cancelled answers 200 and
  ``Idempotent-Replayed: true`` (the outcome the key asked for is there)
  instead of the 409 a cancel without a key gets.

Keys are scoped per member (another member's same key is another id) and
must be 1 to 255 printable ASCII characters; anything else answers 400.
"""

from __future__ import annotations

import uuid

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response

from tennisbook.api.schema import error_response
from tennisbook.dynamo import Conflict
from tennisbook.values import TimeSlot

from . import services, workflow
from .choices import RequestStatus
from .dynamo import BookingRequest
from .errors import Contended, Moot
from .lifecycle import Actor

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_LENGTH = 255
# Fixed for good: another namespace would give every key a new request id,
# and a repeat sent across the change would create a second request.
NAMESPACE = uuid.UUID("3f8a1c52-7d64-5e0b-9a1f-6c2d4b8e0f17")

KEY_PARAMETER = OpenApiParameter(
    HEADER,
    str,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "Makes the call safe to repeat: 1 to 255 printable ASCII characters, chosen "
        "by the client (a UUID is fine), one per intended action. Scoped to the "
        "member. A repeat answers what the first call did, with "
        f"`{REPLAYED_HEADER}: true`."
    ),
)
REPLAYED_PARAMETER = OpenApiParameter(
    REPLAYED_HEADER,
    str,
    OpenApiParameter.HEADER,
    response=[200],
    description="`true` when nothing was written: an earlier call with this "
    "Idempotency-Key already did it.",
)
KEY_REUSED = error_response(
    422,
    "This Idempotency-Key was already used for a create with another body "
    "(code `idempotency_key_reused`; `differs` lists the fields, `request_id` the "
    "request it made).",
)
REPLAYED_CREATE = OpenApiResponse(
    description="A repeat of an earlier create with the same Idempotency-Key and body: "
    "the request it made, as it is now (nothing new was written)."
)


class KeyReused(APIException):
    """422: the key's request was made from another body."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"

    def __init__(self, request_id: str, differs: list[str]):
        super().__init__(
            f"This {HEADER} was already used for request {request_id}, made with other "
            f"values ({', '.join(differs)}). Send a new key for a new request.",
            self.default_code,
        )
        self.extra = {"request_id": request_id, "differs": differs}


def key_of(request) -> str | None:
    """The request's ``Idempotency-Key`` (None without one); 400 for a malformed one."""
    raw = request.headers.get(HEADER)
    if raw is None:
        return None
    problem = ""
    if not raw.strip():
        problem = "must not be empty."
    elif len(raw) > MAX_LENGTH:
        problem = f"must be at most {MAX_LENGTH} characters (got {len(raw)})."
    elif any(not " " <= char <= "~" for char in raw):
        problem = "must be printable ASCII characters only (letters, digits, punctuation)."
    if problem:
        raise ValidationError({HEADER: [problem]})
    return raw


def request_id_for(user_id: str, key: str) -> str:
    """The id of the request that ``key`` creates for this member, always the same."""
    return str(uuid.uuid5(NAMESPACE, f"{user_id}\n{key}"))


def create(
    user_id: str, wish: dict, *, club: str, by: str, key: str | None
) -> tuple[BookingRequest, bool]:
    """``workflow.create_wish`` once per key: (the request, whether it was a repeat).

    ``wish`` is the create serializer's validated data and ``club`` its club
    id. Without a key this is a plain create. ``KeyReused`` when the key's
    request differs from ``wish``; the workflow's refusals otherwise.
    """
    if key is None:
        return workflow.create_wish(user_id, wish, club=club, by=by), False
    request_id = request_id_for(user_id, key)
    found = services.requests_repo.find(request_id, user_id)
    if found is None:
        try:
            created = workflow.create_wish(user_id, wish, club=club, by=by, request_id=request_id)
        except (Conflict, Contended):
            # A concurrent repeat may have won the id (our put lost its
            # condition, or the slot claims it took first): read it back.
            found = services.requests_repo.find(request_id, user_id)
            if found is None:
                raise
        else:
            return created, False
    differs = differences(found, wish, club)
    if differs:
        raise KeyReused(request_id, differs)
    return found, True


def cancel(
    item: BookingRequest, *, actor: Actor, by: str, key: str | None
) -> tuple[BookingRequest, bool]:
    """``workflow.cancel``; with a key, a request already cancelled is a repeat, not a 409."""
    if key is None:
        return workflow.cancel(item, actor=actor, by=by), False
    if item.status == RequestStatus.CANCELLED:
        return item, True
    try:
        return workflow.cancel(item, actor=actor, by=by), False
    except Moot:
        # TransitionRefused included: a concurrent repeat may have cancelled it.
        current = services.requests_repo.find(item.request_id, item.user_id)
        if current is not None and current.status == RequestStatus.CANCELLED:
            return current, True
        raise


def respond(data: dict, replayed: bool, *, created: bool = False) -> Response:
    """The API's answer: 201 for a new request, 200 for a repeat (and the replay header)."""
    if replayed:
        return Response(data, status=status.HTTP_200_OK, headers={REPLAYED_HEADER: "true"})
    return Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def differences(item: BookingRequest, wish: dict, club: str) -> list[str]:
    """The fields in which ``wish`` (validated data at ``club``) differs from ``item``.

    Both sides are put in the form the workflow stores (slot labels, cleaned
    names and notes), so a body that only spells a slot differently is the
    same body. ``item`` is compared as it is now: a request edited since
    its create makes the original body differ.
    """
    partners, notes, on_conflict = services.check_notes(
        wish["partners"], wish["notes"], wish["on_conflict"]
    )
    asked = {
        "club": club,
        "court_id": int(wish["court_id"]),
        "date": wish["date"].isoformat(),
        "time_slot": TimeSlot.parse(wish["time_slot"]).label,
        "alternatives": [
            (int(a["court_id"]), TimeSlot.parse(a["time_slot"]).label) for a in wish["alternatives"]
        ],
        "partners": partners,
        "notes": notes or "",
        "on_conflict": on_conflict,
    }
    stored = {
        "club": item.club_id,
        "court_id": int(item.court_id),
        "date": item.date,
        "time_slot": item.time_slot,
        "alternatives": [(int(a.court_id), a.time_slot) for a in item.alternatives],
        "partners": list(item.partners or []),
        "notes": item.notes or "",
        "on_conflict": item.on_conflict,
    }
    return [name for name in asked if asked[name] != stored[name]]
