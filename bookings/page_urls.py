"""The member pages of bookings: ``/`` (home), ``/book/``, ``/bookings/<id>/``."""

from django.urls import path

from . import (
    calendar_pages,
    history,
    live_pages,
    pages,
    series_pages,
    template_edit_pages,
    template_pages,
)

app_name = "bookings"

urlpatterns = [
    path("", pages.home, name="home"),
    path("book/", pages.book, name="book"),
    path("book/opening", pages.opening, name="opening"),
    path("bookings/requests", pages.request_list, name="requests"),
    # history and calendar: bookings/history.py, bookings/calendar_pages.py
    path("bookings/history", history.history, name="history"),
    path("bookings/history.csv", history.history_export, {"fmt": "csv"}, name="history-csv"),
    path("bookings/history.ics", history.history_export, {"fmt": "ics"}, name="history-ics"),
    path("calendar/", calendar_pages.calendar, name="calendar"),
    path("calendar/feed", calendar_pages.feed_change, name="calendar-feed"),
    path("calendar/<slug:token>.ics", calendar_pages.feed, name="feed"),
    path("bookings/<uuid:request_id>/", pages.detail, name="detail"),
    path("bookings/<uuid:request_id>/status", pages.detail_status, name="detail-status"),
    path("bookings/<uuid:request_id>/history-row", live_pages.history_row, name="history-row"),
    path(
        "bookings/<uuid:request_id>/cancel",
        pages.change,
        {"action": "cancel"},
        name="cancel",
    ),
    path("bookings/<uuid:request_id>/retry", pages.change, {"action": "retry"}, name="retry"),
    path("bookings/<uuid:request_id>/edit", pages.edit, name="edit"),
    path("bookings/<uuid:request_id>/evidence/<slug:name>", pages.evidence, name="evidence"),
    # templates: save from the booking form, list, share, accept
    path("templates/", template_pages.template_list, name="templates"),
    path("templates/save", template_pages.template_save, name="template-save"),
    path(
        "templates/<uuid:template_id>/delete",
        template_pages.template_delete,
        name="template-delete",
    ),
    path(
        "templates/<uuid:template_id>/share", template_pages.template_share, name="template-share"
    ),
    path("templates/<uuid:template_id>/link", template_pages.template_link, name="template-link"),
    path(
        "templates/<uuid:template_id>/edit",
        template_edit_pages.template_edit,
        name="template-edit",
    ),
    path(
        "templates/shares/<uuid:share_id>/withdraw",
        template_pages.share_withdraw,
        name="share-withdraw",
    ),
    path(
        "templates/offers/<uuid:share_id>/copy",
        template_pages.offer_answer,
        {"action": "copy"},
        name="offer-copy",
    ),
    path(
        "templates/offers/<uuid:share_id>/dismiss",
        template_pages.offer_answer,
        {"action": "dismiss"},
        name="offer-dismiss",
    ),
    path("templates/shared/<str:token>", template_pages.shared, name="template-shared"),
    # recurring series: list, start, one series, edit, its actions
    path("series/", series_pages.series_list, name="series"),
    path("series/new", series_pages.series_new, name="series-new"),
    path("series/<uuid:series_id>/", series_pages.series_detail, name="series-detail"),
    path("series/<uuid:series_id>/edit", series_pages.series_edit, name="series-edit"),
    *(
        path(
            f"series/<uuid:series_id>/{action}",
            series_pages.series_action,
            {"action": action},
            name=f"series-{action}",
        )
        for action in ("pause", "resume", "skip", "unskip", "end")
    ),
]
