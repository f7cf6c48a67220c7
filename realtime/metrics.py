"""Prometheus metrics of the live sockets (docs/realtime.md).

Sockets live in the web processes and events are published from every
process, so each metric is written per process and added up by ``/metrics``
(``PROMETHEUS_MULTIPROC_DIR``, as the pipeline's metrics).
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

OPEN_SOCKETS = Gauge(
    "tennisbook_live_sockets",
    "Live sockets open now.",
    multiprocess_mode="livesum",
)
CONNECTS = Counter(
    "tennisbook_live_connects_total",
    "Socket handshakes, by outcome (accepted, unauthenticated, origin).",
    ["outcome"],
)
DISCONNECTS = Counter("tennisbook_live_disconnects_total", "Accepted sockets that closed.")
EVENTS_PUBLISHED = Counter(
    "tennisbook_live_events_published_total", "Events published to a stream, by kind.", ["kind"]
)
EVENTS_SENT = Counter(
    "tennisbook_live_events_sent_total",
    "Events sent down a socket, by how (live, replay).",
    ["how"],
)
RELOADS = Counter(
    "tennisbook_live_reloads_total", "Resumes too old for the log: the page reloaded its data."
)
EVENT_LATENCY = Histogram(
    "tennisbook_live_event_latency_ms",
    "From publishing an event to sending it down a socket (live events only).",
    buckets=(0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000),
)
