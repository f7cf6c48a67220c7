"""``/api/notifications...``: the member's notifications and push devices."""

from django.urls import path

from . import views

app_name = "notifications-api"

urlpatterns = [
    path("notifications", views.NotificationListView.as_view(), name="list"),
    path("notifications/unread-count", views.UnreadCountView.as_view(), name="unread-count"),
    path("notifications/read-all", views.MarkAllReadView.as_view(), name="read-all"),
    path("notifications/push", views.PushStatusView.as_view(), name="push"),
    path(
        "notifications/push-subscriptions",
        views.PushSubscriptionListView.as_view(),
        name="push-subscriptions",
    ),
    path(
        "notifications/push-subscriptions/<str:subscription_id>",
        views.PushSubscriptionDetailView.as_view(),
        name="push-subscription",
    ),
    path("notifications/<str:notification_id>/read", views.MarkReadView.as_view(), name="read"),
]
