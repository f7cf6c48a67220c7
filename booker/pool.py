"""A bound on the Chromium sessions one process keeps alive (STACK-NOTES: ~380 MB each).

Every browser the engine launches (for preparation, a fallback submit, a
re-login or a verification) takes a slot first and gives it back when that
browser quits. Sessions that can submit over HTTP give their browser back
after preparation (``BookingSession.release_browser``), so a pool of two can
prepare twenty members for one release instant.
"""

from __future__ import annotations

import threading
from typing import Protocol


class BrowserPoolTimeout(TimeoutError):
    """No browser slot came free in time (an ``OSError``: callers treat it as I/O)."""


class _Semaphore(Protocol):
    def acquire(self, blocking: bool = True, timeout: float | None = None) -> bool: ...

    def release(self) -> None: ...


class _Gauge(Protocol):
    def inc(self) -> None: ...

    def dec(self) -> None: ...


class BrowserPool:
    """Slots for live browsers, shared by the threads of one process.

    ``size`` makes a private bound; ``semaphore`` shares one the caller owns
    (e.g. the processor's); neither means unbounded (one-off bookings).
    ``live`` and ``peak`` count browsers of this pool object; ``gauge`` (a
    Prometheus gauge) follows ``live``.
    """

    def __init__(
        self,
        size: int | None = None,
        *,
        semaphore: _Semaphore | None = None,
        gauge: _Gauge | None = None,
    ):
        if size is not None and size < 1:
            raise ValueError("a browser pool needs at least one slot")
        if semaphore is None and size is not None:
            semaphore = threading.BoundedSemaphore(size)
        self.size = size
        self._semaphore = semaphore
        self._gauge = gauge
        self._lock = threading.Lock()
        self.live = 0
        self.peak = 0

    def acquire(self, timeout: float | None = None) -> None:
        """Take a slot, waiting up to ``timeout`` seconds (None: forever)."""
        if self._semaphore is not None and not self._semaphore.acquire(timeout=timeout):
            raise BrowserPoolTimeout(f"no browser slot came free within {timeout:.0f} s")
        with self._lock:
            self.live += 1
            self.peak = max(self.peak, self.live)
        if self._gauge is not None:
            self._gauge.inc()

    def release(self) -> None:
        with self._lock:
            if self.live <= 0:
                raise RuntimeError("released a browser slot that was not taken")
            self.live -= 1
        if self._gauge is not None:
            self._gauge.dec()
        if self._semaphore is not None:
            self._semaphore.release()


def as_pool(pool: BrowserPool | _Semaphore | None) -> BrowserPool:
    """A ``BrowserPool`` from what a caller passed (a pool, a semaphore, or nothing)."""
    if isinstance(pool, BrowserPool):
        return pool
    return BrowserPool(semaphore=pool)
