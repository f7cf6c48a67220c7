"""`make run` runs two demo clubs, each booking its demo request on its own demo portal.

The same supervisor ``make run`` starts (free ports, its own var dir), with
``DEMOCLUB_KIND`` set as ``make run DEMOCLUB_KIND=grid`` sets it, the
default booking pipeline, and each demo portal's demo release a minute and
a half after its start instead of three. Both portals run: the
``DEMOCLUB_KIND`` one for the default club, the other kind for the second
demo club (whose id is that kind's name). Each club's demo request must end
``completed``, booked on that club's portal under that portal's demo
account, by the one booking worker.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from democlub.client import ControlClient
from tennisbook.settings import defaults

from .booking_stack import CONTROL_TOKEN, BookingStack

pytestmark = pytest.mark.browser

PORTAL_ACCOUNTS = {"condo": "101", "grid": "alex"}  # democlub --demo's members
OTHER = {"condo": "grid", "grid": "condo"}
DEMO_ENV = {
    "DEMOCLUB_DEMO_RELEASE_MINUTES": "1.5",
    "DEMOCLUB_CONTROL_TOKEN": CONTROL_TOKEN,
    "AUTH_RATE_LOGIN": "1000/m",
    "API_THROTTLE_USER": "10000/min",
}


@pytest.mark.parametrize("kind", defaults.DEMOCLUB_KINDS)
def test_make_run_books_both_demo_clubs_requests_each_on_its_demo_portal(devstack, kind):
    stack = devstack()
    stack.extra_env.update(DEMO_ENV, DEMOCLUB_KIND=kind)
    stack.start()
    stack.wait_ready(timeout=180)
    booking = BookingStack(stack)
    second = ControlClient(f"http://127.0.0.1:{stack.democlub_second_port}", CONTROL_TOKEN)
    portals = {"default": (kind, booking.portal), OTHER[kind]: (OTHER[kind], second)}

    assert f"({kind})" in stack.output  # the banner's demo club lines
    assert f"({OTHER[kind]})" in stack.output
    answer = booking.member.get(f"{booking.site}/api/clubs", timeout=15)
    assert answer.status_code == 200, answer.text
    assert [c["id"] for c in answer.json()] == list(portals), answer.text
    answer = booking.member.get(f"{booking.site}/api/bookings", timeout=15)
    assert answer.status_code == 200, answer.text
    demos = {}
    for club, (club_kind, portal) in portals.items():
        state = portal.state()
        assert state["kind"] == club_kind
        release = state["demo_release"]
        [demo] = [
            item
            for item in answer.json()["results"]
            if (item["club"], item["court_id"], item["date"])
            == (club, release["area"], release["day"])
        ]
        assert datetime.fromisoformat(demo["fire_at"]) == datetime.fromisoformat(
            release["opens_at"]
        )
        demos[club] = (demo, release)

    latest = max(datetime.fromisoformat(r["opens_at"]) for _, r in demos.values())
    for club, (demo, release) in demos.items():
        left = (latest - datetime.now(UTC)).total_seconds()
        done = booking.wait_for_status(
            demo["request_id"], {"completed", "failed"}, timeout=max(left, 0) + 90
        )
        story = booking.describe(demo["request_id"])
        assert done["status"] == "completed", (club, story)
        assert done["result"]["outcome"] == "booked", (club, story)
        club_kind, portal = portals[club]
        booked = [
            row
            for row in portal.reservations(member=PORTAL_ACCOUNTS[club_kind])
            if row["area"] == release["area"]
        ]
        assert len(booked) == 1, (club, booked, story)
    assert stack.interrupt() == 0, booking.tail()
