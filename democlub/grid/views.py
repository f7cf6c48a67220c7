"""The grid's member pages: login, logout, the day grid, the bookings search.

The booking form and its POST live in ``democlub.grid.book``. Pages that
need a member send anonymous visitors to ``/login?next=...`` (with
``expired=1`` when their cookie named a session that has gone).
"""

from __future__ import annotations

import datetime as dt
import logging
import urllib.parse

from democlub.grid import auth, pages
from democlub.grid import messages as msg
from democlub.pages import esc
from democlub.portal import Portal
from democlub.release import opens_at, slot_start
from democlub.settings import Area, Settings
from democlub.slots import parse_day, seconds_of, short_time
from democlub.wsgi import Request, Response, html, json_response, redirect

log = logging.getLogger(__name__)


def parse_date(text: str | None) -> dt.date | None:
    try:
        return parse_day(text or "")
    except ValueError:
        return None


def home(portal: Portal, request: Request) -> Response:
    visitor = auth.visitor_of(portal, request)
    return redirect("/day" if visitor.member else "/login")


def login_page(portal: Portal, request: Request) -> Response:
    visitor, headers = auth.with_pre_session(portal, auth.visitor_of(portal, request))
    notice = msg.SESSION_EXPIRED if request.query.get("expired") else None
    return _login_form(portal, visitor, headers, request.query.get("next", ""), notice)


def _login_form(
    portal: Portal,
    visitor: auth.Visitor,
    headers: list[tuple[str, str]],
    next_path: str,
    error: str | None,
    status: int = 200,
    username: str = "",
) -> Response:
    body = pages.LOGIN.substitute(
        errors=pages.errorlist(error),
        csrf=esc(auth.issue_token(portal, visitor)),
        next=esc(next_path),
        username=esc(username),
    )
    response = html(pages.page("Log in", body, visitor.member), status)
    response.headers.extend(headers)
    return response


def login(portal: Portal, request: Request) -> Response:
    visitor = auth.visitor_of(portal, request)
    form = request.form()
    next_path, username = form.get("next", ""), form.get("username", "")
    if not auth.token_ok(portal, visitor, form.get("csrf_token", "")):
        visitor, headers = auth.with_pre_session(portal, visitor)
        return _login_form(portal, visitor, headers, next_path, msg.PAGE_EXPIRED, 403, username)
    member = auth.check_password(portal, username, form.get("password", ""))
    if member is None:
        return _login_form(portal, visitor, [], next_path, msg.BAD_LOGIN, 200, username)
    token = auth.log_in(portal, visitor, member)
    log.info("login member=%s", member.member)
    return redirect(auth.local_path(next_path), [auth.cookie_header(token)])


def logout(portal: Portal, request: Request) -> Response:
    visitor = auth.visitor_of(portal, request)
    if visitor.session:
        portal.store.drop_session(visitor.session)
    return redirect("/login", [("Set-Cookie", f"{auth.COOKIE}=deleted; Path=/; Max-Age=0")])


def day_view(portal: Portal, request: Request) -> Response:
    visitor = auth.visitor_of(portal, request)
    if visitor.member is None:
        return auth.to_login(request, visitor)
    now = portal.now()
    day = parse_date(request.query["date"]) if "date" in request.query else now.date()
    if day is None:
        body = f"<h1>Day</h1>{pages.errorlist(msg.CHOOSE_START)}"
        return html(pages.page("Day", body, visitor.member), 404)
    grid = _DayGrid(portal, day, now, visitor.member)
    body = pages.DAY.substitute(
        title=esc(msg.long_date(day)),
        flash=_flash(portal, visitor.member, request.query.get("booked", "")),
        prev=(day - dt.timedelta(days=1)).isoformat(),
        next=(day + dt.timedelta(days=1)).isoformat(),
        date=day.isoformat(),
        courts=grid.header(),
        rows=grid.rows(),
    )
    return html(pages.page(msg.long_date(day), body, visitor.member))


class _DayGrid:
    """The day's table: one row per slot start, one cell per court, as ``now`` sees it."""

    def __init__(self, portal: Portal, day: dt.date, now: dt.datetime, viewer: str):
        self.settings: Settings = portal.settings
        self.day, self.now, self.viewer = day, now, viewer
        rows = portal.store.reservations(day=day.isoformat())
        self.taken = {(r["area"], r["slot"]): r["member"] for r in rows}

    def header(self) -> str:
        return "".join(
            f'<th scope="col" data-court="{a.id}">{esc(a.name)}</th>' for a in self.settings.areas
        )

    def rows(self) -> str:
        areas = self.settings.areas
        starts = sorted({s for area in areas for s in self.settings.grid(area).starts()})
        return "\n".join(
            f'<tr data-start="{start.strftime("%H:%M")}"><th scope="row">{short_time(start)}</th>'
            + "".join(self.cell(area, start) for area in areas)
            + "</tr>"
            for start in starts
        )

    def cell(self, area: Area, start: dt.time) -> str:
        settings, day = self.settings, self.day
        if start not in settings.grid(area).starts():
            return '<td class="none"></td>'
        if slot_start(settings, day, start) <= self.now:
            return '<td class="past"></td>'
        holder = self.taken.get((area.id, start.strftime("%H:%M")))
        if holder is not None:
            return f'<td class="booked">{"Yours" if holder == self.viewer else "Booked"}</td>'
        opening = opens_at(settings, area, day, start).astimezone(settings.timezone)
        if opening > self.now:
            return f'<td class="closed">Opens {esc(msg.opens_short(opening))}</td>'
        # The href's "&" stay bare (digits and an ISO date follow), as the grid prints it.
        href = f"/book?court={area.id}&date={day.isoformat()}&start={seconds_of(start)}"
        return f'<td class="free"><a class="book" href="{href}">Book</a></td>'


def _flash(portal: Portal, member: str, booked: str) -> str:
    if not booked.isdigit():
        return ""
    row = next(
        (r for r in portal.store.reservations(member=member) if str(r["id"]) == booked), None
    )
    area = portal.settings.area(row["area"]) if row else None
    if row is None or area is None:
        return ""
    text = msg.confirmed(
        area.name, dt.date.fromisoformat(row["day"]), dt.time.fromisoformat(row["slot"]), row["id"]
    )
    return f'<div id="flash" class="flash flash-success" role="status">{esc(text)}</div>'


def bookings_page(portal: Portal, request: Request, error: str | None = None, status: int = 200):
    """The search shell; grid.js fetches ``/bookings.json`` into it after load."""
    visitor = auth.visitor_of(portal, request)
    if visitor.member is None:
        return auth.to_login(request, visitor)
    body = pages.BOOKINGS.substitute(
        errors=pages.errorlist(error),
        member=esc(request.query.get("member", "")),
        viewer=esc(visitor.member),
        csrf=esc(auth.issue_token(portal, visitor)),
    )
    return html(pages.page("Search bookings", body, visitor.member), status)


def bookings_json(portal: Portal, request: Request) -> Response:
    """Upcoming active bookings, of one member or (no ``member``) of everyone."""
    visitor = auth.visitor_of(portal, request)
    if visitor.member is None:
        return json_response({"error": msg.LOGIN_REQUIRED}, 401)
    settings = portal.settings
    now_ns = portal.now_ns()
    member = request.query.get("member", "").strip() or None
    found = []
    for row in portal.store.reservations(member=member):
        area = settings.area(row["area"])
        if row["slot_start_ns"] <= now_ns or area is None:
            continue
        day, start = dt.date.fromisoformat(row["day"]), dt.time.fromisoformat(row["slot"])
        end = msg.end_of(start, settings.grid(area).minutes)
        found.append(
            {
                "id": row["id"],
                "court": area.id,
                "court_name": area.name,
                "date": row["day"],
                "start": row["slot"],
                "end": end.strftime("%H:%M"),
                "when": msg.when(day, start),
                "member": row["member"],
            }
        )
    return json_response({"bookings": found})


def cancel(portal: Portal, request: Request) -> Response:
    """Cancel one of the viewer's own bookings; back to their list either way."""
    visitor = auth.visitor_of(portal, request)
    if visitor.member is None:
        return auth.to_login(request, visitor, "/bookings")
    form = request.form()
    if not auth.token_ok(portal, visitor, form.get("csrf_token", "")):
        return bookings_page(portal, request, msg.PAGE_EXPIRED, 403)
    text = form.get("id", "")
    if text.isdigit():
        portal.store.cancel_reservation(int(text), visitor.member, portal.now_ns())
    return redirect("/bookings?" + urllib.parse.urlencode({"member": visitor.member}))
