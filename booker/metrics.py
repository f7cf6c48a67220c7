"""Prometheus metrics of the booking pipeline, labelled by club.

Workers and the web server are separate processes: with
``PROMETHEUS_MULTIPROC_DIR`` set (``make run`` sets it), every process writes
its samples there and ``/metrics`` on the web server adds them up.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

_LATENCY_MS = (1, 2, 5, 10, 20, 30, 50, 100, 200, 500, 1000, 2000, 5000, 10000)

ATTEMPTS = Counter(
    "tennisbook_booking_attempts_total",
    "Submits sent to the portal, by club and path.",
    ["club", "path"],
)
OUTCOMES = Counter(
    "tennisbook_booking_outcomes_total",
    "Finished booking runs, by club and outcome.",
    ["club", "outcome"],
)
RELEASE_TO_SUBMIT = Histogram(
    "tennisbook_release_to_submit_ms",
    "How long after the release instant the first submit left (portal clock), by club.",
    ["club"],
    buckets=_LATENCY_MS,
)
RELEASE_TO_CONFIRMATION = Histogram(
    "tennisbook_release_to_confirmation_ms",
    "From the release instant to the portal's success reply, by club.",
    ["club"],
    buckets=_LATENCY_MS,
)
CLOCK_OFFSET = Gauge(
    "tennisbook_portal_clock_offset_ms",
    "Last measured offset of the club portal's clock against ours.",
    ["club"],
    multiprocess_mode="mostrecent",
)
LIVE_BROWSERS = Gauge(
    "tennisbook_live_browsers", "Chromium sessions open now.", multiprocess_mode="livesum"
)
DUE_REQUESTS = Gauge(
    "tennisbook_due_requests",
    "Pending requests within the lead window at the last sweep, by club.",
    ["club"],
    multiprocess_mode="mostrecent",
)
_due_clubs: set[str] = set()
OUTBOX_DEPTH = Gauge(
    "tennisbook_outbox_depth",
    "Status writes waiting for DynamoDB.",
    multiprocess_mode="mostrecent",
)
OUTBOX_QUARANTINED = Gauge(
    "tennisbook_outbox_quarantined",
    "Status writes that kept failing, set aside for an operator (manage.py outbox).",
    multiprocess_mode="mostrecent",
)
RESULTS_SUPERSEDED = Counter(
    "tennisbook_results_superseded_total",
    "Engine results not recorded because the request had moved on (another worker, a cancel).",
)


def set_due(counts: dict[str, int]) -> None:
    """The sweep's due requests per club; a club with none drops to 0, not stale."""
    for club in _due_clubs - set(counts):
        DUE_REQUESTS.labels(club).set(0)
    for club, count in counts.items():
        DUE_REQUESTS.labels(club).set(count)
    _due_clubs.update(counts)


def observe(result: dict, *, club: str) -> None:
    """Record one finished run at ``club`` from its stored result."""
    OUTCOMES.labels(club, result.get("outcome", "unknown")).inc()
    attempts = result.get("attempts") or []
    for attempt in attempts:
        ATTEMPTS.labels(club, attempt.get("path", "unknown")).inc()
    if attempts:
        RELEASE_TO_SUBMIT.labels(club).observe(
            max(0.0, float(attempts[0].get("ms_after_release", 0.0)))
        )
    confirmation_ms = result.get("release_to_confirmation_ms")
    if confirmation_ms is not None:
        RELEASE_TO_CONFIRMATION.labels(club).observe(float(confirmation_ms))
    clock = result.get("clock") or {}
    if clock.get("offset_ms") is not None:
        CLOCK_OFFSET.labels(club).set(float(clock["offset_ms"]))


PREFLIGHTS = Counter(
    "tennisbook_preflight_checks_total",
    "Pre-flight checks finished, by club, stage (day, final) and what they found.",
    ["club", "stage", "state"],
)
