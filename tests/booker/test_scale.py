"""Many members at one instant: prepared under a small browser pool, fired over HTTP.

The live tests prepare a few members with a pool of one browser, give the
browsers back, and fire together at a release a few seconds ahead; the
figures for twenty members are in ``bench/release.py --scale``.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from booker.engine import (
    BookingEngine,
    BrowserPool,
    BrowserPoolTimeout,
    Credentials,
    EngineSettings,
)
from booker.profiles import default_profile
from booker.results import Outcome
from tennisbook.values import TimeSlot

from .conftest import SLOT_7, member_attempts, open_soon, plan_for

SLOTS = [TimeSlot.parse(f"De {h:02d}:00 AM a {h + 1:02d}:00 AM") for h in (7, 8, 9, 10)]


def make_engine(portal, tmp_path, pool: BrowserPool, **settings) -> BookingEngine:
    settings.setdefault("evidence_dir", tmp_path / "evidence")
    settings.setdefault("clock_target_ms", 8.0)
    settings.setdefault("clock_probes_per_round", 8)
    return BookingEngine(default_profile(portal.url), EngineSettings(**settings), pool)


def add_members(portal, count: int) -> list[Credentials]:
    members = [Credentials(str(301 + i), f"scale-{301 + i}") for i in range(count)]
    for member in members:
        portal.control.add_member(member.username, member.password)
    return members


def prepare_all(engine, members, day) -> list:
    """Prepare every member at once, as the processor's batch threads do."""
    with ThreadPoolExecutor(len(members)) as threads:
        futures = [
            threads.submit(engine.prepare, m, plan_for(day, (5, slot)), release_browser=True)
            for m, slot in zip(members, SLOTS, strict=False)
        ]
    return [f.result() for f in futures]


def fire_all(sessions, release_at, pool: BrowserPool) -> tuple[list, int]:
    """Fire every session in its own thread; the most browsers alive meanwhile."""
    most, done = 0, threading.Event()

    def watch() -> None:
        nonlocal most
        while not done.is_set():
            most = max(most, pool.live)
            time.sleep(0.01)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        with ThreadPoolExecutor(len(sessions)) as threads:
            results = list(threads.map(lambda s: s.fire(release_at), sessions))
    finally:
        done.set()
        watcher.join()
        for session in sessions:
            session.close()
    return results, most


def test_a_browser_pool_bounds_and_counts_live_browsers():
    pool = BrowserPool(1)
    pool.acquire()
    assert (pool.live, pool.peak) == (1, 1)
    with pytest.raises(BrowserPoolTimeout):
        pool.acquire(timeout=0.05)
    pool.release()
    pool.acquire(timeout=0.05)
    pool.release()
    assert (pool.live, pool.peak) == (0, 1)
    with pytest.raises(RuntimeError):
        pool.release()


def test_a_shared_semaphore_is_the_bound_across_pools():
    shared = threading.BoundedSemaphore(1)
    first, second = BrowserPool(semaphore=shared), BrowserPool(semaphore=shared)
    first.acquire()
    with pytest.raises(BrowserPoolTimeout):
        second.acquire(timeout=0.05)
    first.release()
    second.acquire(timeout=0.05)
    second.release()


@pytest.mark.browser
def test_members_prepared_with_one_browser_fire_together_without_a_browser(
    democlub, demo_day, tmp_path
):
    day, _ = demo_day
    members = add_members(democlub, 4)
    pool = BrowserPool(1)
    sessions = prepare_all(make_engine(democlub, tmp_path, pool), members, day)

    assert pool.peak == 1
    assert pool.live == 0
    assert all(s.browser is None and s.released for s in sessions)
    # One clock sync of the portal for all four: the others took its estimate.
    assert sorted(s.clock.shared for s in sessions) == [False, True, True, True]
    assert len({s.clock.offset_ns for s in sessions}) == 1
    results, most_alive = fire_all(sessions, open_soon(democlub, day, 3.0), pool)

    assert most_alive == 0  # waited, submitted over the door, verified through its list
    for member, slot, result in zip(members, SLOTS, results, strict=True):
        assert result.outcome == Outcome.BOOKED, result.to_dict()
        assert result.verified
        assert result.attempts[-1].path == "door"
        assert result.choice == {"court": 5, "slot": slot.label}
        booked = democlub.control.reservations(member=member.username)
        assert [r["slot"] for r in booked] == [slot.label]
    outcomes = [a["outcome"] for a in member_attempts(democlub)]
    assert outcomes.count("success") == 4
    assert set(outcomes) <= {"success", "not_open"}


@pytest.mark.browser
def test_a_closed_door_at_the_instant_falls_back_to_a_browser_under_the_pool(
    democlub, demo_day, tmp_path
):
    day, _ = demo_day
    members = add_members(democlub, 2)
    pool = BrowserPool(1)
    engine = make_engine(democlub, tmp_path, pool, paths=("door", "browser"))
    sessions = prepare_all(engine, members, day)
    assert pool.live == 0
    democlub.control.patch_config(http_door=False)  # the door answers 404 from now on

    results, most_alive = fire_all(sessions, open_soon(democlub, day, 3.0), pool)

    assert most_alive == 1
    assert (pool.live, pool.peak) == (0, 1)
    for result in results:
        assert result.outcome == Outcome.BOOKED, result.to_dict()
        assert result.verified
        assert [a.path for a in result.attempts][-1] == "browser"
        assert "door" in result.detail  # the note saying why the door was left
    assert [a["door"] for a in member_attempts(democlub) if a["outcome"] == "success"] == [
        "web",
        "web",
    ]


@pytest.mark.browser
def test_a_browser_only_profile_keeps_its_browser_and_its_slot(democlub, demo_day, tmp_path):
    day, _ = demo_day
    pool = BrowserPool(1)
    engine = make_engine(democlub, tmp_path, pool, paths=("browser",))
    session = engine.prepare(
        Credentials("101", "cancha-demo-101"), plan_for(day, (5, SLOT_7)), release_browser=True
    )
    try:
        assert session.browser is not None
        assert not session.release_browser()
        assert pool.live == 1
    finally:
        session.close()
    assert pool.live == 0
