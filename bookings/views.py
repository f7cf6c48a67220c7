"""The booking API: a member's requests, their status, history and exports.

Thin views over ``bookings.queries`` (reads) and ``bookings.workflow``
(writes). A member reaches only their own requests (another member's answer
404, as if they did not exist); operators reach any request by id and may
move it through the engine's states. Refusals (409, each with its own code
and, for a held slot, suggestions) are rendered by the shared API exception
handler. Create and cancel honour an ``Idempotency-Key`` header
(``bookings.idempotency``).
"""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from configs import clubs
from tennisbook.api.pagination import PageNumberPagination
from tennisbook.api.permissions import is_operator, may_operate

from . import idempotency, queries, workflow
from . import serializers as s
from .evidence import evidence_file, evidence_response
from .lifecycle import Actor
from .models import PreflightCheck

CONFLICT = OpenApiResponse(
    description="Slot held by another member (with `suggestions`), duplicate, quota, "
    "or a status change that is not allowed now."
)


def actor_of(request, item=None) -> Actor:
    """An operator acts as one only at a club they operate, even on their own requests."""
    if not is_operator(request.user):
        return Actor.MEMBER
    if item is not None and not may_operate(request.user, item.club_id):
        return Actor.MEMBER
    return Actor.OPERATOR


def booking_data(request, item) -> dict:
    return s.BookingSerializer(item, context={"actor": actor_of(request, item)}).data


class BookingListView(APIView):
    # GET: 400 for a bad filter, 404 for a page out of range.
    error_statuses = {"*": (503,), "GET": (400, 404), "POST": (409, 422)}
    pagination_class = PageNumberPagination  # also tells the schema the list is paged

    @extend_schema(
        parameters=[s.BookingListQuerySerializer], responses=s.BookingSerializer(many=True)
    )
    def get(self, request):
        query = s.BookingListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        items = queries.search_requests(str(request.user.pk), **query.validated_data)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(items, request, view=self)
        return paginator.get_paginated_response([booking_data(request, i) for i in page])

    @extend_schema(
        request=s.BookingCreateSerializer,
        parameters=[idempotency.KEY_PARAMETER, idempotency.REPLAYED_PARAMETER],
        responses={
            201: s.BookingSerializer,
            200: OpenApiResponse(s.BookingSerializer, idempotency.REPLAYED_CREATE.description),
            409: CONFLICT,
            422: idempotency.KEY_REUSED,
        },
    )
    def post(self, request):
        key = idempotency.key_of(request)
        data = s.BookingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        wish = data.validated_data
        item, replayed = idempotency.create(
            str(request.user.pk),
            wish,
            club=clubs.club_of(wish.get("club")),
            by=f"member:{request.user.get_username()}",
            key=key,
        )
        return idempotency.respond(booking_data(request, item), replayed, created=True)


class BookingDetailView(APIView):
    # DELETE: 400 for a malformed Idempotency-Key.
    error_statuses = {"*": (503,), "DELETE": (400, 409)}

    @extend_schema(responses=s.BookingSerializer)
    def get(self, request, request_id):
        item = queries.find_for(request.user, request_id, operator=is_operator(request.user))
        return Response(booking_data(request, item))

    @extend_schema(
        parameters=[idempotency.KEY_PARAMETER, idempotency.REPLAYED_PARAMETER],
        responses={200: s.BookingSerializer, 409: CONFLICT},
        description="Cancel. With an Idempotency-Key, a request already cancelled answers "
        "200 (`Idempotent-Replayed: true`) instead of 409.",
    )
    def delete(self, request, request_id):
        key = idempotency.key_of(request)
        item = queries.find_for(request.user, request_id, operator=is_operator(request.user))
        item, replayed = idempotency.cancel(
            item, actor=actor_of(request, item), by=request.user.get_username(), key=key
        )
        return idempotency.respond(booking_data(request, item), replayed)


class BookingStatusView(APIView):
    error_statuses = {"*": (409, 503)}

    @extend_schema(
        request=s.StatusChangeSerializer, responses={200: s.BookingSerializer, 409: CONFLICT}
    )
    def put(self, request, request_id):
        data = s.StatusChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = queries.find_for(request.user, request_id, operator=is_operator(request.user))
        actor = actor_of(request, item)
        item = workflow.change_status(
            item,
            data.validated_data["status"],
            actor=actor,
            by=f"{actor}:{request.user.get_username()}",
            message=data.validated_data["message"],
        )
        return Response(booking_data(request, item))


class PreflightSerializer(serializers.Serializer):
    stage = serializers.CharField(help_text="day (the day before) or final (ten minutes before)")
    state = serializers.CharField(
        help_text="running, ok, credentials_rejected, page_changed, portal_down, skipped, error"
    )
    message = serializers.CharField(allow_blank=True)
    started_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)


class BookingPreflightView(APIView):
    """The pre-flight checks of a request: dry runs before its release (``booker.preflight``)."""

    error_statuses = {"*": (503,)}

    @extend_schema(responses=PreflightSerializer(many=True))
    def get(self, request, request_id):
        item = queries.find_for(request.user, request_id, operator=is_operator(request.user))
        checks = PreflightCheck.objects.filter(request_id=item.request_id).order_by("started_at")
        return Response(PreflightSerializer(checks, many=True).data)


EVIDENCE_GONE = "This evidence is not (or no longer) available on this server."


class BookingEvidenceView(APIView):
    """One piece of a failed attempt's evidence, for its member (or an operator)."""

    error_statuses = {"*": (503,)}

    def perform_content_negotiation(self, request, force=False):
        # A file, whatever the client accepts (a browser asks for image/*).
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request, request_id, name):
        item = queries.find_for(request.user, request_id, operator=is_operator(request.user))
        found = evidence_file(item, name)
        if found is None:
            raise NotFound(EVIDENCE_GONE)
        try:
            return evidence_response(*found)
        except OSError:
            raise NotFound(EVIDENCE_GONE) from None


class BookingStatsView(APIView):
    error_statuses = (400, 503)

    @extend_schema(parameters=[s.PeriodQuerySerializer], responses=s.StatsSerializer)
    def get(self, request):
        query = s.PeriodQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(queries.member_stats(str(request.user.pk), **query.validated_data))


class _ExportView(APIView):
    """The member's bookings as a file; subclasses say which format."""

    error_statuses = (400, 503)
    fmt: str
    content_type: str
    filename: str

    def get(self, request):
        query = s.PeriodQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        body = queries.export(str(request.user.pk), self.fmt, **query.validated_data)
        response = HttpResponse(body, content_type=self.content_type)
        response["Content-Disposition"] = f'attachment; filename="{self.filename}"'
        return response


@extend_schema(parameters=[s.PeriodQuerySerializer], responses={(200, "text/csv"): str})
class BookingCsvView(_ExportView):
    fmt, content_type, filename = "csv", "text/csv; charset=utf-8", "tennisbook-bookings.csv"


@extend_schema(parameters=[s.PeriodQuerySerializer], responses={(200, "text/calendar"): str})
class BookingCalendarView(_ExportView):
    fmt, content_type, filename = "ics", "text/calendar; charset=utf-8", "tennisbook.ics"
