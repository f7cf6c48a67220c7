"""Pre-flight checks: a dry run of each pending request before its release.

The day before and ten minutes before each fire time, a worker logs in
with the member's credentials and prepares the request exactly as the
booking engine will (``prepare.prepare_session``: login, the reservation
list, the booking form and its ids, the HTTP door, the portal's clock),
then closes the browser. Nothing is submitted. What it finds is a
``bookings.models.PreflightCheck``, shown on the request's page:

- the portal refused the password: the member is told at once
  (``credentials_rejected``), while there is still time to fix it;
- the portal's page looked different (a locator missing, none of the
  slots in the form): the operators of the club are told, with the
  screenshot and page the engine kept (``preflight_problem``);
- the portal did not answer: recorded; the portal probe watches outages.

``sweep`` (beat, every ``PREFLIGHT_SWEEP_SECONDS``) starts the checks that
are due: one row per request and stage, created before the task is sent,
so a sweep that runs twice starts one check. A check runs on the default
queue (never the booking queue, whose slots a release needs), one browser
at a time per worker process. A stage whose moment passed without it (a
request made 5 minutes before its release) is simply not run.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import structlog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from bookings.choices import RequestStatus
from bookings.models import PreflightCheck
from bookings.services import requests_repo
from configs.crypto import CryptoError
from realtime import notifications
from realtime.choices import EventType
from tennisbook import timefmt
from tennisbook.dynamo import DataError
from tennisbook.values import InvalidValue

from . import metrics, prepare
from .engine import BookingEngine, BrowserPool, EngineSettings
from .results import Outcome
from .sources import load_credentials, load_profile

log = structlog.get_logger(__name__)

Stage = PreflightCheck.Stage
State = PreflightCheck.State

# How long before the fire time each stage runs, and the latest it still may:
# a check must end well before the worker logs in (BOOKER_LEAD_TIME_SECONDS).
BEFORE = {Stage.DAY: timedelta(hours=24), Stage.FINAL: timedelta(minutes=10)}
LATEST = {Stage.DAY: timedelta(minutes=30), Stage.FINAL: timedelta(minutes=4)}
SOFT_LIMIT_S = 75
HARD_LIMIT_S = 90
PAGE_TIMEOUT_S = 15.0
BROWSER_WAIT_S = 30.0

_browsers = BrowserPool(1, gauge=metrics.LIVE_BROWSERS)

MESSAGES = {
    State.OK: "Logged in and opened the booking form: all set for the release.",
    State.CREDENTIALS_REJECTED: "The portal refused your portal password. Fix it in Settings "
    "before the release, or this booking will fail.",
    State.PAGE_CHANGED: "The club's portal page looked different from what tennisbook knows; "
    "the club's operators have been told.",
    State.PORTAL_DOWN: "The club's portal did not answer; the booking will still be tried at "
    "the release.",
    State.ERROR: "The check could not run; the booking will still be tried at the release.",
}


def due(now: datetime) -> list[tuple]:
    """(request, stage) pairs whose check should start now."""
    found = []
    for request in requests_repo.due(RequestStatus.PENDING.value, now + BEFORE[Stage.DAY]):
        left = request.fire_at - now
        for stage in (Stage.FINAL, Stage.DAY):
            if LATEST[stage] < left <= BEFORE[stage]:
                found.append((request, stage))
                break  # the final check, once due, stands for the day's too
    return found


def sweep(send: Callable[[int], None], now: datetime | None = None) -> int:
    """Start every check that is due; returns how many were started."""
    now = now or timezone.now()
    started = 0
    for request, stage in due(now):
        try:
            with transaction.atomic():
                check = PreflightCheck.objects.create(
                    request_id=request.request_id,
                    user_id=request.user_id,
                    club_id=request.club_id,
                    stage=stage,
                    fire_at=request.fire_at,
                    started_at=now,
                )
        except IntegrityError:
            continue  # started by an earlier sweep
        try:
            send(check.pk)
        except Exception as exc:  # the broker refused: the next sweep cannot retry it
            _finish(check, State.ERROR, detail=f"not queued: {type(exc).__name__}: {exc}")
            log.exception("preflight.enqueue_failed", preflight_id=check.pk)
            continue
        started += 1
    return started


def run(check_id: int) -> PreflightCheck | None:
    """The task's work: prepare the request as the engine would, submit nothing."""
    check = PreflightCheck.objects.filter(pk=check_id).first()
    if check is None or check.state != State.RUNNING:
        return check
    request = requests_repo.find(check.request_id, check.user_id)
    if request is None or request.status != RequestStatus.PENDING.value:
        return _finish(check, State.SKIPPED, detail="the request is no longer pending")
    from .processor import plan_for  # the processor imports the engine at module level

    try:
        credentials = load_credentials(
            check.user_id,
            check.club_id,
            actor="preflight",
            request_id=check.request_id,
            reason=f"pre-flight check ({check.stage})",
        )
        engine = BookingEngine(
            load_profile(check.club_id),
            EngineSettings.from_django(
                page_timeout_s=PAGE_TIMEOUT_S, browser_wait_s=BROWSER_WAIT_S
            ),
            browser_pool=_browsers,
        )
        session = prepare.prepare_session(engine, credentials, plan_for(request))
    except prepare.PrepareFailed as failed:
        return _judge(check, failed.result)
    except InvalidValue as exc:  # no credentials saved any more, or a broken profile
        return _finish(check, State.ERROR, detail=str(exc))
    except (CryptoError, DataError, OSError) as exc:
        return _finish(check, State.ERROR, detail=f"{type(exc).__name__}: {exc}")
    try:
        note = "the portal already lists this booking" if session.existing else ""
    finally:
        session.close()
    return _finish(check, State.OK, detail=note)


def _judge(check: PreflightCheck, result) -> PreflightCheck:
    if result.outcome == Outcome.LOGIN_FAILED:
        finished = _finish(check, State.CREDENTIALS_REJECTED, detail=result.message)
        _tell_member(finished)
        return finished
    if result.outcome == Outcome.PORTAL_ERROR or _unreachable(result.detail):
        return _finish(check, State.PORTAL_DOWN, detail=result.detail)
    finished = _finish(check, State.PAGE_CHANGED, detail=result.detail, evidence=result.evidence)
    _tell_operators(finished)
    return finished


def _unreachable(detail: str) -> bool:
    return "net::ERR_" in (detail or "") or "TransportError" in (detail or "")


def _finish(check: PreflightCheck, state: str, *, detail: str = "", evidence=None):
    check.state = state
    check.message = MESSAGES.get(state, "")
    check.detail = (detail or "")[:4000]
    check.evidence = {k: v for k, v in (evidence or {}).items() if isinstance(v, str)}
    check.finished_at = timezone.now()
    check.save()
    metrics.PREFLIGHTS.labels(club=check.club_id, stage=check.stage, state=state).inc()
    report = log.info if state in (State.OK, State.SKIPPED) else log.warning
    report(
        "preflight.finished",
        preflight_id=check.pk,
        booking_request_id=check.request_id,
        club=check.club_id,
        stage=check.stage,
        state=state,
        detail=check.detail,
    )
    return check


def _when(check: PreflightCheck) -> str:
    from configs import clubs

    zone = clubs.get_club(check.club_id).time_zone if check.club_id in clubs.club_ids() else "UTC"
    return timefmt.club_time(check.fire_at, zone)


def _tell_member(check: PreflightCheck) -> None:
    member = _account(check.user_id)
    if member is None:
        return
    notice = notifications.Notice(
        kind=EventType.CREDENTIALS_REJECTED.value,
        title="The club's portal refused your password",
        body=(
            f"A check before your booking found that the portal no longer accepts your "
            f"password. Save the right one in Settings before {_when(check)}, when the "
            "booking is tried."
        ),
        url=reverse("configs:settings"),
        request_id=check.request_id,
        dedupe_key=f"preflight:{check.request_id}:{check.stage}:{check.state}",
    )
    _notify(member, notice)


def operators_of(club: str) -> list:
    """Active staff who operate ``club`` (an empty club list: every club)."""
    staff = get_user_model().objects.filter(is_staff=True, is_active=True)
    return [
        user
        for user in staff
        if user.is_superuser or not user.operator_clubs or club in user.operator_clubs
    ]


def _tell_operators(check: PreflightCheck) -> None:
    names = ", ".join(sorted(check.evidence)) or "none kept"
    notice = notifications.Notice(
        kind=EventType.PREFLIGHT_PROBLEM.value,
        title=f"Pre-flight: the portal of {check.club_id} looks different",
        body=(
            f"The {check.get_stage_display().lower()} check of a request firing at "
            f"{_when(check)} could not prepare it: {check.detail or 'no detail'}. "
            f"Evidence: {names}. Every request at this club will meet the same page."
        ),
        url=reverse("bookings-admin:request-detail", args=[check.request_id]),
        request_id=check.request_id,
        dedupe_key=f"preflight:{check.request_id}:{check.stage}:{check.state}",
    )
    for operator in operators_of(check.club_id):
        _notify(operator, notice)


def _notify(user, notice) -> None:
    try:
        notifications.notify(user, notice)
    except Exception:  # the check is recorded either way; a notice is best effort here
        log.exception("preflight.notify_failed", user_id=str(user.pk), kind=notice.kind)


def _account(user_id: str):
    try:
        return get_user_model().objects.filter(pk=user_id, is_active=True).first()
    except (ValueError, TypeError):
        return None


def checks_of(request_id: str) -> list[PreflightCheck]:
    return list(PreflightCheck.objects.filter(request_id=request_id).order_by("started_at"))


def enabled() -> bool:
    return settings.PREFLIGHT_ENABLED
