"""``/api/bookings...``"""

from django.urls import path

from . import views

app_name = "bookings-api"

urlpatterns = [
    path("bookings", views.BookingListView.as_view(), name="list"),
    path("bookings/stats", views.BookingStatsView.as_view(), name="stats"),
    path("bookings/export.csv", views.BookingCsvView.as_view(), name="csv"),
    path("bookings/calendar.ics", views.BookingCalendarView.as_view(), name="ics"),
    path("bookings/<str:request_id>", views.BookingDetailView.as_view(), name="detail"),
    path("bookings/<str:request_id>/status", views.BookingStatusView.as_view(), name="status"),
    path(
        "bookings/<str:request_id>/evidence/<str:name>",
        views.BookingEvidenceView.as_view(),
        name="evidence",
    ),
]
