"""Waiting for an instant: sleep coarsely, then spin the last milliseconds.

``time.sleep`` on a busy 2-core host can overshoot by a few milliseconds, so
the wait sleeps until ``spin_ns`` before the target and then polls the clock
in a tight loop. Clock and sleep are injectable for tests.
"""

from __future__ import annotations

import time
from collections.abc import Callable

SPIN_NS = 15_000_000  # spin the last 15 ms
MAX_SLEEP_S = 1.0  # re-check the clock at least every second while sleeping


def wait_until(
    target_ns: int,
    *,
    clock: Callable[[], int] = time.time_ns,
    sleep: Callable[[float], None] = time.sleep,
    spin_ns: int = SPIN_NS,
) -> int:
    """Block until ``clock() >= target_ns``; returns the clock reading then."""
    while True:
        remaining = target_ns - clock()
        if remaining <= spin_ns:
            break
        sleep(min((remaining - spin_ns) / 1e9, MAX_SLEEP_S))
    while (now := clock()) < target_ns:
        pass
    return now


def ms(ns: int | float) -> float:
    """Nanoseconds as milliseconds, rounded to 0.01 ms for storage."""
    return round(ns / 1e6, 2)


# ``listener(name, state, extra)``: told of each step as it starts ("started")
# and ends ("done" or "error"), and of each ``mark``; it must be quick and
# never raise (the site's publishes from a thread of its own).
StepListener = Callable[[str, str, dict], None]


class Stopwatch:
    """Times named steps in milliseconds: ``with watch.step("login"): ...``.

    A ``listener`` hears each step as it happens (the member's live
    timeline); without one the stopwatch only records.
    """

    def __init__(self, listener: StepListener | None = None) -> None:
        self.steps: list[dict] = []
        self.listener = listener

    def step(self, name: str, **extra) -> _Step:
        return _Step(self, name, extra)

    def record(self, name: str, elapsed_ns: int, *, detail: str = "", **extra) -> None:
        """Keep a step's timing; ``detail`` (what went wrong) goes to the listener only."""
        entry = {"step": name, "ms": ms(elapsed_ns), **extra}
        self.steps.append(entry)
        told = {**entry, "detail": detail} if detail else entry
        self.tell(name, "error" if "error" in extra else "done", told)

    def mark(self, name: str, **extra) -> None:
        """Tell the listener of a moment that takes no time (a reply read); nothing recorded."""
        self.tell(name, "done", extra)

    def tell(self, name: str, state: str, extra: dict) -> None:
        if self.listener is not None:
            self.listener(name, state, dict(extra))


class _Step:
    def __init__(self, watch: Stopwatch, name: str, extra: dict):
        self.watch, self.name, self.extra = watch, name, dict(extra)

    def __enter__(self) -> _Step:
        self.watch.tell(self.name, "started", self.extra)
        self.start = time.perf_counter_ns()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        elapsed, detail = time.perf_counter_ns() - self.start, ""
        if exc_type is not None:
            self.extra.setdefault("error", exc_type.__name__)
            # The member's live timeline shows what went wrong (the portal's
            # words for a refused login); the stored timings keep only the type.
            detail = str(getattr(exc, "message", None) or exc)[:300]
        self.watch.record(self.name, elapsed, detail=detail, **self.extra)
