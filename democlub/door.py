"""The direct HTTP door of the portal's mobile app (``poster.php``).

No session: every call carries the member (``house``) and the MD5 hex digest
of the password (``password``), in the query string or a urlencoded body.
Schedule ids are the web ids minus ``DOOR_ID_SHIFT``. Replies are JSON with
the same Spanish messages as the web form. See README for the actions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from democlub import messages as msg
from democlub.booking import INJECT_500, Attempt, Outcome, attempt
from democlub.portal import Portal
from democlub.settings import Member
from democlub.slots import DOOR_ID_SHIFT, format_day, parse_day, schedule_ids, slot_label
from democlub.wsgi import Request, Response, json_response, not_found

PATH = "/utilities/process/app/poster.php"
BAD_ACTION = "Acción no válida."


def _member(portal: Portal, params: dict[str, str]) -> Member | None:
    member = portal.settings.member(params.get("house", "").strip())
    if member is None:
        return None
    digest = hashlib.md5(member.password.encode(), usedforsecurity=False).hexdigest()
    given = params.get("password", "").strip().lower()
    return member if hmac.compare_digest(digest.encode(), given.encode()) else None


def _reply(success: bool, message: str, **extra) -> Response:
    return json_response({"success": success, "message": message, **extra})


def poster(portal: Portal, request: Request) -> Response:
    """Dispatch on ``app_action``; a disabled door answers 404 like a missing page."""
    if not portal.settings.http_door:
        return not_found()
    params = request.params()
    action = params.get("app_action", "")
    member = _member(portal, params)
    if action == "add_reservation":
        return _add(portal, request, params, member)
    if member is None:
        return _reply(False, msg.BAD_LOGIN)
    if action == "get_schedules":
        return _schedules(portal, params)
    if action == "get_reservations":
        return _reservations(portal, member)
    if action == "cancel_reservation":
        text = params.get("id", "")
        done = text.isdigit() and portal.store.cancel_reservation(
            int(text), member.member, portal.now_ns()
        )
        return _reply(bool(done), msg.CANCELLED if done else msg.CANCEL_NOT_FOUND)
    return _reply(False, BAD_ACTION)


def _add(portal: Portal, request: Request, params: dict[str, str], member: Member | None):
    received = Attempt(
        member=member.member if member else params.get("house", "")[:40] or None,
        area=params.get("area", ""),
        day=params.get("day", ""),
        schedule_id=params.get("schedule", ""),
        door="http",
        received_ns=request.received_ns,
        comments=params.get("comments", ""),
        id_shift=DOOR_ID_SHIFT,
    )
    fault = request.environ.get(INJECT_500)
    if fault == "before":
        attempt(portal, received, Outcome(msg.OUTCOME_SERVER_ERROR, msg.SERVER_ERROR))
        return json_response({"success": False, "message": msg.SERVER_ERROR}, 500)
    if member is None:
        attempt(portal, received, Outcome(msg.OUTCOME_BAD_CREDENTIALS, msg.BAD_LOGIN))
        return _reply(False, msg.BAD_LOGIN)
    outcome = attempt(portal, received)
    if fault == "after_booking" and outcome.ok:
        return json_response({"success": False, "message": msg.SERVER_ERROR}, 500)
    return _reply(outcome.ok, outcome.message, reservation_id=outcome.reservation_id)


def _schedules(portal: Portal, params: dict[str, str]) -> Response:
    settings = portal.settings
    area_text = params.get("area", "")
    area = settings.area(int(area_text)) if area_text.isdigit() else None
    if area is None:
        return _reply(False, msg.BAD_AREA)
    try:
        day = parse_day(params.get("day", ""))
    except ValueError:
        return _reply(False, msg.BAD_DAY)
    grid = settings.grid(area)
    taken = {r["slot"] for r in portal.store.reservations(area=area.id, day=day.isoformat())}
    ids = schedule_ids(area.id, day, grid.starts())
    schedules = [
        {
            "id": ids[start] - DOOR_ID_SHIFT,
            "label": slot_label(start, grid.minutes),
            "reserved": start.strftime("%H:%M") in taken,
        }
        for start in grid.starts()
    ]
    return _reply(True, "", area=area.id, day=format_day(day), schedules=schedules)


def _reservations(portal: Portal, member: Member) -> Response:
    settings = portal.settings
    rows = []
    for row in portal.store.reservations(member=member.member):
        area = settings.area(row["area"])
        rows.append(
            {
                "id": row["id"],
                "area": row["area"],
                "area_name": area.name if area else "",
                "day": format_day(dt.date.fromisoformat(row["day"])),
                "schedule": row["label"],
            }
        )
    return _reply(True, "", reservations=rows)
