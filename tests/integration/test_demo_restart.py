"""A newcomer's restart: `make run`, Ctrl-C, `make run` again; the demo still books.

The same supervisor ``make run`` starts (free ports, its own var dir), with
the default booking pipeline (lead time and margin as a newcomer has them)
and the demo portal's demo release two and a half minutes after its start
instead of three (the restart must leave it more than a minute ahead). The
first run hands the demo request to a booking worker; Ctrl-C stops it while
it waits for the release; the second run must book that same request at
that same release.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from .booking_stack import CONTROL_TOKEN, BookingStack

pytestmark = pytest.mark.browser

DEMO_ENV = {
    "DEMOCLUB_DEMO_RELEASE_MINUTES": "2.5",
    "DEMOCLUB_CONTROL_TOKEN": CONTROL_TOKEN,
    "AUTH_RATE_LOGIN": "1000/m",
    "API_THROTTLE_USER": "10000/min",
}


def _start(devstack):
    stack = devstack()
    stack.extra_env.update(DEMO_ENV)
    stack.start()
    stack.wait_ready(timeout=180)
    return BookingStack(stack)


def _demo_request(club: BookingStack, release: dict) -> dict:
    answer = club.member.get(f"{club.site}/api/bookings", timeout=15)
    assert answer.status_code == 200, answer.text
    mine = [
        item
        for item in answer.json()["results"]
        if item["date"] == release["day"] and item["time_slot"] == release["slot"]
    ]
    assert len(mine) == 1, (mine, club.tail())
    return mine[0]


def test_a_restart_while_the_demo_booking_waits_still_books_it_at_the_portals_release(
    devstack,
):
    first = _start(devstack)
    release = first.portal.state()["demo_release"]
    opens_at = datetime.fromisoformat(release["opens_at"])
    demo = _demo_request(first, release)
    assert datetime.fromisoformat(demo["fire_at"]) == opens_at
    # The sweep hands it to a booking worker at once (the release is within
    # the lead time and margin); Ctrl-C while that worker waits for it.
    first.wait_for_status(demo["request_id"], {"processing"}, timeout=60)
    assert first.stack.interrupt() == 0, first.tail()

    second = _start(devstack)
    assert second.portal.state()["demo_release"] == release, second.tail()
    assert (opens_at - datetime.now(UTC)).total_seconds() > 5, "restart too slow for the test"

    left = (opens_at - datetime.now(UTC)).total_seconds()
    done = second.wait_for_status(demo["request_id"], {"completed", "failed"}, timeout=left + 90)
    story = second.describe(demo["request_id"])
    assert done["status"] == "completed", story
    assert done["result"]["outcome"] == "booked", story
    assert datetime.fromisoformat(done["fire_at"]) == opens_at, story
    assert _demo_request(second, release)["request_id"] == demo["request_id"]
    assert second.stack.interrupt() == 0, second.tail()
