"""The member's web flow: login, dashboard, areas, calendar, day, form, replies.

URLs imitate the real portal's PHP paths (see README). Pages inside the
modal's iframe use relative links, as the real ones do, so they work however
deep the nested iframes are.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hmac
import logging

from democlub import messages as msg
from democlub import pages
from democlub.booking import INJECT_500, Attempt, Outcome, attempt
from democlub.pages import esc
from democlub.portal import Portal
from democlub.release import day_opens_at
from democlub.slots import (
    format_day,
    parse_day,
    reserved_text,
    schedule_ids,
    slot_label,
)
from democlub.wsgi import Request, Response, html, redirect

log = logging.getLogger(__name__)

COOKIE = "PHPSESSID"
ADD_PATH = "/utilities/process/actions/add_reservation.php"
CANCEL_PATH = "/utilities/process/actions/cancel_reservation.php"
_MONTHS = (
    "", "Enero", "Febrero", "Marzo", "Abril", "Mayo", "Junio", "Julio", "Agosto",
    "Septiembre", "Octubre", "Noviembre", "Diciembre",
)  # fmt: skip


def session_of(portal: Portal, request: Request) -> tuple[str, int] | None:
    """(member, w) of the request's live session, or None (expired or absent)."""
    token = request.cookie(COOKIE)
    if not token:
        return None
    ttl_ns = round(portal.settings.session_ttl_seconds * 1e9)
    return portal.store.touch_session(token, portal.now_ns(), ttl_ns)


def _expired() -> Response:
    return redirect("/?expired=1")


def login_page(portal: Portal, request: Request) -> Response:
    notice = ""
    if request.query.get("expired"):
        notice = f'<p class="alert alert-danger">{esc(msg.SESSION_EXPIRED)}</p>'
    body = pages.LOGIN.substitute(notice=notice)
    return html(pages.page("Portal de Residentes", body))


def login(portal: Portal, request: Request) -> Response:
    form = request.form()
    number, password = form.get("house", "").strip(), form.get("password", "")
    member = portal.settings.member(number)
    if member is None or not hmac.compare_digest(member.password.encode(), password.encode()):
        notice = f'<p class="alert alert-danger" id="login_error">{esc(msg.BAD_LOGIN)}</p>'
        return html(pages.page("Portal de Residentes", pages.LOGIN.substitute(notice=notice)))
    token, w = portal.store.create_session(member.member, portal.now_ns())
    cookie = f"{COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax"
    log.info("login member=%s", member.member)
    return redirect(f"/dashboard.php?w={w}", [("Set-Cookie", cookie)])


def logout(portal: Portal, request: Request) -> Response:
    token = request.cookie(COOKIE)
    if token:
        portal.store.drop_session(token)
    return redirect("/", [("Set-Cookie", f"{COOKIE}=deleted; Path=/; Max-Age=0")])


def dashboard(portal: Portal, request: Request) -> Response:
    session = session_of(portal, request)
    if session is None or request.query.get("w") != str(session[1]):
        return _expired()
    body = pages.DASHBOARD.substitute(member=esc(session[0]), w=session[1])
    return html(pages.page("Inicio", body))


def area_select(portal: Portal, request: Request) -> Response:
    if session_of(portal, request) is None:
        return _expired()
    areas = portal.settings.areas
    options = "\n".join(f'<option value="{a.id}">{esc(a.name)}</option>' for a in areas)
    rules = "\n".join(
        f'<div class="area_rules" data-area="{a.id}" style="display:none">'
        f"<h3>Reglamento: {esc(a.name)}</h3><p>{esc(a.rules_text)}</p></div>"
        for a in areas
    )
    body = pages.AREA_SELECT.substitute(options=options, rules=rules)
    return html(pages.page("Reservaciones", body))


def _area_and_day(portal: Portal, request: Request, need_day: bool):
    area_text = request.query.get("area", "")
    area = portal.settings.area(int(area_text)) if area_text.isdigit() else None
    day = None
    if need_day:
        try:
            day = parse_day(request.query.get("day", ""))
        except ValueError:
            return area, None
    return area, day


def month_view(portal: Portal, request: Request) -> Response:
    if session_of(portal, request) is None:
        return _expired()
    area, _ = _area_and_day(portal, request, need_day=False)
    if area is None:
        return html(pages.page("Reservaciones", f"<p>{esc(msg.BAD_AREA)}</p>"), 404)
    settings = portal.settings
    now = portal.now()
    first = now.date().replace(day=1)
    try:
        year, month = (int(p) for p in request.query.get("month", "").split("-"))
        first = dt.date(year, month, 1)
    except ValueError:
        pass  # no or bad month: the current one, as the real portal does
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month):
        cells = []
        for day in week:
            if day.month != first.month:
                cells.append('<td class="calendar-day_empty"></td>')
            elif day >= now.date() and day_opens_at(settings, area, day) <= now:
                cells.append(
                    f'<td class="calendar-day calendar-day_clickable" data-day="{format_day(day)}" '
                    f"onclick=\"f_change_reservation_day('{format_day(day)}','{area.id}')\">"
                    f"{day.day}</td>"
                )
            else:
                cells.append(f'<td class="calendar-day calendar-day_disabled">{day.day}</td>')
        weeks.append("<tr>" + "".join(cells) + "</tr>")
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    body = pages.CALENDAR.substitute(
        area=area.id,
        area_name=esc(area.name),
        month_title=f"{_MONTHS[first.month]} {first.year}",
        prev_month=f"{previous.year}-{previous.month}",
        next_month=f"{following.year}-{following.month}",
        weeks="\n".join(weeks),
    )
    return html(pages.page(area.name, body))


def _day_title(day: dt.date) -> str:
    return f"{day.day} de {_MONTHS[day.month].lower()} de {day.year}"


def day_view(portal: Portal, request: Request) -> Response:
    if session_of(portal, request) is None:
        return _expired()
    area, day = _area_and_day(portal, request, need_day=True)
    if area is None or day is None:
        return html(pages.page("Reservaciones", f"<p>{esc(msg.BAD_DAY)}</p>"), 404)
    minutes = portal.settings.grid(area).minutes
    rows = portal.store.reservations(area=area.id, day=day.isoformat())
    reserved = "\n".join(
        f'<li class="reserved">{esc(reserved_text(dt.time.fromisoformat(r["slot"]), minutes))}</li>'
        for r in rows
    )
    body = pages.DAY.substitute(
        area=area.id,
        area_name=esc(area.name),
        day=format_day(day),
        day_title=_day_title(day),
        reserved=reserved or '<li class="empty">No hay reservaciones para este día.</li>',
    )
    return html(pages.page("Reservaciones del día", body))


def reservation_form(portal: Portal, request: Request) -> Response:
    if session_of(portal, request) is None:
        return _expired()
    area, day = _area_and_day(portal, request, need_day=True)
    if area is None or day is None:
        return html(pages.page("Solicitar Reserva", f"<p>{esc(msg.BAD_DAY)}</p>"), 404)
    grid = portal.settings.grid(area)
    ids = schedule_ids(area.id, day, grid.starts())
    options = "\n".join(
        f'<option value="{ids[s]}">{esc(slot_label(s, grid.minutes))}</option>'
        for s in grid.starts()
    )
    body = pages.FORM.substitute(
        area=area.id,
        area_name=esc(area.name),
        day=format_day(day),
        day_title=_day_title(day),
        options=options,
    )
    return html(pages.page("Solicitar Reserva", body))


def add_reservation(portal: Portal, request: Request) -> Response:
    """The form's POST. Logged as an attempt whatever happens, even a 500."""
    session = session_of(portal, request)
    form = request.form()
    received = Attempt(
        member=session[0] if session else None,
        area=form.get("area", ""),
        day=form.get("day", ""),
        schedule_id=form.get("schedule", ""),
        door="web",
        received_ns=request.received_ns,
        comments=form.get("comments", ""),
    )
    fault = request.environ.get(INJECT_500)
    if fault == "before":
        attempt(portal, received, Outcome(msg.OUTCOME_SERVER_ERROR, msg.SERVER_ERROR))
        return html(pages.SERVER_ERROR, 500)
    if session is None:
        attempt(portal, received, Outcome(msg.OUTCOME_SESSION_EXPIRED, msg.SESSION_EXPIRED))
        return _expired()
    outcome = attempt(portal, received)
    if fault == "after_booking" and outcome.ok:
        return html(pages.SERVER_ERROR, 500)
    back = f"/day_reservations.php?day={esc(received.day)}&amp;area={esc(received.area)}"
    css = "alert-success" if outcome.ok else "alert-danger"
    body = pages.REPLY.substitute(message=esc(outcome.message), css=css, back=back)
    return html(pages.page("Reservación", body))


def my_reservations(portal: Portal, request: Request, notice: str = "") -> Response:
    session = session_of(portal, request)
    if session is None:
        return _expired()
    member, w = session
    settings = portal.settings
    rows = []
    for row in portal.store.reservations(member=member):
        area = settings.area(row["area"])
        day = dt.date.fromisoformat(row["day"])
        rows.append(
            pages.MY_ROW.substitute(
                id=row["id"],
                area_name=esc(area.name if area else row["area"]),
                day=format_day(day),
                label=esc(row["label"]),
            )
        )
    body = pages.MY_RESERVATIONS.substitute(
        notice=notice, rows="\n".join(rows) or '<tr class="empty"><td colspan="4">-</td></tr>', w=w
    )
    return html(pages.page("Mis Reservaciones", body))


def cancel_reservation(portal: Portal, request: Request) -> Response:
    session = session_of(portal, request)
    if session is None:
        return _expired()
    text = request.form().get("id", "")
    done = text.isdigit() and portal.store.cancel_reservation(
        int(text), session[0], portal.now_ns()
    )
    message, css = (
        (msg.CANCELLED, "alert-success") if done else (msg.CANCEL_NOT_FOUND, "alert-danger")
    )
    notice = f'<div id="message" class="alert {css}" role="alert">{esc(message)}</div>'
    return my_reservations(portal, request, notice)


ROUTES = {
    ("GET", "/"): login_page,
    ("GET", "/index.php"): login_page,
    ("POST", "/login.php"): login,
    ("GET", "/logout.php"): logout,
    ("GET", "/dashboard.php"): dashboard,
    ("GET", "/pre_reservations.php"): area_select,
    ("GET", "/reservations.php"): month_view,
    ("GET", "/day_reservations.php"): day_view,
    ("GET", "/new_reservation.php"): reservation_form,
    ("POST", ADD_PATH): add_reservation,
    ("GET", "/my_reservations.php"): my_reservations,
    ("POST", CANCEL_PATH): cancel_reservation,
}

# Routes that log an attempt themselves, so an injected 500 is decided inside them.
ATTEMPT_ROUTES = {ADD_PATH}
