"""The member pages of bookings: ``/`` (home), ``/book/``, ``/bookings/<id>/``."""

from django.urls import path

from . import pages

app_name = "bookings"

urlpatterns = [
    path("", pages.home, name="home"),
    path("book/", pages.book, name="book"),
    path("book/opening", pages.opening, name="opening"),
    path("bookings/requests", pages.request_list, name="requests"),
    path("bookings/<uuid:request_id>/", pages.detail, name="detail"),
    path("bookings/<uuid:request_id>/status", pages.detail_status, name="detail-status"),
    path(
        "bookings/<uuid:request_id>/cancel",
        pages.change,
        {"action": "cancel"},
        name="cancel",
    ),
    path("bookings/<uuid:request_id>/retry", pages.change, {"action": "retry"}, name="retry"),
]
