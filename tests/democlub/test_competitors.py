"""Competitor members racing our requests at the release instant.

The request's arrival is controlled precisely: the test computes the portal's
clock locally (same host, known offset) and spin-waits to the target instant.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest

from tests.democlub.helpers import SLOT_7AM, fixed_release, portal_day

DAY = dt.date(2031, 3, 12)
LEAD = dt.timedelta(seconds=1.5)  # release this far ahead of "now" in portal time


def _wait_for(condition, what: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} within {timeout:.0f} s")
        time.sleep(0.01)


def _race(democlub, competitor_delay_ms: float, arrive_after_ms: float):
    control = democlub.control
    release = fixed_release(DAY, 8)
    control.add_competitor("202", 5, portal_day(DAY), SLOT_7AM, delay_ms=competitor_delay_ms)
    door = democlub.door("101", "cancha-demo-101")
    [slot] = [s for s in control.schedules(5, portal_day(DAY)) if s["slot"] == SLOT_7AM]
    # The clock is set last: the lead is then spent waiting, not on the set-up calls.
    offset = round(control.set_clock(now=(release - LEAD).isoformat())["offset_ms"] * 1e6)

    def competitor_fired() -> bool:
        return control.competitors()[0]["fired"]

    control.wait_until(slot["opens_at_ns"] + round(arrive_after_ms * 1e6), offset)
    if arrive_after_ms > competitor_delay_ms:
        # Due first: let its booking finish, so that a busy machine cannot
        # reorder the two arrivals the test sets apart.
        _wait_for(competitor_fired, "the competitor did not fire")
    _, reply = door.add_reservation(5, portal_day(DAY), slot["door_id"])
    _wait_for(competitor_fired, "the competitor did not fire")
    attempts = {a["door"]: a for a in control.attempts()}
    return reply, attempts


def test_a_competitor_50ms_after_release_beats_a_request_100ms_after(democlub):
    reply, attempts = _race(democlub, competitor_delay_ms=50, arrive_after_ms=100)
    assert reply["message"].startswith("Su reservación excede la cantidad máxima")
    assert attempts["competitor"]["outcome"] == "success"
    assert 50 <= attempts["competitor"]["ms_after_release"] < 90
    assert attempts["http"]["ms_after_release"] >= 100
    [booking] = democlub.control.reservations()
    assert booking["member"] == "202"


def test_a_competitor_50ms_after_release_loses_to_a_request_at_release(democlub):
    reply, attempts = _race(democlub, competitor_delay_ms=50, arrive_after_ms=0)
    assert reply["success"] is True, reply
    assert 0 <= attempts["http"]["ms_after_release"] < 50
    [fired] = democlub.control.competitors()
    assert fired["fired"] is True
    assert fired["outcome"] == "slot_taken"
    assert attempts["competitor"]["outcome"] == "slot_taken"


def test_a_competitor_whose_moment_has_passed_takes_the_slot_at_once(democlub):
    control = democlub.control
    control.set_clock(now=(fixed_release(DAY, 8) + dt.timedelta(hours=1)).isoformat())
    control.add_competitor("202", 5, portal_day(DAY), SLOT_7AM, delay_ms=50)
    _wait_for(control.reservations, "the competitor booked nothing")
    assert [r["door"] for r in control.reservations()] == ["competitor"]
