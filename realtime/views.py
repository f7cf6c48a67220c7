"""The notification API: the member's notifications, unread count, read marks, push devices.

Thin views over ``realtime.notifications`` and ``realtime.push``. Every
query is the caller's own: another member's notification or subscription
answers 404, as if it did not exist.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from tennisbook.api.pagination import PageNumberPagination

from . import notifications, push
from . import serializers as s
from .models import Notification, PushSubscription

NO_NOTIFICATION = "You have no such notification."
NO_SUBSCRIPTION = "You have no such push subscription."


def _id(value: str, message: str) -> int:
    """A path id as a number; anything else is simply not one of the member's (404)."""
    if not value.isascii() or not value.isdigit() or len(value) > 18:
        raise NotFound(message)
    return int(value)


class NotificationListView(APIView):
    error_statuses = {"GET": (400, 404)}  # a bad filter; a page out of range
    pagination_class = PageNumberPagination

    @extend_schema(
        parameters=[s.NotificationListQuerySerializer],
        responses=s.NotificationSerializer(many=True),
    )
    def get(self, request):
        query = s.NotificationListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        found = notifications.list_for(request.user, unread_only=query.validated_data["unread"])
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(found, request, view=self)
        return paginator.get_paginated_response(s.NotificationSerializer(page, many=True).data)


class UnreadCountView(APIView):
    @extend_schema(responses=s.UnreadCountSerializer)
    def get(self, request):
        return Response({"unread": notifications.unread_count(request.user)})


class MarkReadView(APIView):
    @extend_schema(request=None, responses=s.NotificationSerializer, description="Mark it read.")
    def post(self, request, notification_id):
        try:
            item = notifications.mark_read(request.user, _id(notification_id, NO_NOTIFICATION))
        except Notification.DoesNotExist:
            raise NotFound(NO_NOTIFICATION) from None
        return Response(s.NotificationSerializer(item).data)


class MarkAllReadView(APIView):
    @extend_schema(request=None, responses=s.MarkedSerializer, description="Mark every one read.")
    def post(self, request):
        marked = notifications.mark_all_read(request.user)
        return Response({"marked": marked, "unread": notifications.unread_count(request.user)})


class PushStatusView(APIView):
    @extend_schema(responses=s.PushStatusSerializer)
    def get(self, request):
        current = push.status()
        return Response(
            {"enabled": current.enabled, "public_key": current.public_key, "reason": current.reason}
        )


class PushSubscriptionListView(APIView):
    error_statuses = {"POST": (409,)}  # push is off on this site

    @extend_schema(responses=s.PushSubscriptionSerializer(many=True))
    def get(self, request):
        found = push.subscriptions_of(request.user)
        return Response(s.PushSubscriptionSerializer(found, many=True).data)

    @extend_schema(
        request=s.PushSubscriptionInputSerializer,
        responses={200: s.PushSubscriptionSerializer, 201: s.PushSubscriptionSerializer},
    )
    def post(self, request):
        push.require_enabled()
        data = s.PushSubscriptionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        found, created = push.subscribe(
            request.user,
            data.validated_data["endpoint"],
            data.validated_data["keys"]["p256dh"],
            data.validated_data["keys"]["auth"],
            user_agent=request.headers.get("User-Agent", ""),
        )
        return Response(s.PushSubscriptionSerializer(found).data, status=201 if created else 200)


class PushSubscriptionDetailView(APIView):
    @extend_schema(responses={204: None}, description="Stop pushing to this device.")
    def delete(self, request, subscription_id):
        try:
            push.unsubscribe(request.user, _id(subscription_id, NO_SUBSCRIPTION))
        except PushSubscription.DoesNotExist:
            raise NotFound(NO_SUBSCRIPTION) from None
        return Response(status=204)
