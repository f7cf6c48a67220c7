"""`make run` books its demo request on whichever demo portal DEMOCLUB_KIND names.

The same supervisor ``make run`` starts (free ports, its own var dir), with
``DEMOCLUB_KIND`` set as ``make run DEMOCLUB_KIND=grid`` sets it, the
default booking pipeline, and the demo portal's demo release a minute and a
half after its start instead of three. The demo member's request for it must
end ``completed``, booked on that portal under that portal's demo account.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tennisbook.settings import defaults

from .booking_stack import CONTROL_TOKEN, BookingStack

pytestmark = pytest.mark.browser

PORTAL_ACCOUNTS = {"condo": "101", "grid": "alex"}  # democlub --demo's members
DEMO_ENV = {
    "DEMOCLUB_DEMO_RELEASE_MINUTES": "1.5",
    "DEMOCLUB_CONTROL_TOKEN": CONTROL_TOKEN,
    "AUTH_RATE_LOGIN": "1000/m",
    "API_THROTTLE_USER": "10000/min",
}


@pytest.mark.parametrize("kind", defaults.DEMOCLUB_KINDS)
def test_make_run_books_the_demo_request_on_the_demo_portal_of_democlub_kind(devstack, kind):
    stack = devstack()
    stack.extra_env.update(DEMO_ENV, DEMOCLUB_KIND=kind)
    stack.start()
    stack.wait_ready(timeout=180)
    club = BookingStack(stack)
    state = club.portal.state()
    release = state["demo_release"]
    opens_at = datetime.fromisoformat(release["opens_at"])

    assert state["kind"] == kind
    assert f"({kind})" in stack.output  # the banner's demo club line
    answer = club.member.get(f"{club.site}/api/bookings", timeout=15)
    [demo] = [
        item
        for item in answer.json()["results"]
        if (item["court_id"], item["date"]) == (release["area"], release["day"])
    ]
    assert datetime.fromisoformat(demo["fire_at"]) == opens_at
    left = (opens_at - datetime.now(UTC)).total_seconds()
    done = club.wait_for_status(demo["request_id"], {"completed", "failed"}, timeout=left + 90)
    story = club.describe(demo["request_id"])
    assert done["status"] == "completed", story
    assert done["result"]["outcome"] == "booked", story
    booked = [
        row
        for row in club.portal.reservations(member=PORTAL_ACCOUNTS[kind])
        if row["area"] == release["area"]
    ]
    assert len(booked) == 1, (booked, story)
    assert stack.interrupt() == 0, club.tail()
