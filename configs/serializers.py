"""API payloads of the configuration endpoints.

The portal password is write-only: output says ``has_portal_password`` and
never reads the attribute (reading it would decrypt and be audit-logged).
Input goes through the shared validators of ``tennisbook.validators``: its
``validate_*`` functions (which forms use too) and its value fields.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework import serializers

from tennisbook import values
from tennisbook.api.permissions import is_operator, may_operate
from tennisbook.validators import (
    CleanTextField,
    CourtIdField,
    TimeSlotField,
    validate_portal_password,
    validate_portal_username,
)

from . import services, system_keys


class NotificationsSerializer(serializers.Serializer):
    """The old e-mail flags, kept for API clients: the member's e-mail choices, at every club.

    Written, they change the choices of ``/api/notifications/preferences``
    (booked and failed, by e-mail); read, they are those choices.
    """

    email_on_success = serializers.BooleanField(
        required=False, help_text="E-mail when a court is booked (every club)."
    )
    email_on_failure = serializers.BooleanField(
        required=False, help_text="E-mail when a booking failed (every club)."
    )
    live_updates = serializers.BooleanField(
        required=False, help_text="Always true: pages are always live."
    )

    def validate_live_updates(self, value: bool) -> bool:
        if not value:
            raise serializers.ValidationError("Pages are always live; this cannot be turned off.")
        return value


class UserConfigInputSerializer(serializers.Serializer):
    """POST body: every field optional on update; credentials required on create."""

    portal_username = serializers.CharField(
        required=False, max_length=64, validators=[validate_portal_username]
    )
    portal_password = serializers.CharField(
        required=False,
        write_only=True,
        trim_whitespace=False,  # kept exactly as typed: the validator refuses, never alters
        max_length=128,
        style={"input_type": "password"},
        validators=[validate_portal_password],
    )
    preferred_court = CourtIdField(required=False, allow_null=True)
    preferred_slots = serializers.ListField(child=TimeSlotField(), required=False, max_length=20)
    notifications = NotificationsSerializer(required=False)
    favourite_courts = serializers.ListField(child=CourtIdField(), required=False, max_length=50)
    favourite_slots = serializers.ListField(child=TimeSlotField(), required=False, max_length=50)

    def validate(self, attrs: dict) -> dict:
        if "portal_username" in attrs:
            # Valid as typed; stored as the portal expects it (NFC, no invisible characters).
            attrs["portal_username"] = values.clean_portal_username(attrs["portal_username"])
        court = attrs.get("preferred_court")  # a court of the context's club
        if court:
            for i, slot in enumerate(attrs.get("preferred_slots", [])):
                services.check_slot_for_court(court, slot, f"preferred_slots[{i}]")
        if "favourite_slots" in attrs:
            club = self.context.get("club") or settings.DEFAULT_CLUB_ID
            offered = {slot for court in services.get_courts(club) for slot in court["slots"]}
            for i, slot in enumerate(attrs["favourite_slots"]):
                if slot.label not in offered:
                    raise serializers.ValidationError(
                        {f"favourite_slots[{i}]": [f"{slot.label!r} is not a slot of this club."]}
                    )
        return attrs


class UserConfigSerializer(serializers.Serializer):
    user_id = serializers.CharField(read_only=True)
    club = serializers.CharField(source="club_id", read_only=True)
    portal_username = serializers.CharField(read_only=True, allow_null=True)
    has_portal_password = serializers.BooleanField(read_only=True)
    preferred_court = serializers.IntegerField(read_only=True, allow_null=True)
    preferred_slots = serializers.ListField(child=serializers.CharField(), read_only=True)
    notifications = NotificationsSerializer(read_only=True)
    favourite_courts = serializers.ListField(child=serializers.IntegerField(), read_only=True)
    favourite_slots = serializers.ListField(child=serializers.CharField(), read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    version = serializers.IntegerField(read_only=True)


class SystemConfigItemSerializer(serializers.Serializer):
    club = serializers.CharField()
    key = serializers.CharField()
    value = serializers.JSONField()
    description = serializers.CharField()
    public = serializers.BooleanField(help_text="Members may read it.")
    last_modified = serializers.DateTimeField(allow_null=True)
    modified_by = serializers.CharField(allow_null=True)


class SystemConfigInputSerializer(serializers.Serializer):
    key = serializers.ChoiceField(choices=sorted(system_keys.KEYS))
    value = serializers.JSONField(help_text="The new value; validated for the key.")
    description = CleanTextField(required=False, max_length=300)


class ClubSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    enabled = serializers.BooleanField(help_text="A disabled club takes no new requests.")
    time_zone = serializers.CharField(help_text="The club's time zone (its release rules').")
    default = serializers.BooleanField(source="is_default", help_text="The default club.")
    operated = serializers.SerializerMethodField(
        help_text="Whether the caller operates this club (false for members)."
    )

    def get_operated(self, club) -> bool:
        user = self.context.get("user")
        return is_operator(user) and may_operate(user, club.id)


class ClubCreateSerializer(serializers.Serializer):
    id = serializers.CharField(max_length=32, help_text="Lower-case letters, digits and '-'.")
    name = CleanTextField(max_length=80)
    copy_from = serializers.CharField(
        required=False, help_text="Copy the settings not given from this club."
    )
    settings = serializers.DictField(
        child=serializers.JSONField(),
        required=False,
        help_text="Initial values by setting key (courts, release_rules, portal_profile, ...).",
    )
    enabled = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Take requests at once; by default only when given its own portal_profile.",
    )

    def validate_id(self, value: str) -> str:
        try:
            return values.parse_club_id(value, "id")
        except values.InvalidValue as exc:
            raise serializers.ValidationError(exc.message) from None


class ClubUpdateSerializer(serializers.Serializer):
    name = CleanTextField(max_length=80, required=False)
    enabled = serializers.BooleanField(required=False)
