"""Two release instants in flight at once; beat's sweep never waits for them.

The whole stack (see ``booking_stack.py``) with its two workers as the
Procfile runs them: ``worker`` on the booking queue, ``tasks`` on the default
queue. Two requests on two courts whose releases are one portal minute
apart (release rules count whole minutes) are both dispatched at once, so
two batches hold both booking slots while they wait for their releases.
Meanwhile the sweep must keep running on its own worker, and both requests
must be booked on time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from datetime import time as clock_time

import pytest

from .booking_stack import CLUB_ZONE, booking_stack  # noqa: F401 - the fixture

pytestmark = pytest.mark.browser

# (court, slot): a member may hold one request per date and slot, whatever the court.
CHOICES = ((5, "De 07:00 AM a 08:00 AM"), (7, "De 08:00 AM a 09:00 AM"))


def _lines_of(club, child: str, *needles: str) -> list[str]:
    """Output lines of one supervised child (``name | text``) containing ``needles``."""
    return [line for line in club.log_lines(*needles) if line.split("|", 1)[0].strip() == child]


def _sweeps(club) -> int:
    """Sweeps finished so far, by whichever worker ran them."""
    return len(club.log_lines("booker.tasks.sweep_due[", "succeeded"))


def _schedule_two_releases(club, seconds_ahead: float) -> list[tuple]:
    """The first of ``CHOICES`` on the club's tomorrow opens ``seconds_ahead``
    from now, the second one portal minute later, on both sides (rolling windows).

    Returns (court, slot, portal instant, real instant, day) for each; the
    portal's clock is skewed so that its next whole minute comes then.
    """
    now = datetime.now(UTC)
    at = now + timedelta(seconds=seconds_ahead)
    minute = at.replace(second=0, microsecond=0) + timedelta(minutes=1)
    day = (now.astimezone(CLUB_ZONE) + timedelta(days=1)).date()
    releases, rules = [], {}
    for offset, (court, slot) in enumerate(CHOICES):
        slot_start = datetime.combine(day, clock_time(7 + offset, 0), CLUB_ZONE)
        portal_at = minute + timedelta(minutes=offset)
        window = round((slot_start - portal_at) / timedelta(minutes=1))
        rules[str(court)] = {"kind": "rolling", "minutes_before": window}
        club.portal.set_area(court, release={"kind": "rolling", "window_minutes": window})
        releases.append((court, slot, portal_at, at + timedelta(minutes=offset), day))
    club.set_system_value(
        "release_rules",
        {
            "time_zone": CLUB_ZONE.key,
            "default": {"kind": "fixed_daily", "days_ahead": 8, "at": "00:00"},
            "courts": rules,
        },
    )
    club.portal.set_clock(offset_ms=(minute - at) / timedelta(milliseconds=1))
    return releases


def test_two_release_instants_in_flight_are_both_booked_on_time_while_the_sweep_runs(
    booking_stack,  # noqa: F811
):
    # The dispatch margin covers both releases (the later one is a minute and
    # the portal clock's skew away), so both batches are handed over at once.
    club = booking_stack(BOOKER_DISPATCH_MARGIN_SECONDS="150")
    releases = _schedule_two_releases(club, seconds_ahead=20)
    created = []
    for court, slot, portal_at, _real_at, day in releases:
        answer = club.member.post(
            f"{club.site}/api/bookings",
            json={"court_id": court, "date": day.isoformat(), "time_slot": slot},
            timeout=15,
        )
        assert answer.status_code == 201, answer.text
        assert answer.json()["fire_at"].startswith(portal_at.strftime("%Y-%m-%dT%H:%M:00"))
        created.append(answer.json()["request_id"])

    # Both taken by booking workers, both waiting for their releases.
    for request_id in created:
        club.wait_for_status(request_id, {"processing"}, timeout=30)
    first_release = releases[0][3]
    assert datetime.now(UTC) < first_release - timedelta(seconds=4), club.tail()
    received = _lines_of(club, "worker", "booker.tasks.book_batch[", "received")
    assert len(received) >= 2, club.tail()

    # The sweep goes on, on its own worker, while both booking slots are held.
    sweeps_before = _sweeps(club)
    club.wait_until(first_release - timedelta(seconds=1))
    assert _sweeps(club) >= sweeps_before + 3, club.tail()
    for request_id in created:
        assert club.booking(request_id)["status"] == "processing", club.describe(request_id)

    for request_id in created:
        done = club.wait_for_status(request_id, {"completed", "failed"}, timeout=120)
        story = club.describe(request_id)
        assert done["status"] == "completed", story
        assert done["result"]["outcome"] == "booked", story
        (success,) = [a for a in done["result"]["attempts"] if a["outcome"] == "success"]
        assert 0 <= success["ms_after_release"] < 1500, story

    # Nothing crossed over: batches on the booking worker, the sweep on the other.
    assert _lines_of(club, "tasks", "booker.tasks.book_batch[") == []
    assert _lines_of(club, "worker", "booker.tasks.sweep_due[") == []
    assert _sweeps(club) > sweeps_before + 3
