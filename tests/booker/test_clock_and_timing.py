"""Clock offset from 1-second Date headers, against a simulated portal; precise waits."""

from __future__ import annotations

import random

import pytest

from booker.clock import NS, OffsetEstimator, synchronize
from booker.timing import Stopwatch, wait_until


class FakeNetwork:
    """A portal whose clock is ``offset_ns`` ahead, reached with jittery delays."""

    def __init__(self, offset_ns: int, rtt_ns: int = 40_000_000, seed: int = 1):
        self.offset_ns, self.rtt_ns = offset_ns, rtt_ns
        self.now = 1_700_000_000_123_456_789
        self.random = random.Random(seed)
        self.calls = 0

    def clock(self) -> int:
        return self.now

    def probe(self, send_at: int):
        self.calls += 1
        sent = max(send_at, self.now)
        out = round(self.rtt_ns / 2 * self.random.uniform(0.6, 1.4))
        back = round(self.rtt_ns / 2 * self.random.uniform(0.6, 1.4))
        stamped = sent + out + self.offset_ns
        self.now = sent + out + back
        return sent, self.now, stamped // NS


@pytest.mark.parametrize("offset_ms", [0, 3_456.789, -2_789.321, 59_999.5])
def test_the_offset_is_found_within_the_round_trip(offset_ms):
    network = FakeNetwork(round(offset_ms * 1e6))
    estimate = synchronize(network.probe, clock=network.clock, per_round=6, target_ns=2_000_000)
    error_ms = (estimate.offset_ns - network.offset_ns) / 1e6
    assert abs(error_ms) <= estimate.uncertainty_ns / 1e6 + 0.001
    assert estimate.uncertainty_ns / 1e6 <= 40  # bounded by the round trip, not by 1 s
    assert network.calls <= 2 + 6 * 6


def test_bounds_from_one_probe_span_about_a_second():
    estimator = OffsetEstimator()
    estimator.add(10 * NS, 10 * NS + 2_000_000, 15)
    assert estimator.low == 5 * NS - 2_000_000
    assert estimator.high == 6 * NS
    assert estimator.width_ns == NS + 2_000_000


def test_a_stepped_clock_restarts_the_estimate_instead_of_failing():
    estimator = OffsetEstimator()
    estimator.add(10 * NS, 10 * NS + 1_000, 15)
    estimator.add(20 * NS, 20 * NS + 1_000, 40)  # portal clock jumped by 15 s
    assert estimator.low <= estimator.high
    assert 19 * NS < estimator.offset_ns < 21 * NS


def test_wait_until_sleeps_coarsely_then_spins_to_the_instant():
    now = [0]
    sleeps = []

    def clock():
        now[0] += 1_000  # every reading costs 1 µs
        return now[0]

    def sleep(seconds):
        sleeps.append(seconds)
        now[0] += round(seconds * 1e9)

    reached = wait_until(3 * NS, clock=clock, sleep=sleep)
    assert 3 * NS <= reached <= 3 * NS + 2_000
    # At most a second per sleep, the last one ending 15 ms (SPIN_NS) before
    # the instant; those 15 ms are spun, one clock reading at a time.
    assert sleeps[:2] == [1.0, 1.0]
    assert sleeps[2:] == [pytest.approx(1.0 - 0.015, abs=1e-5)]


def test_the_stopwatch_times_steps_in_milliseconds():
    watch = Stopwatch()
    with watch.step("login", court=5):
        pass
    with pytest.raises(RuntimeError), watch.step("submit"):
        raise RuntimeError
    assert watch.steps[0]["step"] == "login"
    assert watch.steps[0]["court"] == 5
    assert watch.steps[0]["ms"] >= 0
    assert watch.steps[1]["error"] == "RuntimeError"
