"""The portal's clock, seen through ``Date`` headers (1 s resolution).

A reply whose ``Date`` says second ``D`` was stamped at some portal instant
in ``[D, D+1)``, and that instant lies between our send and our receipt. So
each probe bounds the offset (portal minus local clock)::

    D - received  <=  offset  <  D + 1 - sent

One probe pins the offset to about a second. The trick is to time probes so
that the portal's clock *crosses a second boundary* while they are in flight:
a probe answered with ``D = k-1`` tightens the upper bound, one answered
with ``D = k`` the lower. Spreading a few probes across the boundary's
uncertainty each round divides the interval by (probes + 1); three or four
rounds bring it to the round-trip time. Intersecting all bounds is exact
(no averaging) as long as the clocks do not jump during the sync.

The probes' round trip includes the server's work on the probed page, which
a submit's arrival does not wait for (the portal stamps a request when it
arrives). So the network's own round trip is measured apart: on a probe URL
the profile declares static (answered at once, ``clock.static``), the
fastest probe; otherwise the TCP connect, one SYN/SYN-ACK round trip that
no server work can lengthen. Half of it is the one-way time a submit is
sent ahead by; the rest of the probes' time is reported as server work.
"""

from __future__ import annotations

import dataclasses
import math
import statistics
import threading
import time
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

from .rawhttp import Connection, Target, TransportError, build_request

NS = 1_000_000_000


@dataclass
class ClockEstimate:
    """Portal clock minus local clock, its uncertainty, and the round trips.

    ``offset_ns`` is the middle of the interval the probes allow; the portal's
    clock is within ``uncertainty_ns`` of it either way. ``rtt_ns`` is the
    probes' median round trip (server work included); ``network_rtt_ns``
    the network's alone (see the module docstring); None means not measured,
    and the probes' round trip stands in for it.
    """

    offset_ns: int
    uncertainty_ns: int
    rtt_ns: int
    probes: int
    sync_ms: float = 0.0
    fastest_rtt_ns: int = 0  # the quickest probe's round trip
    network_rtt_ns: int | None = None
    network_source: str = "probes"  # "static" probes, the TCP "connect", or all "probes"
    shared: bool = False  # another session's sync, handed over (``SharedClocks``)

    @property
    def one_way_ns(self) -> int:
        """How long a request takes to reach the portal: half the network's round trip."""
        rtt = self.rtt_ns if self.network_rtt_ns is None else self.network_rtt_ns
        return rtt // 2

    def local_for(self, portal_ns: int) -> int:
        """The local clock reading at which the portal's clock shows ``portal_ns``."""
        return portal_ns - self.offset_ns

    def send_at(self, portal_ns: int, arrive_after_ns: int = 0) -> int:
        """The local instant to send so that arrival is never before ``portal_ns``.

        Aims ``arrive_after_ns`` plus the offset's own uncertainty after it: if
        the portal's clock is as far ahead as the probes allow, the request
        still arrives on time; if it is behind, it arrives up to twice the
        uncertainty late. Early would cost a "not yet open" and a retry.
        """
        return self.local_for(portal_ns) + arrive_after_ns + self.uncertainty_ns - self.one_way_ns

    def to_dict(self) -> dict:
        network = self.rtt_ns if self.network_rtt_ns is None else self.network_rtt_ns
        return {
            "offset_ms": round(self.offset_ns / 1e6, 2),
            "uncertainty_ms": round(self.uncertainty_ns / 1e6, 2),
            "rtt_ms": round(self.rtt_ns / 1e6, 3),
            "network_rtt_ms": round(network / 1e6, 3),
            "network_from": self.network_source,
            "server_ms": round(max(self.rtt_ns - network, 0) / 1e6, 2),
            "probes": self.probes,
            "sync_ms": self.sync_ms,
            "shared": self.shared,
        }


@dataclass
class OffsetEstimator:
    """Intersects the bounds given by each (sent, received, Date second) probe."""

    low: float = -math.inf
    high: float = math.inf
    rtts: list[int] = field(default_factory=list)
    count: int = 0

    def add(self, sent_ns: int, received_ns: int, date_s: int) -> None:
        low = date_s * NS - received_ns
        high = (date_s + 1) * NS - sent_ns
        self.rtts.append(received_ns - sent_ns)
        self.count += 1
        if low > self.high or high < self.low:
            # Inconsistent with what we knew: a clock stepped. Start over from here.
            self.low, self.high = low, high
            return
        self.low, self.high = max(self.low, low), min(self.high, high)

    @property
    def known(self) -> bool:
        return math.isfinite(self.low) and math.isfinite(self.high)

    @property
    def width_ns(self) -> float:
        return self.high - self.low

    @property
    def offset_ns(self) -> int:
        return round((self.low + self.high) / 2)

    @property
    def rtt_ns(self) -> int:
        return round(statistics.median(self.rtts)) if self.rtts else 0

    @property
    def fastest_ns(self) -> int:
        return min(self.rtts) if self.rtts else 0

    def estimate(self, sync_ms: float = 0.0) -> ClockEstimate:
        return ClockEstimate(
            self.offset_ns,
            round(self.width_ns / 2),
            self.rtt_ns,
            self.count,
            sync_ms,
            fastest_rtt_ns=self.fastest_ns,
        )

    def schedule(self, now_ns: int, probes: int, lead_ns: int = 30_000_000) -> list[int]:
        """Local send instants that straddle the next portal second boundary."""
        rtt = self.rtt_ns
        k = math.ceil((now_ns + self.high + lead_ns + rtt) / NS)
        start = k * NS - self.high
        step = self.width_ns / probes
        return [round(start + (i + 0.5) * step - rtt / 2) for i in range(probes)]


Probe = Callable[[int], tuple[int, int, int] | None]


class SharedClocks:
    """One clock estimate per portal for the sessions that prepare together.

    The members of one release instant prepare side by side, and each used
    to spend seconds probing the same portal for the same answer.
    ``estimate(key, sync, max_age_s)`` runs ``sync`` once per key and hands
    its estimate to every caller within ``max_age_s`` of it; a caller that
    comes while a sync runs waits for that one instead of starting its own.
    An older estimate is synced again, so a later release (or a retry closer
    to the instant) gets a fresh one; a sync that raises keeps nothing, and
    the next caller tries again. A handed-over copy says ``shared`` and its
    ``sync_ms`` is the time this caller waited, not the sync's.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[Hashable, list] = {}  # key → [lock, estimate, synced at]

    def estimate(
        self, key: Hashable, sync: Callable[[], ClockEstimate], max_age_s: float
    ) -> ClockEstimate:
        if max_age_s <= 0:
            return sync()
        with self._lock:
            entry = self._entries.setdefault(key, [threading.Lock(), None, 0.0])
        started = time.perf_counter()
        with entry[0]:
            kept, synced_at = entry[1], entry[2]
            if kept is not None and time.monotonic() - synced_at <= max_age_s:
                waited = round((time.perf_counter() - started) * 1000, 1)
                return dataclasses.replace(kept, shared=True, sync_ms=waited)
            fresh = sync()
            entry[1], entry[2] = fresh, time.monotonic()
            return fresh

    def forget(self) -> None:
        with self._lock:
            self._entries.clear()


def synchronize(
    probe: Probe,
    *,
    clock: Callable[[], int] = time.time_ns,
    per_round: int = 6,
    max_rounds: int = 6,
    target_ns: int = 2_000_000,
    parallel: Callable[[list[int]], list] | None = None,
) -> ClockEstimate:
    """Run probes until the offset is known to ``target_ns`` (or rounds run out).

    ``probe(send_at_ns)`` waits until ``send_at_ns``, sends, and returns
    ``(sent_ns, received_ns, date_second)`` or None. ``parallel(instants)``
    runs several probes at once (default: one after another).
    """
    started = time.perf_counter_ns()
    estimator = OffsetEstimator()
    run = parallel or (lambda instants: [probe(t) for t in instants])
    for first in run([clock(), clock()]):
        if first is not None:
            estimator.add(*first)
    if not estimator.known:
        raise TransportError("the portal answered no clock probe with a Date header")
    for _ in range(max_rounds):
        if estimator.width_ns <= target_ns:
            break
        for answer in run(estimator.schedule(clock(), per_round)):
            if answer is not None:
                estimator.add(*answer)
    return estimator.estimate(round((time.perf_counter_ns() - started) / 1e6, 1))


class HttpClock:
    """Clock probes over HTTP, each on a pre-opened socket.

    ``path``/``method``: what to probe (the profile's ``clock``: ideally a
    static file, answered at once; else the login page). ``static``: that
    request involves no server work, so its fastest round trip is the
    network's; otherwise the TCP connects are timed for it.
    """

    def __init__(
        self,
        base_url: str,
        path: str = "/",
        timeout: float = 5.0,
        *,
        method: str = "GET",
        static: bool = False,
    ):
        self.target = Target.of(base_url)
        # A cache in front of a static file would answer with a stored Date.
        self.request = build_request(
            self.target, method, path, headers={"Cache-Control": "no-cache"}
        )
        self.timeout = timeout
        self.static = static
        self.connects: list[int] = []

    def _connect(self) -> Connection:
        conn = Connection(self.target, self.timeout)
        self.connects.append(conn.connect_ns)
        return conn

    def probe(self, send_at_ns: int, connection: Connection | None = None):
        conn = connection or self._connect()
        while (remaining := send_at_ns - time.time_ns()) > 0:
            time.sleep(min(remaining / 1e9, 0.5))
        try:
            response = conn.read(conn.send(self.request))
        except TransportError:
            return None
        date = response.header("date")
        if not date or response.header("age").strip() not in ("", "0"):
            return None  # no Date, or a cached answer whose Date is the cache's past
        try:
            second = int(parsedate_to_datetime(date).timestamp())
        except (TypeError, ValueError):
            return None
        return response.sent_ns, response.first_byte_ns or response.received_ns, second

    def parallel(self, instants: list[int]) -> list:
        """Probe at each instant, concurrently, each on a connection opened beforehand."""
        connections = []
        try:
            for _ in instants:
                connections.append(self._connect())
        except TransportError:
            for conn in connections:
                conn.close()
            raise
        with ThreadPoolExecutor(max_workers=len(instants)) as pool:
            return list(pool.map(self.probe, instants, connections))

    def sync(self, per_round: int = 6, target_ns: int = 2_000_000) -> ClockEstimate:
        estimate = synchronize(
            self.probe, per_round=per_round, target_ns=target_ns, parallel=self.parallel
        )
        if self.static:
            estimate.network_rtt_ns, estimate.network_source = estimate.fastest_rtt_ns, "static"
        elif self.connects:
            estimate.network_rtt_ns = min(self.connects)
            estimate.network_source = "connect"
        return estimate
