"""The booking processor: what a Celery worker does with due requests.

For each request: take it with a lease (one worker per request), decrypt
the member's credentials once, prepare the engine ahead of the release,
fire at the release instant, and record the outcome as the request's final
status, conditioned on still holding the lease. Requests that share a
release instant run side by side in one batch; live browsers are bounded
per process. If DynamoDB is down when the result is ready, the write waits
in the outbox; the attempt itself never depends on DynamoDB once prepared.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import structlog
from django.conf import settings

from bookings import leases
from bookings.choices import ACTIVE_STATUSES, RequestStatus
from bookings.dynamo import BookingRequest
from bookings.errors import TransitionRefused
from bookings.lifecycle import FailureReason
from bookings.repositories import BookingRequestRepository
from configs.crypto import CryptoError
from tennisbook.dynamo import DataError, Unavailable
from tennisbook.values import InvalidValue

from . import metrics, outbox
from .engine import BookingEngine, BrowserPool, EngineSettings, Plan, PrepareFailed
from .results import BookingResult, Choice, Outcome
from .sources import load_credentials, load_profile

log = structlog.get_logger(__name__)
requests_repo = BookingRequestRepository()

_browsers = threading.BoundedSemaphore(settings.BOOKER_MAX_BROWSERS)

REASONS = {
    Outcome.NOT_OPEN: FailureReason.NOT_OPEN,
    Outcome.SLOT_TAKEN: FailureReason.SLOT_TAKEN,
    Outcome.QUOTA: FailureReason.QUOTA,
    Outcome.LOGIN_FAILED: FailureReason.BAD_CREDENTIALS,
    Outcome.PORTAL_ERROR: FailureReason.PORTAL_ERROR,
    Outcome.UNVERIFIED: FailureReason.UNVERIFIED,
    Outcome.UNKNOWN: FailureReason.UNKNOWN,
    Outcome.ERROR: FailureReason.ENGINE_ERROR,
}


def worker_id() -> str:
    """Names this worker run in leases and history (host, pid, a nonce)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def lease_length() -> timedelta:
    return timedelta(seconds=settings.BOOKER_LEASE_SECONDS)


class LeaseKeeper:
    """Renews a lease in the background while the attempt runs."""

    def __init__(self, request: BookingRequest, owner: str):
        self.request, self.owner = request, owner
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="lease-keeper")

    def _run(self) -> None:
        interval = settings.BOOKER_LEASE_SECONDS / 3
        while not self._stop.wait(interval):
            try:
                if not leases.renew(self.request, self.owner, lease_length()):
                    self.lost = True
                    return
            except Unavailable:
                # DynamoDB blinked: keep booking; the lease may lapse, and a
                # resuming worker checks the reservation list before submitting.
                log.warning("lease.renew_unavailable", booking_request_id=self.request.request_id)

    def __enter__(self) -> LeaseKeeper:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def run_batch(keys: list[tuple[str, str]], owner: str | None = None) -> dict[str, str]:
    """Process requests that share a release instant, side by side."""
    owner = owner or worker_id()
    flush_outbox()
    workers = min(len(keys), max(1, settings.BOOKER_BATCH_SIZE))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="booking") as pool:
        futures = {key[0]: pool.submit(run_one, key[0], key[1], owner) for key in keys}
    return {request_id: future.result() for request_id, future in futures.items()}


def run_one(request_id: str, user_id: str, owner: str) -> str:
    """Process one request if this worker can take it; returns what happened."""
    structlog.contextvars.bind_contextvars(booking_request_id=request_id)
    try:
        request = requests_repo.find(request_id, user_id)
        if request is None or request.status not in ACTIVE_STATUSES:
            return "finished-already"
        taken = leases.acquire(request, owner, lease_length())
        if taken is None:
            return "taken-elsewhere"
        log.info("booking.taken", owner=owner, fire_at=taken.fire_at.isoformat())
        with LeaseKeeper(taken, owner) as keeper:
            result = attempt(taken, owner)
        if keeper.lost:
            log.warning("booking.lease_lost_during_attempt", owner=owner)
        record(taken, owner, result)
        return result["outcome"]
    except Exception:
        log.exception("booking.crashed", owner=owner)
        raise
    finally:
        structlog.contextvars.unbind_contextvars("booking_request_id")


def plan_for(request: BookingRequest) -> Plan:
    from tennisbook.values import TimeSlot, parse_date

    choices = [Choice(int(request.court_id), TimeSlot.parse(request.time_slot))]
    choices += [Choice(int(a.court_id), TimeSlot.parse(a.time_slot)) for a in request.alternatives]
    return Plan(day=parse_date(request.date), choices=choices, run_id=request.request_id)


def attempt(request: BookingRequest, owner: str) -> dict:
    """Prepare and fire one request; always returns a result dict to store.

    Nothing may escape: an attempt that raised would leave the request to be
    resent after every lease expiry, forever. A failure becomes a result.
    """
    try:
        return _attempt(request, owner)
    except Exception as exc:
        log.exception("booking.engine_crashed", owner=owner)
        return finalize(BookingResult(Outcome.ERROR, detail=f"{type(exc).__name__}: {exc}"))


def _attempt(request: BookingRequest, owner: str) -> dict:
    try:
        credentials = load_credentials(request.user_id, actor=owner, request_id=request.request_id)
        profile = load_profile()
    except InvalidValue as exc:
        return finalize(
            BookingResult(
                Outcome.LOGIN_FAILED,
                reason="Save your club portal username and password, then retry this request.",
                detail=str(exc),
            )
        )
    except (CryptoError, DataError) as exc:
        return finalize(BookingResult(Outcome.ERROR, detail=f"{type(exc).__name__}: {exc}"))
    # Every browser this attempt launches takes a slot of the process-wide
    # semaphore; preparation gives it back before the wait when the portal can
    # be submitted to over HTTP, so a batch of many members fits in a few
    # browsers. A browser-only profile keeps its browser (and slot) until done.
    pool = BrowserPool(semaphore=_browsers, gauge=metrics.LIVE_BROWSERS)
    engine = BookingEngine(profile, EngineSettings.from_django(), browser_pool=pool)
    try:
        session = engine.prepare(credentials, plan_for(request), release_browser=True)
    except PrepareFailed as exc:
        return finalize(exc.result)
    try:
        return finalize(session.fire(request.fire_at))
    finally:
        session.close()


def finalize(result: BookingResult) -> dict:
    """The engine's result as stored, with release→confirmation when booked."""
    data = result.to_dict()
    success = [a for a in data["attempts"] if a["outcome"] == "success"]
    if success:
        first = success[0]
        data["release_to_confirmation_ms"] = round(
            first["ms_after_release"] + first["round_trip_ms"], 2
        )
    return data


def record(request: BookingRequest, owner: str, result: dict) -> None:
    """Write the final status (or keep it in the outbox while DynamoDB is down)."""
    metrics.observe(result)
    write = outbox.PendingWrite(
        request_id=request.request_id,
        user_id=request.user_id,
        owner=owner,
        target=RequestStatus.COMPLETED.value if result["ok"] else RequestStatus.FAILED.value,
        message=result.get("message") or result.get("reason") or "",
        reason=None if result["ok"] else REASONS.get(Outcome(result["outcome"]), "unknown"),
        result=result,
    )
    try:
        apply(write)
    except Unavailable:
        outbox.put(write)
    log.info("booking.recorded", outcome=result["outcome"], status=write.target)


def apply(write: outbox.PendingWrite) -> None:
    """Write one final status; a write made moot meanwhile is dropped with a log line."""
    request = requests_repo.find(write.request_id, write.user_id)
    if request is None or request.status != RequestStatus.PROCESSING:
        log.info("booking.result_moot", booking_request_id=write.request_id)
        return
    try:
        leases.finish(
            request,
            write.owner,
            write.target,
            message=write.message,
            reason=write.reason,
            result=write.result,
        )
    except TransitionRefused:
        # The lease was taken over: the resuming worker records its own result.
        log.warning("booking.result_superseded", booking_request_id=write.request_id)


def flush_outbox() -> None:
    written, waiting = outbox.flush(apply)
    metrics.OUTBOX_DEPTH.set(waiting)
    if written or waiting:
        log.info("outbox.flush", written=written, waiting=waiting)
