"""The grid's booking form (``GET /book``) and the booking attempt (``POST /book``).

The form leaves ``end_time`` empty: grid.js fills it (start + the select's
``data-duration``), and the POST refuses a booking without the right one,
so a client that skips the script must compute it. Every render issues a
fresh page token (``auth``). The POST is logged as an attempt whatever
happens; rules are judged on its receive stamp (``booking.RULES_AT_RECEIPT``).
"""

from __future__ import annotations

from democlub import messages as codes
from democlub.booking import INJECT_500, Attempt, Outcome, attempt
from democlub.grid import auth, pages
from democlub.grid import messages as msg
from democlub.grid.views import parse_date
from democlub.pages import esc
from democlub.portal import Portal
from democlub.settings import Area
from democlub.slots import seconds_of, short_time
from democlub.wsgi import Request, Response, html, redirect

# Where a booking attempt without a live session is sent (as the grid prints it).
EXPIRED_LOCATION = "/login?expired=1&next=/day"


def _court(portal: Portal, text: str) -> Area | None:
    text = (text or "").strip()
    return portal.settings.area(int(text)) if text.isdigit() and len(text) < 9 else None


def book_form(portal: Portal, request: Request) -> Response:
    visitor = auth.visitor_of(portal, request)
    if visitor.member is None:
        return auth.to_login(request, visitor)
    query = request.query
    return _render(
        portal,
        visitor,
        query.get("court", ""),
        query.get("date", ""),
        query.get("start", ""),
        error=None,
        status=200,
    )


def _render(
    portal: Portal,
    visitor: auth.Visitor,
    court: str,
    date: str,
    start: str,
    *,
    error: str | None,
    status: int,
    notes: str = "",
) -> Response:
    """The form for (court, date) with ``start`` preselected, or an error page if unknown."""
    area, day = _court(portal, court), parse_date(date)
    if area is None or day is None:
        body = pages.BOOK_UNKNOWN.substitute(errors=pages.errorlist(error or msg.CHOOSE_START))
        return html(
            pages.page("Book a court", body, visitor.member), 404 if error is None else status
        )
    grid = portal.settings.grid(area)
    options = "\n".join(
        f'<option value="{seconds_of(s)}"{" selected" if str(seconds_of(s)) == start else ""}>'
        f"{short_time(s)}</option>"
        for s in grid.starts()
    )
    body = pages.BOOK.substitute(
        court_name=esc(area.name),
        date_title=esc(msg.long_date(day)),
        errors=pages.errorlist(error),
        csrf=esc(auth.issue_token(portal, visitor)),
        court=area.id,
        date=day.isoformat(),
        duration=grid.minutes * 60,
        options=options,
        notes=esc(notes),
    )
    return html(pages.page(f"Book {area.name}", body, visitor.member), status)


def book(portal: Portal, request: Request) -> Response:
    """The form's POST. Logged as an attempt whatever happens, even a 500."""
    visitor = auth.visitor_of(portal, request)
    form = request.form()
    received = Attempt(
        member=visitor.member,
        area=form.get("court", ""),
        day=form.get("date", ""),
        schedule_id=form.get("start", ""),
        door="web",
        received_ns=request.received_ns,
        comments=form.get("notes", ""),
        end_time=form.get("end_time", ""),
    )
    fault = request.environ.get(INJECT_500)
    if fault == "before":
        attempt(portal, received, Outcome(codes.OUTCOME_SERVER_ERROR, msg.SERVER_ERROR))
        return html(pages.SERVER_ERROR, 500)
    if visitor.member is None:
        attempt(portal, received, Outcome(codes.OUTCOME_SESSION_EXPIRED, msg.SESSION_EXPIRED))
        return redirect(EXPIRED_LOCATION)
    if not auth.token_ok(portal, visitor, form.get("csrf_token", "")):
        attempt(portal, received, Outcome(codes.OUTCOME_CSRF, msg.PAGE_EXPIRED))
        return _again(portal, visitor, form, msg.PAGE_EXPIRED, 403)
    outcome = attempt(portal, received)
    if fault == "after_booking" and outcome.ok:
        return html(pages.SERVER_ERROR, 500)
    if outcome.ok:
        day = parse_date(received.day)
        return redirect(f"/day?date={day.isoformat()}&booked={outcome.reservation_id}")
    return _again(portal, visitor, form, outcome.message, 200)


def _again(portal: Portal, visitor, form: dict[str, str], error: str, status: int) -> Response:
    """The form re-rendered (fresh token) with the member's choices and the error."""
    return _render(
        portal,
        visitor,
        form.get("court", ""),
        form.get("date", ""),
        form.get("start", ""),
        error=error,
        status=status,
        notes=form.get("notes", ""),
    )
