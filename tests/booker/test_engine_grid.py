"""The engine on the grid portal only: what its pages ask of a client that the condo's do not.

Each form page issues a new page token and only the newest is accepted; the
booking's ``end_time`` is set by the page's script from the chosen start; the
member's list is an empty table that the script fills a moment after load.
The scenarios both portals share are in test_engine_live.py.
"""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from booker.engine import Plan
from booker.results import Choice, Outcome
from tennisbook.values import TimeSlot

from .live_portals import LivePortal

pytestmark = pytest.mark.browser

NINETY_MINUTES = {"start": "07:00", "end": "22:00", "minutes": 90}


@pytest.fixture
def grid(gridclub, tmp_path) -> LivePortal:
    """The grid portal, reset for the test."""
    return LivePortal.of("grid", gridclub, tmp_path / "evidence")


@pytest.mark.parametrize("path", ["replay", "browser"])
def test_another_courts_submit_carries_the_newest_page_token_and_its_own_end_time(grid, path):
    # Court 2 has 90-minute slots: its 7:00 AM booking must end at 8:30 AM.
    grid.control.set_area(2, slots=NINETY_MINUTES)
    day = grid.day - timedelta(days=2)  # open on every court by the 7-day rule
    long_slot = TimeSlot(time(7), time(8, 30))
    first = Choice(1, grid.slots[0])
    plan = Plan(day, [first, Choice(2, long_slot)], retry_window_s=3.0)
    # Preparing opens court 2's form, then court 1's: court 2's token is stale by then.
    session = grid.engine(paths=(path,)).prepare(grid.credentials(), plan)
    try:
        grid.book_as(*grid.add_rival(), first.slot, day=day, court=1)
        result = session.fire(grid.soon())
    finally:
        session.close()
    assert result.outcome == Outcome.BOOKED, result.to_dict()
    assert result.verified
    assert result.choice == {"court": 2, "slot": long_slot.label}
    # Neither refused as an expired page (a stale token) nor as a wrong end time.
    assert [a["outcome"] for a in grid.attempts()] == ["slot_taken", "success"]
    [held] = grid.held()
    assert (held["area"], held["slot"]) == (2, "7:00 AM")


def test_a_booking_already_held_is_found_though_the_list_arrives_late(grid):
    first, _ = grid.slots
    grid.open_soon(-5.0)
    grid.book_as(*grid.spec.member, first)
    # The list's rows come from a fetch the page starts 150 ms after load;
    # 400 ms of server work each make an early read see an empty table.
    grid.control.patch_config(latency_ms=400)
    session = grid.engine().prepare(grid.credentials(), grid.plan(first))
    try:
        result = session.fire(grid.soon())
    finally:
        session.close()
    assert result.outcome == Outcome.ALREADY_BOOKED, result.to_dict()
    assert result.confirmation["reservation_id"] == str(grid.held()[0]["id"])
    assert [a["outcome"] for a in grid.attempts()] == ["success"]  # book_as's own


def test_a_booking_is_verified_in_the_list_once_it_has_loaded(grid):
    first, _ = grid.slots
    grid.control.patch_config(latency_ms=400)
    session = grid.engine().prepare(grid.credentials(), grid.plan(first))
    try:
        result = session.fire(grid.open_soon(2.0))
    finally:
        session.close()
    assert result.outcome == Outcome.BOOKED, result.to_dict()
    assert result.verified
    assert result.confirmation["reservation_id"] == str(grid.held()[0]["id"])
