"""Operators read notifications and their deliveries (what was sent, what failed, why).

Read-only: a notification is a record of what a member was told, written
by ``realtime.notifications`` alone. An operator may delete a push
subscription (a device a member lost); its keys are never shown.
"""

from django.contrib import admin

from .models import Delivery, Notification, PushSubscription


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class DeliveryInline(admin.TabularInline):
    model = Delivery
    fields = ["channel", "target", "state", "attempts", "error", "sent_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "member", "kind", "title", "read_at"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["member__username", "request_id", "title"]
    list_select_related = ["member"]
    inlines = [DeliveryInline]


@admin.register(PushSubscription)
class PushSubscriptionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "member", "user_agent", "last_sent_at"]
    fields = ["member", "endpoint", "user_agent", "created_at", "last_sent_at"]
    search_fields = ["member__username"]
    list_select_related = ["member"]
