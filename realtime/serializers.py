"""Notifications and push subscriptions in and out of the API."""

from __future__ import annotations

from rest_framework import serializers

from . import push
from .choices import EventType
from .models import Notification, PushSubscription


class NotificationSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=EventType.choices, read_only=True)
    url = serializers.CharField(read_only=True, help_text="The page it is about, on this site.")
    unread = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = [
            "id", "kind", "title", "body", "url", "request_id", "created_at", "read_at", "unread"
        ]  # fmt: skip
        read_only_fields = fields


class NotificationListQuerySerializer(serializers.Serializer):
    unread = serializers.BooleanField(
        required=False, default=False, help_text="Only the unread ones."
    )


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField(
        min_value=0, help_text="Unread notifications (counted up to 100)."
    )


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(min_value=0, help_text="How many were marked read now.")
    unread = serializers.IntegerField(min_value=0)


class PushKeysSerializer(serializers.Serializer):
    p256dh = serializers.CharField(max_length=100, help_text="The browser's P-256 key, base64url.")
    auth = serializers.CharField(
        max_length=40, help_text="The browser's 16-byte secret, base64url."
    )


class PushSubscriptionInputSerializer(serializers.Serializer):
    """What ``PushSubscription.toJSON()`` gives in the browser (``expirationTime`` ignored)."""

    endpoint = serializers.CharField(max_length=1000)
    keys = PushKeysSerializer()

    def validate_endpoint(self, value: str) -> str:
        try:
            return push.check_endpoint(value)
        except push.BadSubscription as exc:
            raise serializers.ValidationError(str(exc)) from None

    def validate(self, attrs: dict) -> dict:
        keys = attrs["keys"]
        try:
            push.check_keys(keys["p256dh"], keys["auth"])
        except push.BadSubscription as exc:
            part = exc.field.split(".")[-1]
            raise serializers.ValidationError({"keys": {part: [str(exc)]}}) from None
        return attrs


class PushSubscriptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = PushSubscription
        fields = ["id", "endpoint", "user_agent", "created_at", "last_sent_at"]
        read_only_fields = fields


class PushStatusSerializer(serializers.Serializer):
    enabled = serializers.BooleanField()
    public_key = serializers.CharField(
        allow_blank=True,
        help_text="VAPID public key: PushManager.subscribe's applicationServerKey.",
    )
    reason = serializers.CharField(allow_blank=True, help_text="Why push is off, if it is.")
