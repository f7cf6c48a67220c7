"""What the live member pages ask the server for (static/js/live-pages.js).

The pages stay server-rendered: when an event says a request changed, the
page fetches the HTML of what changed and swaps it in. The dashboard
fetches its list (``pages.request_list``), a request's page fetches itself;
the history asks for one row at a time (``history_row``), with its filter,
so a row that no longer matches says so instead of moving under the reader.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tennisbook.pages import attempt

from . import queries
from .history import HistoryQuery, history_rows, parse_request
from .pages import now_utc, own_request


def matching(request, query: HistoryQuery, request_id: str):
    """The member's request and whether the history's filter still selects it."""
    found = [
        item
        for item in attempt(queries.search_requests, str(request.user.pk), **query.filters())
        if item.request_id == request_id
    ]
    if found:
        return found[0], True
    return own_request(request, request_id), False


@login_required
@require_GET
def history_row(request, request_id):
    """``/bookings/<id>/history-row?<the history's filter>``: that request's row, as now.

    The member's own requests only (anyone else's is a 404). A filter value
    that cannot be used is left out, as the history page itself does.
    """
    query, every, _ = parse_request(request)
    item, matches = matching(request, query, str(request_id))
    row = history_rows([item], now_utc())[0]
    context = {"item": row, "several_clubs": len(every) > 1, "matches": matches}
    return render(request, "bookings/_history_row_alone.html", context)
