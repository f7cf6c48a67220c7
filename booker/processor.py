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

import contextlib
import os
import socket
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import structlog
from django.conf import settings

from bookings import services as booking_services
from bookings import workflow
from bookings.choices import ACTIVE_STATUSES, RequestStatus
from bookings.dynamo import BookingRequest
from bookings.errors import Moot
from bookings.lifecycle import FailureReason
from configs.crypto import CryptoError
from tennisbook.dynamo import Conflict, DataError, Unavailable
from tennisbook.values import InvalidValue, TimeSlot, parse_date

from . import metrics, outbox
from .clock import SharedClocks
from .engine import BookingEngine, BrowserPool, EngineSettings, Plan, PrepareFailed
from .live import StepPublisher
from .results import BookingResult, Choice, Outcome
from .sources import load_credentials, load_profile

log = structlog.get_logger(__name__)
requests_repo = booking_services.requests_repo

_browsers = threading.BoundedSemaphore(settings.BOOKER_MAX_BROWSERS)
# The requests this process prepares for one portal share its clock sync
# (BOOKER_CLOCK_SHARE_SECONDS): a batch of one release instant probes once.
_clocks = SharedClocks()

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
    """Names this worker run in leases and history (host, pid, a nonce).

    ``bookings.services.is_worker_id`` recognises the form (members see
    "booking worker" instead).
    """
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def lease_length() -> timedelta:
    return timedelta(seconds=settings.BOOKER_LEASE_SECONDS)


class LeaseKeeper:
    """Renews a lease in the background while the attempt runs.

    ``holds()`` is the session's check before every submit: the lease is
    ours only while no renewal was refused and its last known expiry, less
    a margin, is still ahead. Besides the regular renewals (every third of
    the lease) one renewal is made ``FENCE_AHEAD`` before the release, so a
    cancel or a takeover shortly before it stops the submit too. A worker
    that stalled (or could not reach DynamoDB) past its expiry must assume
    another worker took over.
    """

    FENCE_AHEAD = timedelta(seconds=2)

    def __init__(self, request: BookingRequest, owner: str):
        self.request, self.owner = request, owner
        self.lost = False
        self.expires_at = request.lease_expires_at
        self.fence_at = request.fire_at - self.FENCE_AHEAD
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="lease-keeper")

    def holds(self) -> bool:
        if self.lost or self.expires_at is None:
            return False
        margin = timedelta(seconds=settings.BOOKER_LEASE_SECONDS / 10)
        return datetime.now(UTC) < self.expires_at - margin

    def _next_wait(self) -> float:
        """Seconds to the next renewal: the regular one, or the fence if sooner."""
        interval = settings.BOOKER_LEASE_SECONDS / 3
        if self.fence_at is not None:
            to_fence = (self.fence_at - datetime.now(UTC)).total_seconds()
            if to_fence <= interval:
                self.fence_at = None  # made once; late starters renew at once
                return max(0.0, to_fence)
        return interval

    def renew(self) -> None:
        try:
            expires = workflow.renew(self.request, self.owner, lease_length())
        except DataError:
            # DynamoDB blinked: keep booking while the last expiry holds;
            # past it, holds() stops the attempt before it submits.
            log.warning("lease.renew_failed", booking_request_id=self.request.request_id)
            return
        if expires is None:
            self.lost = True
        else:
            self.expires_at = expires

    def _run(self) -> None:
        while not self.lost and not self._stop.wait(self._next_wait()):
            self.renew()

    def __enter__(self) -> LeaseKeeper:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def run_batch(keys: list[tuple[str, str]], owner: str | None = None) -> dict[str, str]:
    """Process requests that share a club and a release instant, side by side."""
    owner = owner or worker_id()
    flush_outbox()
    # One query for the batch, here: the pool's threads have no database connection.
    active = booking_services.active_members([user_id for _, user_id in keys])
    workers = min(len(keys), max(1, settings.BOOKER_BATCH_SIZE))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="booking") as pool:
        futures = {
            key[0]: pool.submit(run_one, key[0], key[1], owner, member_active=key[1] in active)
            for key in keys
        }
    return {request_id: future.result() for request_id, future in futures.items()}


def run_one(request_id: str, user_id: str, owner: str, *, member_active: bool) -> str:
    """Process one request if this worker can take it; returns what happened.

    A request whose member is gone or inactive (``member_active`` false)
    fails with that reason instead of firing.
    """
    structlog.contextvars.bind_contextvars(booking_request_id=request_id)
    try:
        request = requests_repo.find(request_id, user_id)
        if request is None or request.status not in ACTIVE_STATUSES:
            return "finished-already"
        if request.club_id is None:
            log.error("booking.without_club", remedy="migrate_clubs")
            return "not-moved-to-a-club"
        structlog.contextvars.bind_contextvars(club=request.club_id)
        if not member_active:
            return _refuse_inactive(request, owner)
        taken = workflow.take(request, owner, lease_length())
        if taken is None:
            return "taken-elsewhere"
        log.info("booking.taken", owner=owner, fire_at=taken.fire_at.isoformat())
        with LeaseKeeper(taken, owner) as keeper:
            result = attempt(taken, owner, may_submit=keeper.holds)
        if result["outcome"] == Outcome.LEASE_LOST:
            return _lease_lost(taken, owner)
        record(taken, owner, result)
        return result["outcome"]
    except Exception:
        log.exception("booking.crashed", owner=owner)
        raise
    finally:
        structlog.contextvars.unbind_contextvars("booking_request_id", "club")


def _refuse_inactive(request: BookingRequest, owner: str) -> str:
    """A request whose member is gone or deactivated never fires."""
    try:
        workflow.refuse(
            request,
            by=owner,
            reason=FailureReason.MEMBER_INACTIVE,
            message="Not booked: the member's account is deleted or deactivated.",
        )
    except Moot:
        return "taken-elsewhere"
    log.warning("booking.member_inactive", owner=owner)
    return FailureReason.MEMBER_INACTIVE.value


def _lease_lost(request: BookingRequest, owner: str) -> str:
    """Stopped before submitting: whoever holds the lease now carries on.

    If nobody took the request over (the lease lapsed while DynamoDB was
    unreachable), it goes back to pending and the next sweep resends it.
    """
    log.warning("booking.lease_lost_before_submit", owner=owner)
    with contextlib.suppress(Moot, Unavailable):
        workflow.give_back(request, owner, "the lease lapsed before the submit")
    return Outcome.LEASE_LOST.value


def plan_for(request: BookingRequest) -> Plan:
    choices = [Choice(int(request.court_id), TimeSlot.parse(request.time_slot))]
    choices += [Choice(int(a.court_id), TimeSlot.parse(a.time_slot)) for a in request.alternatives]
    return Plan(
        day=parse_date(request.date),
        choices=choices,
        run_id=request.request_id,
        comments=portal_comments(request.partners or [], request.notes or ""),
    )


COMMENTS_MAX = 200  # what a club portal's comments box takes, with room to spare


def portal_comments(partners: list[str], notes: str) -> str:
    """The text for the portal's comments field: who plays, then the member's notes.

    ``["Ana", "@dana"]`` and "Doubles" give "Partners: Ana, dana. Doubles":
    a member named as ``@username`` appears by that name, without the mark.
    One line (the portal's field is a one-line input), cut to ``COMMENTS_MAX``.
    """
    names = [name.strip().removeprefix("@").strip() for name in partners]
    parts = []
    if any(names):
        parts.append("Partners: " + ", ".join(name for name in names if name))
    if notes.strip():
        parts.append(notes.strip())
    text = " ".join(". ".join(parts).split())  # one line, single spaces
    return text if len(text) <= COMMENTS_MAX else text[: COMMENTS_MAX - 3].rstrip() + "..."


def attempt(request: BookingRequest, owner: str, may_submit=None) -> dict:
    """Prepare and fire one request; always returns a result dict to store.

    ``may_submit()`` is asked before every submit (the worker still holds
    its lease). Nothing may escape: an attempt that raised would leave the
    request to be resent after every lease expiry, forever. A failure
    becomes a result.
    """
    steps = StepPublisher(request.request_id, int(request.attempts or 0))
    steps.started()
    try:
        result = _attempt(request, owner, may_submit, steps)
    except Exception as exc:
        log.exception("booking.engine_crashed", owner=owner)
        result = finalize(BookingResult(Outcome.ERROR, detail=f"{type(exc).__name__}: {exc}"))
    if result["outcome"] != Outcome.LEASE_LOST:  # the worker that takes over tells its own
        steps.finished(result)
    steps.close()
    return result


def _attempt(request: BookingRequest, owner: str, may_submit, steps: StepPublisher) -> dict:
    try:
        credentials = load_credentials(
            request.user_id, request.club_id, actor=owner, request_id=request.request_id
        )
        profile = load_profile(request.club_id)
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
    engine = BookingEngine(
        profile, EngineSettings.from_django(), browser_pool=pool, on_step=steps, clocks=_clocks
    )
    plan = plan_for(request)
    for tried in range(1, PREPARE_TRIES + 1):
        try:
            session = engine.prepare(credentials, plan, release_browser=True)
            break
        except PrepareFailed as exc:
            if not _prepare_again(exc.result, request.fire_at, tried):
                return finalize(exc.result)
            log.warning(
                "booking.prepare_retry",
                owner=owner,
                tried=tried,
                outcome=exc.result.outcome.value,
                detail=exc.result.detail[:300],
            )
            time.sleep(PREPARE_RETRY_PAUSE_S)
            steps.started()  # the member's timeline starts this try afresh
    log.info("booking.prepared", owner=owner, fire_at=request.fire_at.isoformat())
    try:
        return finalize(session.fire(request.fire_at, may_submit=may_submit))
    finally:
        session.close()


# A preparation that failed on the way (the portal unreachable for a moment,
# a browser that crashed, a page that did not load) is tried again while the
# release is far enough ahead; a portal that refused the login is not.
PREPARE_TRIES = 3
PREPARE_RETRY_PAUSE_S = 3.0
PREPARE_NEEDS_S = 20.0  # what a preparation takes at most, with room to spare
TRANSIENT_PREPARE = {Outcome.ERROR, Outcome.PORTAL_ERROR}


def _prepare_again(result: BookingResult, fire_at: datetime, tried: int) -> bool:
    left = (fire_at - datetime.now(UTC)).total_seconds()
    return (
        tried < PREPARE_TRIES
        and result.outcome in TRANSIENT_PREPARE
        and left > PREPARE_RETRY_PAUSE_S + PREPARE_NEEDS_S
    )


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
    metrics.observe(result, club=request.club_id)
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
    except Exception:
        # Never lose a result: what DynamoDB would not take waits in the outbox,
        # which retries it and quarantines it for an operator if it keeps failing.
        log.exception("booking.record_failed")
        outbox.put(write)
    log.info("booking.recorded", outcome=result["outcome"], status=write.target)


def apply(write: outbox.PendingWrite) -> None:
    """Write one final status; a result made moot meanwhile is logged and dropped.

    Any conflict means "superseded": the request finished, was cancelled, or
    another worker took it over and records its own result.
    """
    try:
        workflow.record_result(
            write.request_id,
            write.user_id,
            write.owner,
            write.target,
            message=write.message,
            reason=write.reason,
            result=write.result,
        )
    except Conflict as exc:  # Moot, TransitionRefused, or any lost condition
        metrics.RESULTS_SUPERSEDED.inc()
        # A booking made on the portal for a request that moved on meanwhile
        # (cancelled just before the release) is the member's court all the
        # same: an operator must look, so it is an error, not a note.
        report = log.error if write.result.get("ok") else log.warning
        report(
            "booking.result_superseded",
            booking_request_id=write.request_id,
            outcome=write.result.get("outcome"),
            why=str(exc),
        )


def flush_outbox() -> None:
    """Write what the outbox holds; a broken outbox never stops a batch."""
    try:
        written, waiting = outbox.flush(apply)
        metrics.OUTBOX_DEPTH.set(waiting)
        metrics.OUTBOX_QUARANTINED.set(outbox.quarantined())
    except Exception:
        log.exception("outbox.flush_failed")
        return
    if written or waiting:
        log.info("outbox.flush", written=written, waiting=waiting)
