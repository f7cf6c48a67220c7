"""The scale scenario of bench/release.py (``--scale``): many members, one instant.

20 members (created through the portal's control API), 20 different slots
(courts 5 and 7 of the demo club) released at one instant, prepared the way
the processor does (one thread per member, a browser pool of
BOOKER_MAX_BROWSERS = 2, browsers released before the wait) and fired
together; see bench/release.py for the runs and the table.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

from _portals import Bench, pct

from booker.engine import (
    BookingEngine,
    BrowserPool,
    Credentials,
    EngineSettings,
    Plan,
    PrepareFailed,
)
from booker.profiles import default_profile
from booker.results import Choice
from democlub.testing import start_portal
from tennisbook.values import TimeSlot

SCALE_COURTS = (5, 7)
SCALE_PREPARE_LIMIT_S = 420.0  # the whole preparation, however slow the host
SCALE_FIRE_LIMIT_S = 240.0


def scale_slots(count: int) -> list[Choice]:
    """``count`` different (court, one-hour slot) pairs, filling court 5 then 7."""
    pairs = [(court, hour) for court in SCALE_COURTS for hour in range(6, 19)][:count]
    return [Choice(court, TimeSlot(clock_time(h), clock_time(h + 1))) for court, h in pairs]


class MemorySampler(threading.Thread):
    """Peak summed RSS and PSS (MB) of this process and its descendants, minus some."""

    def __init__(self, exclude: set[int], interval: float = 0.25):
        super().__init__(daemon=True, name="memory-sampler")
        self.exclude, self.interval = exclude, interval
        self.peak_rss = self.peak_pss = 0.0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            rss = pss = 0
            for pid in self._pids():
                rss_kb, pss_kb = _rollup(pid)
                rss, pss = rss + rss_kb, pss + pss_kb
            self.peak_rss, self.peak_pss = (
                max(self.peak_rss, rss / 1024),
                max(self.peak_pss, pss / 1024),
            )
            self._done.wait(self.interval)

    def stop(self) -> None:
        self._done.set()
        self.join(timeout=5)

    def _pids(self) -> set[int]:
        parents: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                except OSError:
                    continue
                parents[int(entry)] = int(stat.rpartition(")")[2].split()[1])
        found, frontier = {os.getpid()}, [os.getpid()]
        while frontier:
            parent = frontier.pop()
            for pid, ppid in parents.items():
                if ppid == parent and pid not in found and pid not in self.exclude:
                    found.add(pid)
                    frontier.append(pid)
        return found


def _rollup(pid: int) -> tuple[int, int]:
    """(RSS kB, PSS kB) of one process; zeros if it is gone."""
    values = {"Rss:": 0, "Pss:": 0}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            name, _, rest = line.partition(" ")
            if name in values:
                values[name] = int(rest.split()[0])
    except (OSError, ValueError, IndexError):
        pass
    return values["Rss:"], values["Pss:"]


def scale_run(bench: Bench, evidence: Path, *, members: int, pool_size: int,
              paths: tuple[str, ...] | None, launch_bound: int | None,
              clock_share_s: float = 30.0) -> dict:  # fmt: skip
    """One scale release: prepare ``members`` in threads under the pool, fire together."""
    control = bench.control
    for court in SCALE_COURTS:
        control.set_area(court, member_quota=None)
    control.set_clock(offset_ms=random.uniform(-3000, 3000))
    bench.next_day += 5  # past both courts' own release windows
    day = bench.fresh_day()
    choices = scale_slots(members)
    accounts = [Credentials(f"5{i:02d}", f"scale-member-5{i:02d}") for i in range(len(choices))]
    for account in accounts:
        control.add_member(account.username, account.password)
    pool = BrowserPool(pool_size)
    settings = EngineSettings(
        evidence_dir=evidence, paths=paths, retry_window_s=3.0, clock_share_s=clock_share_s
    )
    engine = BookingEngine(default_profile(bench.portal.url), settings, browser_pool=pool)
    launches = threading.BoundedSemaphore(launch_bound) if launch_bound else None
    ready, go, release = threading.Semaphore(0), threading.Event(), []
    results: dict[str, object] = {}

    def member(account: Credentials, choice: Choice) -> None:
        plan = Plan(day, [choice], retry_window_s=3.0, run_id=f"scale-{account.username}")
        try:
            if launches is not None:
                with launches:
                    session = engine.prepare(account, plan, release_browser=True)
            else:
                session = engine.prepare(account, plan, release_browser=True)
        except PrepareFailed as exc:
            results[account.username] = exc.result
            ready.release()
            return
        try:
            ready.release()
            if go.wait(SCALE_PREPARE_LIMIT_S + 30):
                results[account.username] = session.fire(release[0])
        finally:
            session.close()

    sampler = MemorySampler(exclude={bench.portal.process.pid})
    sampler.start()
    threads = [
        threading.Thread(target=member, args=(a, c), daemon=True, name=f"member-{a.username}")
        for a, c in zip(accounts, choices, strict=True)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    # Sessions that keep their browser (browser-only) hold the pool: only
    # that many can be ready before the release; the rest wait for a slot.
    can_submit_over_http = paths is None or set(paths) - {"browser"}
    expected = len(threads) if can_submit_over_http else min(len(threads), pool_size)
    prepared = 0
    while prepared < expected and time.monotonic() - started < SCALE_PREPARE_LIMIT_S:
        if ready.acquire(timeout=1.0):
            prepared += 1
    prepare_s = time.monotonic() - started
    opens = _open_courts(bench, day, 3.0)
    release.append(opens)
    go.set()
    deadline = time.monotonic() + SCALE_FIRE_LIMIT_S
    for thread in threads:
        thread.join(timeout=max(0.1, deadline - time.monotonic()))
    sampler.stop()
    firsts: dict[str, dict] = {}
    for row in control.attempts():
        if row["day"] == day.isoformat() and row["door"] != "competitor":
            first = firsts.get(row["member"])
            if first is None or row["received_ns"] < first["received_ns"]:
                firsts[row["member"]] = row
    booked = sum(1 for r in results.values() if r.outcome.value == "booked")
    # Each member's time in its clock-sync step: probing, or waiting for the shared sync.
    clock_ms = [
        r.to_dict()["timings_ms"]["clock_sync"]
        for r in results.values()
        if "clock_sync" in r.to_dict()["timings_ms"]
    ]
    doors: dict[str, int] = {}
    for row in firsts.values():
        doors[row["door"]] = doors.get(row["door"], 0) + 1
    return {
        "late": [row["ms_after_release"] for row in firsts.values()],
        "booked": booked,
        "members": len(threads),
        "unfinished": sum(t.is_alive() for t in threads),
        "prepared_before_release": prepared,
        "prepare_s": prepare_s,
        "peak_rss": sampler.peak_rss,
        "peak_pss": sampler.peak_pss,
        "peak_browsers": pool.peak,
        "doors": doors,
        "clock_ms": clock_ms,
    }


def _open_courts(bench: Bench, day: date, seconds: float) -> datetime:
    """Both courts' ``day`` opens at one instant, ``seconds`` from now (portal clock)."""
    now = bench.control.clock()["portal_now_ns"] / 1e9
    opens = datetime.fromtimestamp(now + seconds, UTC).replace(microsecond=0)
    opens += timedelta(seconds=1)
    for court in SCALE_COURTS:
        bench.overrides.append(
            {"area": court, "day": day.isoformat(), "opens_at": opens.isoformat()}
        )
    bench.control.patch_config(release_overrides=bench.overrides[-30:])
    return opens


def scale_main(members: int, pool: int) -> int:
    work = Path(tempfile.mkdtemp(prefix="bench-release-scale-"))
    portal = start_portal(work / "democlub", demo=True)
    runs = [
        ("HTTP door allowed (door, replay, browser)", None, pool, None, 30.0),
        ("HTTP door allowed, a clock sync per member", None, pool, None, 0.0),
        (f"browser only, {pool} browsers", ("browser",), pool, None, 30.0),
        (f"browser only, {members} browsers", ("browser",), members, pool, 30.0),
    ]
    rows = []
    try:
        bench = Bench(portal)
        for name, paths, size, bound, share in runs:
            print(f"  {name}: {members} members ...", file=sys.stderr)
            out = scale_run(bench, work / "evidence", members=members, pool_size=size,
                            paths=paths, launch_bound=bound, clock_share_s=share)  # fmt: skip
            print(f"    {out}", file=sys.stderr)
            rows.append((name, out))
    finally:
        portal.stop()
    print()
    print(f"bench/release.py --scale: {members} members, {members} slots, one release "
          f"instant, loopback, {os.cpu_count()} cores")  # fmt: skip
    print(f"{'run':<44}{'booked':>8}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}"
          f"{'ready':>7}{'prep s':>8}{'browsers':>9}{'RSS MB':>9}{'PSS MB':>9}"
          f"{'clock ms':>10}")  # fmt: skip
    for name, out in rows:
        late = out["late"]
        top = max(late) if late else float("nan")
        print(f"{name:<44}{out['booked']:>5}/{out['members']:<2}{pct(late, 0.5):>10.1f}"
              f"{pct(late, 0.95):>10.1f}{top:>10.1f}{out['prepared_before_release']:>7}"
              f"{out['prepare_s']:>8.1f}{out['peak_browsers']:>9}{out['peak_rss']:>9.0f}"
              f"{out['peak_pss']:>9.0f}{pct(out['clock_ms'], 0.5):>10.1f}")  # fmt: skip
    print("late: the portal's receive time of each member's first submit after the release")
    print("(attempt log); ready: members prepared before the release; browsers: peak alive;")
    print("clock ms: median time a member spent in its clock-sync step")
    shared, own = rows[0][1]["clock_ms"], rows[1][1]["clock_ms"]
    if shared and own:
        print(f"clock sync per member, one sync per portal against one each: "
              f"median {pct(shared, 0.5):.1f} ms against {pct(own, 0.5):.1f} ms, "
              f"total {sum(shared) / 1000:.1f} s against {sum(own) / 1000:.1f} s")  # fmt: skip
    for (name, out), target in zip(rows, (100.0, 100.0, 1000.0, 1000.0), strict=True):
        p95 = pct(out["late"], 0.95)
        verdict = "met" if p95 <= target and out["booked"] == out["members"] else "MISSED"
        print(f"target {name}: p95 <= {target:.0f} ms, all booked: {verdict}; "
              f"first submits by door: {out['doors']}")  # fmt: skip
    return 0
