"""The grid portal's English replies, and the date and time texts they use.

Engines classify replies by these texts (the "not open" one by the phrase
``is not open for booking yet``), so they are constants in one place. Dates
and times are spelled here, independent of the process locale: ``7:00 AM``,
``Tuesday, December 8, 2026``.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from democlub.slots import short_time

if TYPE_CHECKING:
    from democlub.booking import Slot

PAGE_EXPIRED = "This page has expired. Please reload the page and try again."
BAD_LOGIN = "Unknown username or wrong password."
SESSION_EXPIRED = "Your session has expired. Please log in again."
CHOOSE_START = "Please choose a start time from the list."
BAD_END = "The booking must end at {end} ({minutes} minutes)."
PAST = "That time has already passed."
NOT_OPEN = "{court} is not open for booking yet: {slot} opens at {opens}."
TAKEN = "That slot has already been booked."
QUOTA = "You already have the maximum of {quota} upcoming bookings."
CONFIRMED = "Booking confirmed: {court} on {when} (ref {id})."
SERVER_ERROR = "Something went wrong on our side. Please try again later."
LOGIN_REQUIRED = "Please log in."
NO_BOOKINGS = "No bookings found."

_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "", "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
)  # fmt: skip


def day_and_month(day: dt.date) -> str:
    """``Tuesday, December 8``."""
    return f"{_DAYS[day.weekday()]}, {_MONTHS[day.month]} {day.day}"


def long_date(day: dt.date) -> str:
    """``Tuesday, December 8, 2026``: the day page's title."""
    return f"{day_and_month(day)}, {day.year}"


def when(day: dt.date, start: dt.time) -> str:
    """``Tuesday, December 8, 2026 at 7:00 AM``: a booking in lists and the flash."""
    return f"{long_date(day)} at {short_time(start)}"


def opens_short(moment: dt.datetime) -> str:
    """``Tue 1 Dec, 7:00 AM``: a closed cell of the day grid (club time)."""
    day = moment.date()
    weekday, month = _DAYS[day.weekday()][:3], _MONTHS[day.month][:3]
    return f"{weekday} {day.day} {month}, {short_time(moment.time())}"


def end_of(start: dt.time, minutes: int) -> dt.time:
    total = (start.hour * 60 + start.minute + minutes) % (24 * 60)
    return dt.time(total // 60, total % 60)


def length_text(minutes: int) -> str:
    """``1 hour``, ``2 hours`` or ``90 minutes``."""
    if minutes % 60:
        return f"{minutes} minutes"
    hours = minutes // 60
    return "1 hour" if hours == 1 else f"{hours} hours"


def confirmed(court: str, day: dt.date, start: dt.time, reservation_id: int | None) -> str:
    return CONFIRMED.format(court=court, when=when(day, start), id=reservation_id)


class GridReplies:
    """The replies of ``booking.attempt`` on the grid kind."""

    def bad_area(self) -> str:
        return CHOOSE_START

    def bad_day(self) -> str:
        return CHOOSE_START

    def bad_schedule(self) -> str:
        return CHOOSE_START

    def bad_end(self, slot: Slot) -> str:
        return BAD_END.format(
            end=short_time(end_of(slot.start, slot.minutes)), minutes=slot.minutes
        )

    def past(self, slot: Slot) -> str:
        return PAST

    def not_open(self, slot: Slot) -> str:
        opens = slot.opens_at
        return NOT_OPEN.format(
            court=slot.area.name,
            slot=f"{short_time(slot.start)} on {day_and_month(slot.day)}",
            opens=f"{short_time(opens.time())} on {day_and_month(opens.date())}",
        )

    def taken(self, slot: Slot) -> str:
        return TAKEN

    def quota(self, slot: Slot) -> str:
        return QUOTA.format(quota=slot.area.member_quota)

    def success(self, slot: Slot, reservation_id: int | None) -> str:
        return confirmed(slot.area.name, slot.day, slot.start, reservation_id)
