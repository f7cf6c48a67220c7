"""``/api/bookings...``"""

from django.urls import path

from . import series_api, views

app_name = "bookings-api"

urlpatterns = [
    path("bookings", views.BookingListView.as_view(), name="list"),
    path("bookings/stats", views.BookingStatsView.as_view(), name="stats"),
    path("bookings/export.csv", views.BookingCsvView.as_view(), name="csv"),
    path("bookings/calendar.ics", views.BookingCalendarView.as_view(), name="ics"),
    path("bookings/<str:request_id>", views.BookingDetailView.as_view(), name="detail"),
    path("bookings/<str:request_id>/status", views.BookingStatusView.as_view(), name="status"),
    path(
        "bookings/<str:request_id>/preflight",
        views.BookingPreflightView.as_view(),
        name="preflight",
    ),
    path(
        "bookings/<str:request_id>/evidence/<str:name>",
        views.BookingEvidenceView.as_view(),
        name="evidence",
    ),
    path("series", series_api.SeriesListView.as_view(), name="series-list"),
    path("series/<str:series_id>", series_api.SeriesDetailView.as_view(), name="series-detail"),
    path("series/<str:series_id>/pause", series_api.SeriesPauseView.as_view(), name="series-pause"),
    path(
        "series/<str:series_id>/resume", series_api.SeriesResumeView.as_view(), name="series-resume"
    ),
    path("series/<str:series_id>/skip", series_api.SeriesSkipView.as_view(), name="series-skip"),
    path(
        "series/<str:series_id>/unskip", series_api.SeriesUnskipView.as_view(), name="series-unskip"
    ),
    path("series/<str:series_id>/end", series_api.SeriesEndView.as_view(), name="series-end"),
]
