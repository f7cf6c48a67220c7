"""One reservation attempt, whichever door (or kind of portal) it came through.

The web forms, the HTTP door and the competitors all call ``attempt``. It
checks, in the portal's order: area, day, schedule id, the end time (grid
form only), past slot, release, slot taken, member quota; books; and writes
one row to the attempt log with the receive time stamped by the caller
(before any injected latency). The kind decides the reply texts and the
clock of the time rules: the condo judges them when the request is
processed (after latency), the grid at receipt.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from democlub import messages as msg
from democlub.grid.messages import GridReplies
from democlub.portal import Portal
from democlub.release import advance_text, opens_at, slot_start, to_ns
from democlub.settings import Area
from democlub.slots import format_day, parse_day, seconds_of, slot_for_web_id, slot_text
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
    end_time: str | None = None  # the grid form's end (seconds since midnight); None: unchecked


@dataclass(frozen=True)
class Slot:
    """What a reply may name: the slot an attempt resolved to."""

    area: Area
    day: dt.date
    start: dt.time
    minutes: int
    opens_at: dt.datetime


class CondoReplies:
    """The condo's Spanish replies (``democlub.messages``), word for word."""

    def bad_area(self) -> str:
        return msg.BAD_AREA

    def bad_day(self) -> str:
        return msg.BAD_DAY

    def bad_schedule(self) -> str:
        return msg.BAD_SCHEDULE

    def bad_end(self, slot: Slot) -> str:
        return msg.BAD_SCHEDULE  # the condo's form posts no end time

    def past(self, slot: Slot) -> str:
        return msg.PAST

    def not_open(self, slot: Slot) -> str:
        return msg.NOT_OPEN.format(advance=advance_text(slot.area))

    def taken(self, slot: Slot) -> str:
        return msg.SLOT_TAKEN

    def quota(self, slot: Slot) -> str:
        return msg.QUOTA

    def success(self, slot: Slot, reservation_id: int | None) -> str:
        return msg.SUCCESS


REPLIES = {"condo": CondoReplies(), "grid": GridReplies()}
# Kinds whose time rules (past, release) are judged on the receive stamp, as an
# app that reads its clock first thing would; the others after any latency.
RULES_AT_RECEIPT = {"grid"}


def attempt(portal: Portal, request: Attempt, outcome: Outcome | None = None) -> Outcome:
    """Decide (unless ``outcome`` is already decided, e.g. an injected 500) and log."""
    settings = portal.settings
    area_id = _int(request.area)
    area = settings.area(area_id) if area_id is not None else None
    day = _day(request.day)
    web_id = _int(request.schedule_id)
    slot = None
    if area is not None and day is not None and web_id is not None:
        grid = settings.grid(area)
        start = slot_for_web_id(
            settings.kind, area.id, day, grid.starts(), web_id + request.id_shift
        )
        if start is not None:
            opens = opens_at(settings, area, day, start).astimezone(settings.timezone)
            slot = Slot(area, day, start, grid.minutes, opens)
    release_ns = to_ns(slot.opens_at) if slot else None

    if outcome is None:
        outcome = _decide(portal, request, area, day, slot)
    attempt_id = portal.store.log_attempt(
        received_ns=request.received_ns,
        member=request.member,
        area=area_id,
        day=day.isoformat() if day else request.day[:40],
        slot=slot_text(settings.kind, slot.start, slot.minutes) if slot else None,
        schedule_id=request.schedule_id[:40],
        door=request.door,
        outcome=outcome.code,
        message=outcome.message,
        release_ns=release_ns,
        decided_ns=portal.now_ns(),
    )
    return Outcome(outcome.code, outcome.message, outcome.reservation_id, attempt_id)


def _decide(portal: Portal, request: Attempt, area, day, slot: Slot | None) -> Outcome:
    settings = portal.settings
    replies = REPLIES[settings.kind]
    if area is None:
        return Outcome(msg.OUTCOME_INVALID, replies.bad_area())
    if day is None:
        return Outcome(msg.OUTCOME_INVALID, replies.bad_day())
    if slot is None:
        return Outcome(msg.OUTCOME_INVALID, replies.bad_schedule())
    if request.end_time is not None:
        expected = seconds_of(slot.start) + slot.minutes * 60
        if request.end_time.strip() != str(expected):
            return Outcome(msg.OUTCOME_INVALID, replies.bad_end(slot))
    # The condo judges the rules on the portal's clock when the request is
    # processed, i.e. after any injected latency, as a slow real server would;
    # the grid on the clock of its arrival.
    now_ns = portal.now_ns()
    judged_ns = request.received_ns if settings.kind in RULES_AT_RECEIPT else now_ns
    begins_ns = to_ns(slot_start(settings, day, slot.start))
    if begins_ns <= judged_ns:
        return Outcome(msg.OUTCOME_PAST, replies.past(slot))
    if judged_ns < to_ns(slot.opens_at):
        return Outcome(msg.OUTCOME_NOT_OPEN, replies.not_open(slot))
    status, reservation_id = portal.store.add_reservation(
        NewReservation(
            member=request.member or "",
            area=area.id,
            day=day.isoformat(),
            slot=slot.start.strftime("%H:%M"),
            label=slot_text(settings.kind, slot.start, slot.minutes),
            slot_start_ns=begins_ns,
            comments=request.comments[:500],
            door=request.door,
            now_ns=now_ns,
            quota=area.member_quota,
        )
    )
    if status == "taken":
        return Outcome(msg.OUTCOME_TAKEN, replies.taken(slot))
    if status == "quota":
        return Outcome(msg.OUTCOME_QUOTA, replies.quota(slot))
    return Outcome(msg.OUTCOME_SUCCESS, replies.success(slot, reservation_id), reservation_id)


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
