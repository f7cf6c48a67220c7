"""The worker's seam against the real stack: a lost lease never submits; a lost
reply is still a booking.

Each test starts the whole stack (``booking_stack.py``) with a release a few
seconds ahead, and judges by the portal's own attempt log and reservations.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from datetime import timedelta

import pytest

from .booking_stack import booking_stack  # noqa: F401 - the fixture

pytestmark = pytest.mark.browser


def _owner_pid(booking: dict) -> int:
    """The pid of the worker process that took the request (``host:pid:nonce``)."""
    taken = next(h for h in booking["history"] if h["message"] == "taken by a booking worker")
    return int(taken["actor"].split(":")[-2])


def test_a_worker_that_lost_its_lease_before_the_release_never_submits(
    booking_stack,  # noqa: F811
):
    club = booking_stack()
    release = club.schedule_release(seconds_ahead=30)
    request_id = club.create_request(release)["request_id"]
    club.wait_for_status(request_id, {"processing"}, timeout=30)
    # Operators see which worker process holds it (members see "booking worker").
    answer = club.operator.get(f"{club.site}/api/bookings/{request_id}", timeout=15)
    assert answer.status_code == 200, answer.text
    stalled = _owner_pid(answer.json())
    prepared = [f"booking_request_id={request_id}", "booking.prepared"]
    deadline = time.monotonic() + 25
    while not club.log_lines(*prepared) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert club.log_lines(*prepared), club.describe(request_id, release)
    # Freeze the process holding the lease (prepared, waiting for the
    # release): its renewals stop, the lease (6 s) lapses, the sweep resends
    # the request and the booking worker's other process resumes it.
    club.wait_until(release.at - timedelta(seconds=20))
    os.kill(stalled, signal.SIGSTOP)
    try:
        deadline = time.monotonic() + 25
        resumed = []
        while not resumed and time.monotonic() < deadline:
            history = club.booking(request_id)["history"]
            resumed = [h for h in history if h["message"].startswith("resumed after the lease")]
            time.sleep(0.3)
        assert resumed, club.describe(request_id, release)
        assert release.seconds_left() > 3, "resumed too late for this test to mean much"
        club.wait_until(release.at + timedelta(seconds=3))
    finally:
        # Thawed after the release: the stalled process wakes at its submit.
        with contextlib.suppress(ProcessLookupError):
            os.kill(stalled, signal.SIGCONT)
    done = club.wait_for_status(request_id, {"completed", "failed"}, timeout=60)
    stopped = club.wait_for_log_lines("booking.lease_lost_before_submit", 1, timeout=30)
    story = club.describe(request_id, release)
    assert club.log_lines(f"run={request_id} before_submit=1"), story
    assert done["status"] == "completed", story
    assert done["result"]["outcome"] == "booked", story
    assert request_id in stopped[0], story
    # One submit reached the portal, the resuming worker's; the stalled one sent none.
    submits = club.submissions(release)
    assert [row["outcome"] for row in submits] == ["success"], story
    assert [r for r in club.reservations(release) if not r["cancelled"]] != [], story
    assert [h["to_status"] for h in done["history"]].count("completed") == 1, story


def test_a_booking_whose_reply_was_a_500_ends_booked(booking_stack):  # noqa: F811
    club = booking_stack()
    release = club.schedule_release(seconds_ahead=12)
    request_id = club.create_request(release)["request_id"]
    club.wait_for_status(request_id, {"processing"}, timeout=30)
    # The portal books the slot and then answers 500: the engine's retry
    # hears "slot taken" and must find the booking in the member's own list.
    club.portal.patch_config(error_rate=1.0, error_mode="after_booking")
    done = club.wait_for_status(
        request_id, {"completed", "failed"}, timeout=release.seconds_left() + 60
    )
    story = club.describe(request_id, release)

    assert done["status"] == "completed", story
    assert done["result"]["outcome"] == "booked", story
    assert done["result"]["verified"] is True, story
    outcomes = [a["outcome"] for a in done["result"]["attempts"]]
    assert outcomes[:1] == ["server_error"], story
    assert "slot_taken" in outcomes, story
    held = [r for r in club.reservations(release) if not r["cancelled"]]
    assert len(held) == 1, story
