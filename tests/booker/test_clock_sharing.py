"""SharedClocks: one clock sync of a portal for the sessions that prepare together."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from booker.clock import ClockEstimate, SharedClocks


class Portal:
    """A sync that counts its calls and takes a while, as probing a portal does."""

    def __init__(self, seconds: float = 0.2):
        self.calls = 0
        self.seconds = seconds
        self.lock = threading.Lock()

    def sync(self) -> ClockEstimate:
        with self.lock:
            self.calls += 1
            offset = self.calls * 1_000_000
        time.sleep(self.seconds)
        return ClockEstimate(offset, 500_000, 2_000_000, 12, sync_ms=self.seconds * 1000)


def test_members_preparing_together_share_one_sync():
    clocks, portal = SharedClocks(), Portal()

    with ThreadPoolExecutor(6) as threads:
        found = list(threads.map(lambda _: clocks.estimate("club", portal.sync, 30.0), range(6)))

    assert portal.calls == 1
    assert {e.offset_ns for e in found} == {1_000_000}
    assert sorted(e.shared for e in found) == [False] + [True] * 5
    # A handed-over copy says how long its member waited, not the sync's time.
    assert all(e.sync_ms <= 300 for e in found if e.shared)
    assert [e.to_dict()["shared"] for e in found].count(True) == 5


def test_an_estimate_older_than_its_age_is_synced_again():
    clocks, portal = SharedClocks(), Portal(seconds=0)
    first = clocks.estimate("club", portal.sync, 0.05)
    time.sleep(0.1)
    second = clocks.estimate("club", portal.sync, 0.05)

    assert (first.shared, second.shared, portal.calls) == (False, False, 2)
    assert second.offset_ns == 2_000_000


def test_each_portal_has_its_own_and_an_age_of_zero_shares_nothing():
    clocks, portal = SharedClocks(), Portal(seconds=0)
    clocks.estimate("north", portal.sync, 30.0)
    clocks.estimate("south", portal.sync, 30.0)
    clocks.estimate("north", portal.sync, 0)
    clocks.estimate("north", portal.sync, 0)

    assert portal.calls == 4


def test_a_failed_sync_keeps_nothing_and_the_next_member_tries_again():
    clocks, portal = SharedClocks(), Portal(seconds=0)

    def unreachable() -> ClockEstimate:
        raise OSError("connection refused")

    with pytest.raises(OSError, match="connection refused"):
        clocks.estimate("club", unreachable, 30.0)
    found = clocks.estimate("club", portal.sync, 30.0)

    assert (found.shared, portal.calls) == (False, 1)
