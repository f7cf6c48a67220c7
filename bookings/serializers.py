"""Booking requests in and out of the API (plain serializers over DynamoDB items)."""

from __future__ import annotations

from rest_framework import serializers

from tennisbook.validators import CleanTextField, StrictDateField, TimeSlotField

from .choices import (
    CONFLICT_CHOICES,
    MAX_PARTNERS,
    NOTES_MAX_LENGTH,
    PARTNER_MAX_LENGTH,
    RequestStatus,
)
from .evidence import member_result
from .lifecycle import Actor
from .services import allowed_targets, is_worker_id


class AlternativeSerializer(serializers.Serializer):
    court_id = serializers.IntegerField(min_value=1, max_value=9999)
    time_slot = TimeSlotField()


class BookingCreateSerializer(serializers.Serializer):
    """What a member asks for; club rules are checked by the service."""

    club = serializers.CharField(
        required=False,
        max_length=32,
        help_text="The club (GET /api/clubs); the default club when left out.",
    )
    court_id = serializers.IntegerField(min_value=1, max_value=9999)
    date = StrictDateField()
    time_slot = TimeSlotField()
    alternatives = AlternativeSerializer(many=True, required=False, default=list)
    partners = serializers.ListField(
        child=CleanTextField(max_length=PARTNER_MAX_LENGTH),
        required=False,
        default=list,
        max_length=MAX_PARTNERS,
        help_text=f"Who the member plays with (at most {MAX_PARTNERS} names).",
    )
    notes = CleanTextField(
        multiline=True,
        max_length=NOTES_MAX_LENGTH,
        required=False,
        allow_blank=True,
        allow_null=True,  # what the API answers for a request without notes
        default="",
    )
    on_conflict = serializers.ChoiceField(
        choices=CONFLICT_CHOICES,
        required=False,
        allow_null=True,
        default=None,
        help_text="When another member holds the slot: 'suggest' answers 409 with free "
        "alternatives, 'queue' waits behind that request. Left out: the club's policy.",
    )


class StatusChangeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=RequestStatus.choices)
    message = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class HistoryEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    actor = serializers.SerializerMethodField()
    from_status = serializers.CharField(allow_null=True)
    to_status = serializers.CharField()
    message = serializers.CharField(allow_blank=True)

    def get_actor(self, obj) -> str:
        """Operators see which worker process acted; members see that one did."""
        if self.context.get("actor") != Actor.OPERATOR and is_worker_id(obj.actor):
            return "booking worker"
        return obj.actor


class BookingSerializer(serializers.Serializer):
    request_id = serializers.CharField()
    user_id = serializers.CharField()
    club = serializers.CharField(source="club_id")
    court_id = serializers.IntegerField()
    date = serializers.CharField()
    time_slot = serializers.CharField()
    alternatives = AlternativeSerializer(many=True)
    partners = serializers.ListField(child=serializers.CharField())
    notes = serializers.CharField(allow_null=True)
    on_conflict = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=RequestStatus.choices)
    reason = serializers.CharField(allow_null=True)
    queued = serializers.SerializerMethodField()
    fire_at = serializers.DateTimeField()
    attempts = serializers.IntegerField()
    result = serializers.SerializerMethodField()
    history = HistoryEntrySerializer(many=True)
    allowed_transitions = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_queued(self, obj) -> bool:
        return bool(obj.queued_behind)

    def get_result(self, obj) -> dict:
        return member_result(obj)

    def get_allowed_transitions(self, obj) -> list[str]:
        return allowed_targets(obj, self.context["actor"])


class SuggestionSerializer(serializers.Serializer):
    court_id = serializers.IntegerField()
    date = serializers.CharField()
    time_slot = serializers.CharField()


class BookingListQuerySerializer(serializers.Serializer):
    club = serializers.CharField(required=False, max_length=32, help_text="Only this club's.")
    status = serializers.ChoiceField(choices=RequestStatus.choices, required=False)
    court_id = serializers.IntegerField(min_value=1, max_value=9999, required=False)
    date_from = StrictDateField(required=False)
    date_to = StrictDateField(required=False)
    ordering = serializers.ChoiceField(
        choices=["date", "-date", "created_at", "-created_at", "fire_at", "-fire_at"],
        required=False,
        default="date",
    )

    def validate_club(self, value: str) -> str:
        from configs.clubs import get_club
        from tennisbook.values import InvalidValue

        try:
            return get_club(value, "club").id
        except InvalidValue as exc:
            raise serializers.ValidationError(exc.message) from None

    def validate(self, attrs):
        if (
            attrs.get("date_from")
            and attrs.get("date_to")
            and attrs["date_from"] > attrs["date_to"]
        ):
            raise serializers.ValidationError({"date_to": "must not be before date_from."})
        return attrs


class PeriodQuerySerializer(serializers.Serializer):
    date_from = StrictDateField(required=False)
    date_to = StrictDateField(required=False)


class _CountsField(serializers.DictField):
    child = serializers.IntegerField()


class CourtStatsSerializer(serializers.Serializer):
    club = serializers.CharField()
    court_id = serializers.IntegerField()
    total = serializers.IntegerField()
    by_status = _CountsField()
    success_rate = serializers.FloatField(allow_null=True)


class StatsSerializer(serializers.Serializer):
    period = serializers.DictField(child=serializers.CharField(allow_null=True))
    total = serializers.IntegerField()
    by_status = _CountsField()
    success_rate = serializers.FloatField(
        allow_null=True, help_text="completed / (completed + failed); null when none decided."
    )
    median_release_to_confirmation_ms = serializers.FloatField(allow_null=True)
    by_court = CourtStatsSerializer(many=True)
