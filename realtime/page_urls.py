"""``/notifications/...``: the notification centre's pages."""

from django.urls import path

from . import pages

app_name = "notifications"

urlpatterns = [
    path("", pages.notification_list, name="list"),
    path("read-all", pages.mark_all_read, name="read-all"),
    path("<int:notification_id>/read", pages.mark_read, name="read"),
]
