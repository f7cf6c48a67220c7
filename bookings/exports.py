"""A member's bookings as CSV and as an iCalendar feed.

Court names are looked up by (club, court id): two clubs may both have a
court 1. Each event's times are in its own club's time zone.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
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
]


CourtNames = dict[tuple[str, int], str]


def to_csv(requests: list[BookingRequest], court_names: CourtNames) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for r in requests:
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
            ]
        )
    return out.getvalue()


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


def to_ics(
    requests: list[BookingRequest],
    court_names: CourtNames,
    zones: dict[str, str],
    club_names: dict[str, str] | None = None,
) -> str:
    """Booked and pending courts as events; cancelled and failed ones are left out.

    ``zones`` maps each club to its time zone, ``club_names`` to its name
    (the event's location).
    """
    now = datetime.now(UTC)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//tennisbook//bookings//EN",
        "CALSCALE:GREGORIAN",
        "X-WR-CALNAME:tennisbook",
    ]
    for r in requests:
        if r.status not in (
            RequestStatus.COMPLETED,
            RequestStatus.PENDING,
            RequestStatus.PROCESSING,
        ):
            continue
        slot = TimeSlot.parse(r.time_slot)
        day = datetime.fromisoformat(r.date).date()
        if r.club_id not in zones:
            continue  # from before clubs, until migrate_clubs ran: no time zone to place it in
        club = ZoneInfo(zones[r.club_id])
        start = datetime.combine(day, slot.start, club)
        end = datetime.combine(day, slot.end, club)
        court = court_names.get((r.club_id, int(r.court_id)), f"Court {int(r.court_id)}")
        booked = r.status == RequestStatus.COMPLETED
        lines += [
            "BEGIN:VEVENT",
            f"UID:{r.request_id}@tennisbook",
            f"DTSTAMP:{_stamp(now)}",
            f"DTSTART:{_stamp(start)}",
            f"DTEND:{_stamp(end)}",
            _fold(f"SUMMARY:{_escape(('Tennis: ' if booked else 'Tennis (requested): ') + court)}"),
            _fold(f"DESCRIPTION:{_escape(f'{court}, {r.time_slot}. Status: {r.status}.')}"),
            _fold(f"LOCATION:{_escape((club_names or {}).get(r.club_id, r.club_id))}"),
            f"STATUS:{'CONFIRMED' if booked else 'TENTATIVE'}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"
