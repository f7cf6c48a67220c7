"""A member's bookings as CSV and as an iCalendar feed.

Court names are looked up by (club, court id): two clubs may both have a
court 1. Each event's times are in its own club's time zone: as UTC
instants (the API's ``calendar.ics``), or as the club's wall-clock times
with a ``VTIMEZONE`` per zone (``local_times``: the member's subscription
feed, so a calendar app shows the club's hour even where it has no zone
database of its own).
"""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from tennisbook.values import TimeSlot

from .choices import RequestStatus
from .dynamo import BookingRequest

CSV_COLUMNS = [
    "request_id",
    "club",
    "court_id",
    "court",
    "date",
    "time_slot",
    "status",
    "reason",
    "confirmation",
    "created_at",
    "updated_at",
    "fired_at",
    "ms_after_release",
    "partners",
]


CourtNames = dict[tuple[str, int], str]


@dataclass(frozen=True)
class Timing:
    """When the engine submitted, and how late after the release the deciding submit was.

    ``fired_at`` is the first attempt's ``sent_at_ns`` (the worker's clock);
    ``ms_after_release`` is the successful attempt's, else the last one's
    (the portal's clock, as the engine estimated it). Both None for a
    request that never reached a submit.
    """

    fired_at: datetime | None
    ms_after_release: float | None


def timing(request: BookingRequest) -> Timing:
    attempts = [a for a in request.result_data.get("attempts") or () if isinstance(a, dict)]
    if not attempts:
        return Timing(None, None)
    deciding = next((a for a in attempts if a.get("outcome") == "success"), attempts[-1])
    fired_at = _instant(attempts[0].get("sent_at_ns"))
    return Timing(fired_at, _number(deciding.get("ms_after_release")))


def _instant(nanoseconds: object) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(nanoseconds) / 1e9, UTC)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _number(value: object) -> float | None:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def booked_choice(request: BookingRequest) -> tuple[int, str]:
    """The court and slot a completed request booked: the first choice or an alternative."""
    choice = request.result_data.get("choice")
    court, slot = int(request.court_id), request.time_slot
    if request.status == RequestStatus.COMPLETED and isinstance(choice, dict):
        with contextlib.suppress(TypeError, ValueError):
            court = int(choice.get("court", court))
        slot = choice.get("slot") or slot
    return court, slot


def to_csv(requests: list[BookingRequest], court_names: CourtNames) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for r in requests:
        when = timing(r)
        writer.writerow(
            [
                r.request_id,
                r.club_id,
                int(r.court_id),
                court_names.get((r.club_id, int(r.court_id)), ""),
                r.date,
                r.time_slot,
                r.status,
                r.reason or "",
                _neutralise(r.result_data.get("confirmation") or ""),
                r.created_at.isoformat(),
                r.updated_at.isoformat(),
                when.fired_at.isoformat() if when.fired_at else "",
                "" if when.ms_after_release is None else f"{when.ms_after_release:.1f}",
                _neutralise(partner_names(r)),
            ]
        )
    return out.getvalue()


def partner_names(request: BookingRequest) -> str:
    """The request's partners as one text: ``Ana, @dana``."""
    return ", ".join(name for name in (request.partners or []) if name.strip())


def description(request: BookingRequest, court: str, slot_label: str) -> str:
    text = f"{court}, {slot_label}. Status: {request.status}."
    partners = partner_names(request)
    return f"{text} With {partners}." if partners else text


def _neutralise(value: str) -> str:
    """Values from the portal must not run as spreadsheet formulas."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """RFC 5545: lines longer than 75 octets continue on lines starting with a space."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts, current = [], b""
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > (75 if not parts else 74):
            parts.append(current.decode("utf-8"))
            current = b""
        current += encoded
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


# What the API's calendar.ics holds: booked courts and those still to be tried.
CALENDAR_STATUSES = frozenset(
    {RequestStatus.COMPLETED, RequestStatus.PENDING, RequestStatus.PROCESSING}
)


def to_ics(
    requests: list[BookingRequest],
    court_names: CourtNames,
    zones: dict[str, str],
    club_names: dict[str, str] | None = None,
    *,
    statuses: Collection[str] = CALENDAR_STATUSES,
    local_times: bool = False,
    name: str = "tennisbook",
    refresh: timedelta | None = None,
) -> str:
    """The requests of ``statuses`` as events (by default booked and pending courts).

    ``zones`` maps each club to its time zone, ``club_names`` to its name
    (the event's location). A booked request shows the court and slot the
    engine booked (an alternative, maybe). ``local_times`` writes each
    event on its club's clock (``DTSTART;TZID=...``) with that zone's
    ``VTIMEZONE``; otherwise instants are UTC. ``refresh`` tells calendar
    apps how often to poll a subscription.
    """
    now = datetime.now(UTC)
    events, used = [], {}
    for r in requests:
        if r.status not in statuses:
            continue
        if r.club_id not in zones:
            continue  # from before clubs, until migrate_clubs ran: no time zone to place it in
        court_id, slot_label = booked_choice(r)
        slot = TimeSlot.parse(slot_label)
        day = datetime.fromisoformat(r.date).date()
        zone = ZoneInfo(zones[r.club_id])
        start = datetime.combine(day, slot.start, zone)
        end = datetime.combine(day, slot.end, zone)
        if end <= start:  # a slot that ends at midnight ends on the next day
            end += timedelta(days=1)
        court = court_names.get((r.club_id, court_id), f"Court {court_id}")
        booked = r.status == RequestStatus.COMPLETED
        if local_times:
            used.setdefault(zone.key, set()).update({start.year, end.year})
            times = [_local("DTSTART", start), _local("DTEND", end)]
        else:
            times = [f"DTSTART:{_stamp(start)}", f"DTEND:{_stamp(end)}"]
        events += [
            "BEGIN:VEVENT",
            f"UID:{r.request_id}@tennisbook",
            f"DTSTAMP:{_stamp(now)}",
            *times,
            _fold(f"SUMMARY:{_escape(('Tennis: ' if booked else 'Tennis (requested): ') + court)}"),
            _fold(f"DESCRIPTION:{_escape(description(r, court, slot_label))}"),
            _fold(f"LOCATION:{_escape((club_names or {}).get(r.club_id, r.club_id))}"),
            f"STATUS:{'CONFIRMED' if booked else 'TENTATIVE'}",
            "END:VEVENT",
        ]
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//tennisbook//bookings//EN",
        "CALSCALE:GREGORIAN",
        _fold(f"X-WR-CALNAME:{_escape(name)}"),
    ]
    if len(used) == 1:
        lines.append(f"X-WR-TIMEZONE:{next(iter(used))}")
    if refresh is not None:
        duration = f"PT{max(1, round(refresh.total_seconds() / 60))}M"
        lines += [f"REFRESH-INTERVAL;VALUE=DURATION:{duration}", f"X-PUBLISHED-TTL:{duration}"]
    for key in sorted(used):
        lines += vtimezone(key, used[key])
    lines += events
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


def _local(name: str, moment: datetime) -> str:
    return f"{name};TZID={moment.tzinfo.key}:{moment:%Y%m%dT%H%M%S}"  # type: ignore[union-attr]


def _offset(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{secs:02d}" if secs else "")


def vtimezone(key: str, years: Iterable[int]) -> list[str]:
    """RFC 5545 ``VTIMEZONE`` lines for ``key``, exact over ``years`` (one onset per change).

    The zone database has no public list of transitions, so the offset is
    sampled daily and each change found to the second by bisection: a zone
    without changes (America/Costa_Rica) is one ``STANDARD`` block.
    """
    zone = ZoneInfo(key)
    wanted = sorted(set(years))
    first = datetime(wanted[0], 1, 1, tzinfo=UTC)
    last = datetime(wanted[-1] + 1, 1, 1, tzinfo=UTC)

    def offset(moment: datetime) -> timedelta:
        return moment.astimezone(zone).utcoffset() or timedelta(0)

    onsets = [(first, offset(first), offset(first))]
    moment = first
    while moment < last:
        following = moment + timedelta(days=1)
        if offset(following) != offset(moment):
            low, high = moment, following
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                low, high = (middle, high) if offset(middle) == offset(low) else (low, middle)
            onsets.append((high, offset(low), offset(high)))
        moment = following
    lines = ["BEGIN:VTIMEZONE", f"TZID:{key}"]
    for at, before, after in onsets:
        local = at.astimezone(zone)
        kind = "DAYLIGHT" if local.dst() else "STANDARD"
        lines += [
            f"BEGIN:{kind}",
            # The onset on the clock it replaces, as RFC 5545 counts it.
            f"DTSTART:{(at + before).replace(tzinfo=None):%Y%m%dT%H%M%S}",
            f"TZOFFSETFROM:{_offset(before)}",
            f"TZOFFSETTO:{_offset(after)}",
            f"TZNAME:{local.tzname()}",
            f"END:{kind}",
        ]
    lines.append("END:VTIMEZONE")
    return lines
