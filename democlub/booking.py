"""One reservation attempt, whichever door it came through.

The web form, the HTTP door and the competitors all call ``attempt``. It
checks, in the portal's order: area, day, schedule id, past slot, release,
slot taken, member quota; books; and writes one row to the attempt log with
the receive time stamped by the caller (before any injected latency).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from democlub import messages as msg
from democlub.portal import Portal
from democlub.release import advance_text, opens_at, slot_start, to_ns
from democlub.slots import format_day, parse_day, slot_for_id, slot_label
from democlub.store import NewReservation

# Set by the app on an attempt picked for an injected 500, to the error mode:
# "before" (answer 500 without deciding) or "after_booking" (decide; if that
# booked, answer 500 anyway: the booking stands and the log says success).
INJECT_500 = "democlub.inject_500"


@dataclass(frozen=True)
class Outcome:
    """The reply to an attempt: a code for the log, the member-facing text."""

    code: str
    message: str
    reservation_id: int | None = None
    attempt_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.code == msg.OUTCOME_SUCCESS


@dataclass(frozen=True)
class Attempt:
    """A raw reservation request as received (strings from a form or query)."""

    member: str | None
    area: str
    day: str
    schedule_id: str
    door: str
    received_ns: int
    comments: str = ""
    id_shift: int = 0  # the HTTP door's ids are the web ids minus 2


def attempt(portal: Portal, request: Attempt, outcome: Outcome | None = None) -> Outcome:
    """Decide (unless ``outcome`` is already decided, e.g. an injected 500) and log."""
    settings = portal.settings
    area_id = _int(request.area)
    area = settings.area(area_id) if area_id is not None else None
    day = _day(request.day)
    web_id = _int(request.schedule_id)
    start = None
    if area is not None and day is not None and web_id is not None:
        start = slot_for_id(area.id, day, settings.grid(area).starts(), web_id + request.id_shift)
    release_ns = None
    if area is not None and day is not None and start is not None:
        release_ns = to_ns(opens_at(settings, area, day, start))

    if outcome is None:
        outcome = _decide(portal, request, area, day, start, release_ns)
    attempt_id = portal.store.log_attempt(
        received_ns=request.received_ns,
        member=request.member,
        area=area_id,
        day=day.isoformat() if day else request.day[:40],
        slot=slot_label(start, settings.grid(area).minutes) if start and area else None,
        schedule_id=request.schedule_id[:40],
        door=request.door,
        outcome=outcome.code,
        message=outcome.message,
        release_ns=release_ns,
        decided_ns=portal.now_ns(),
    )
    return Outcome(outcome.code, outcome.message, outcome.reservation_id, attempt_id)


def _decide(portal, request, area, day, start, release_ns) -> Outcome:
    settings = portal.settings
    if area is None:
        return Outcome(msg.OUTCOME_INVALID, msg.BAD_AREA)
    if day is None:
        return Outcome(msg.OUTCOME_INVALID, msg.BAD_DAY)
    if start is None:
        return Outcome(msg.OUTCOME_INVALID, msg.BAD_SCHEDULE)
    # Rules are judged on the portal's clock when the request is processed,
    # i.e. after any injected latency, as a slow real server would.
    now_ns = portal.now_ns()
    begins_ns = to_ns(slot_start(settings, day, start))
    if begins_ns <= now_ns:
        return Outcome(msg.OUTCOME_PAST, msg.PAST)
    if now_ns < release_ns:
        return Outcome(msg.OUTCOME_NOT_OPEN, msg.NOT_OPEN.format(advance=advance_text(area)))
    grid = settings.grid(area)
    status, reservation_id = portal.store.add_reservation(
        NewReservation(
            member=request.member or "",
            area=area.id,
            day=day.isoformat(),
            slot=start.strftime("%H:%M"),
            label=slot_label(start, grid.minutes),
            slot_start_ns=begins_ns,
            comments=request.comments[:500],
            door=request.door,
            now_ns=now_ns,
            quota=area.member_quota,
        )
    )
    if status == "taken":
        return Outcome(msg.OUTCOME_TAKEN, msg.SLOT_TAKEN)
    if status == "quota":
        return Outcome(msg.OUTCOME_QUOTA, msg.QUOTA)
    return Outcome(msg.OUTCOME_SUCCESS, msg.SUCCESS, reservation_id)


def _int(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() and len(text) < 12 else None


def _day(text: str | None) -> dt.date | None:
    try:
        return parse_day(text or "")
    except ValueError:
        return None


def reservation_json(row: dict, settings) -> dict:
    """A reservation as the control API and the HTTP door show it."""
    area = settings.area(row["area"])
    day = dt.date.fromisoformat(row["day"])
    return {
        "id": row["id"],
        "member": row["member"],
        "area": row["area"],
        "area_name": area.name if area else "",
        "day": row["day"],
        "portal_day": format_day(day),
        "slot": row["label"],
        "comments": row["comments"],
        "door": row["door"],
        "created_ns": row["created_ns"],
        "cancelled": row.get("cancelled_ns") is not None,
    }
