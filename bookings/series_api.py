"""The series API: ``/api/series...``, a member's recurring series (``bookings.series``).

Thin views: the serializers check the shape of a body, ``bookings.series``
the club's rules (``InvalidValue`` answers 400 naming the field). A member
reaches only their own series; any other id answers 404. An edit names the
``version`` it was drawn from: an older one answers 409 ``stale_series``.
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from configs import clubs
from tennisbook.validators import CleanTextField, StrictDateField, TimeSlotField

from . import series as series_service
from .choices import CONFLICT_CHOICES, MAX_PARTNERS, NOTES_MAX_LENGTH, PARTNER_MAX_LENGTH
from .serializers import AlternativeSerializer


class SeriesInputSerializer(serializers.Serializer):
    """A series as a member sends it; the club's rules are checked by the service."""

    club = serializers.CharField(
        required=False, max_length=32, help_text="The club; the default club when left out."
    )
    name = CleanTextField(max_length=series_service.NAME_MAX_LENGTH)
    court_id = serializers.IntegerField(min_value=1, max_value=9999)
    time_slot = TimeSlotField()
    alternatives = AlternativeSerializer(many=True, required=False, default=list)
    partners = serializers.ListField(
        child=CleanTextField(max_length=PARTNER_MAX_LENGTH),
        required=False,
        default=list,
        max_length=MAX_PARTNERS,
    )
    notes = CleanTextField(
        multiline=True, max_length=NOTES_MAX_LENGTH, required=False, allow_blank=True, default=""
    )
    on_conflict = serializers.ChoiceField(
        choices=CONFLICT_CHOICES, required=False, allow_null=True, default=None
    )
    weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6),
        min_length=1,
        max_length=7,
        help_text="0 is Monday, 6 Sunday.",
    )
    starts_on = StrictDateField(required=False, help_text="The first date; today when left out.")
    ends_on = StrictDateField(help_text="The last date (at most a year after the first).")
    skipped = serializers.ListField(
        child=StrictDateField(),
        required=False,
        default=list,
        max_length=series_service.MAX_SKIPPED,
    )

    def wish(self) -> dict:
        data = dict(self.validated_data)
        data["alternatives"] = [dict(a) for a in data.get("alternatives", [])]
        return data


class SeriesEditSerializer(SeriesInputSerializer):
    version = serializers.IntegerField(
        min_value=1, help_text="The version the edit was drawn from (GET answers it)."
    )


class SeriesDateSerializer(serializers.Serializer):
    date = StrictDateField()


class SeriesEndSerializer(serializers.Serializer):
    cancel_pending = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Also cancel the series' requests that have not started.",
    )


class OccurrenceSerializer(serializers.Serializer):
    date = serializers.DateField()
    state = serializers.CharField(help_text="created, refused or skipped")
    message = serializers.CharField()
    request_id = serializers.CharField(allow_null=True)
    request_status = serializers.CharField(allow_null=True)


class UpcomingSerializer(serializers.Serializer):
    date = serializers.DateField()
    release_at = serializers.DateTimeField()
    create_at = serializers.DateTimeField()


class SeriesSerializer(serializers.Serializer):
    id = serializers.CharField()
    club = serializers.CharField()
    name = serializers.CharField()
    court_id = serializers.IntegerField()
    time_slot = serializers.CharField()
    alternatives = AlternativeSerializer(many=True)
    partners = serializers.ListField(child=serializers.CharField())
    notes = serializers.CharField(allow_blank=True)
    on_conflict = serializers.CharField(allow_null=True)
    weekdays = serializers.ListField(child=serializers.IntegerField())
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    skipped = serializers.ListField(child=serializers.DateField())
    state = serializers.CharField(help_text="active, paused or ended")
    version = serializers.IntegerField()
    upcoming = UpcomingSerializer(many=True)
    occurrences = OccurrenceSerializer(many=True)


class SeriesEditedSerializer(SeriesSerializer):
    problems = serializers.ListField(
        child=serializers.CharField(),
        help_text="Requests already made that could not follow the edit (they kept their form).",
    )


def series_data(series, *, now, problems: list[str] | None = None) -> dict:
    requests = {r.date: r for r in series_service.series_requests(series)}
    occurrences = []
    for occurrence in series.occurrences.all():
        request = requests.get(occurrence.date.isoformat())
        occurrences.append(
            {
                "date": occurrence.date,
                "state": occurrence.state,
                "message": occurrence.message,
                "request_id": request.request_id if request else None,
                "request_status": request.status if request else None,
            }
        )
    data = {
        "id": str(series.pk),
        "club": series.club_id,
        "name": series.name,
        "court_id": series.court_id,
        "time_slot": series.time_slot,
        "alternatives": series.alternatives,
        "partners": series.partners,
        "notes": series.notes,
        "on_conflict": series.on_conflict or None,
        "weekdays": series.weekdays,
        "starts_on": series.starts_on,
        "ends_on": series.ends_on,
        "skipped": series.skipped,
        "state": series.state,
        "version": series.version,
        "upcoming": [
            {k: u[k] for k in ("date", "release_at", "create_at")}
            for u in (series_service.upcoming(series, now=now) if series.state != "ended" else [])
        ],
        "occurrences": occurrences,
    }
    if problems is None:
        return SeriesSerializer(data).data
    return SeriesEditedSerializer(data | {"problems": problems}).data


def own(request, series_id):
    try:
        return series_service.own_series(request.user, series_id)
    except series_service.NoSuchSeries:
        raise NotFound("There is no such series.") from None


class SeriesListView(APIView):
    error_statuses = {"*": (503,), "POST": (409,)}

    @extend_schema(responses=SeriesSerializer(many=True))
    def get(self, request):
        now = timezone.now()
        return Response([series_data(s, now=now) for s in series_service.my_series(request.user)])

    @extend_schema(request=SeriesInputSerializer, responses={201: SeriesSerializer})
    def post(self, request):
        data = SeriesInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        wish = data.wish()
        now = timezone.now()
        created = series_service.create_series(
            request.user, clubs.club_of(wish.pop("club", None)), wish, now=now
        )
        return Response(series_data(created, now=now), status=status.HTTP_201_CREATED)


class SeriesDetailView(APIView):
    error_statuses = {"*": (503,), "PUT": (409,)}

    @extend_schema(responses=SeriesSerializer)
    def get(self, request, series_id):
        return Response(series_data(own(request, series_id), now=timezone.now()))

    @extend_schema(
        request=SeriesEditSerializer,
        responses=SeriesEditedSerializer,
        description="Change the dates to come (the whole series, as POST takes it, with its "
        "version). Requests already made that have not started follow it.",
    )
    def put(self, request, series_id):
        own(request, series_id)
        data = SeriesEditSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        wish = data.wish()
        version = wish.pop("version")
        wish.pop("club", None)
        now = timezone.now()
        edited, problems = series_service.edit_series(
            request.user, series_id, wish, version, now=now
        )
        return Response(series_data(edited, now=now, problems=problems))


class SeriesActionView(APIView):
    """``POST /api/series/<id>/<action>``: pause, resume, skip, unskip, end."""

    error_statuses = {"*": (503,)}

    def act(self, request, series_id, action: str, shape=None):
        own(request, series_id)
        now = timezone.now()
        user = request.user
        values = {}
        if shape is not None:
            data = shape(data=request.data)
            data.is_valid(raise_exception=True)
            values = data.validated_data
        if action in ("pause", "resume"):
            changed = series_service.set_paused(user, series_id, action == "pause")
        elif action == "skip":
            changed = series_service.skip_date(user, series_id, values["date"], now=now)
        elif action == "unskip":
            changed = series_service.unskip_date(user, series_id, values["date"])
        else:
            changed, _cancelled = series_service.end_series(
                user, series_id, now=now, cancel_pending=values["cancel_pending"]
            )
        return Response(series_data(changed, now=now))


class SeriesPauseView(SeriesActionView):
    @extend_schema(request=None, responses=SeriesSerializer, description="Make no new dates.")
    def post(self, request, series_id):
        return self.act(request, series_id, "pause")


class SeriesResumeView(SeriesActionView):
    @extend_schema(request=None, responses=SeriesSerializer)
    def post(self, request, series_id):
        return self.act(request, series_id, "resume")


class SeriesSkipView(SeriesActionView):
    @extend_schema(
        request=SeriesDateSerializer,
        responses=SeriesSerializer,
        description="Leave one date out; its request is cancelled if it has not started.",
    )
    def post(self, request, series_id):
        return self.act(request, series_id, "skip", SeriesDateSerializer)


class SeriesUnskipView(SeriesActionView):
    @extend_schema(request=SeriesDateSerializer, responses=SeriesSerializer)
    def post(self, request, series_id):
        return self.act(request, series_id, "unskip", SeriesDateSerializer)


class SeriesEndView(SeriesActionView):
    @extend_schema(request=SeriesEndSerializer, responses=SeriesSerializer)
    def post(self, request, series_id):
        return self.act(request, series_id, "end", SeriesEndSerializer)
