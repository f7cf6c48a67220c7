"""A member's "Test my login": one real login to the club's portal, in the background.

``start`` refuses a member with no credentials saved for the club, stores a
``running`` check in the shared cache (Redis in the stack) under the member
and the club, and hands it to the ``booker.tasks.check_login`` task, on the
default queue: never the booking queue, whose slots a release needs. The
task calls ``run``: it decrypts the credentials (audited as a login test),
launches and logs in as the engine does before a booking
(``prepare.check_login``), books nothing, always closes the browser, and
stores the outcome, which ``read`` returns. A check lives in the cache only,
for ``TTL_S``; one still running past the task's hard time limit reads as
failed, so a lost task never spins forever.
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum

import structlog
from celery.exceptions import SoftTimeLimitExceeded
from django.core.cache import cache

from bookings.services import check_credentials
from configs.crypto import CryptoError
from configs.services import find_user_config
from tennisbook.dynamo import DataError, Unavailable
from tennisbook.values import InvalidValue

from . import metrics, prepare
from .engine import BookingEngine, BrowserPool, EngineSettings
from .results import Outcome
from .sources import load_credentials, load_profile

log = structlog.get_logger(__name__)

# The task's limits (booker.tasks.check_login). A check waits in the queue
# at most EXPIRES_S, so it finishes, one way or another, within HARD_LIMIT_S
# of its start: later, ``read`` reports it failed.
SOFT_LIMIT_S = 35
HARD_LIMIT_S = 45
EXPIRES_S = HARD_LIMIT_S - SOFT_LIMIT_S
# A second start within this long returns the running check instead.
DEDUPE_S = 30
# Checks running at once in the whole site: the default queue's worker has two
# slots and beat's sweep needs one of them every few seconds.
MAX_RUNNING = 1
TTL_S = 600
# The login page's own waits, bounded so a check ends well within its limits.
PAGE_TIMEOUT_S = 15.0
BROWSER_WAIT_S = 10.0

# One check browser at a time per worker process (a booking's come from the
# processor's own bound, in the booking worker).
_browsers = BrowserPool(1, gauge=metrics.LIVE_BROWSERS)


class ChecksBusy(Unavailable):
    """As many checks as the site runs at once are running: try again in seconds."""

    code = "login_checks_busy"


class ChecksUnavailable(Unavailable):
    """Redis (the cache or the broker) did not take the check."""

    code = "login_check_unavailable"


class CheckState(StrEnum):
    """Where a check is: running, then one of the four outcomes."""

    RUNNING = "running"
    OK = "ok"
    WRONG_PASSWORD = "wrong_password"  # noqa: S105 - a state, not a password
    UNREACHABLE = "unreachable"
    FAILED = "failed"


# What a member reads, one sentence each.
LOGGING_IN = "Logging in to the club's portal…"
ACCEPTED = "The portal accepted your username and password."
REFUSED = "The portal refused this username or password."
NO_ANSWER = "The club's portal did not answer; try again later."
PAGE_CHANGED = "The portal's login page was not as expected; the club's settings may need updating."
TOO_LONG = "The check took too long; try again later."
BUSY = "Other members' login tests are running; try again in a few seconds."
NOT_STARTED = "The login test could not be started (its queue is unavailable); try again later."
NOT_RUN = "The check could not run; try again later."
NO_CREDENTIALS = "No portal username and password are saved for this club."
BAD_PROFILE = "The club's portal settings are incomplete; an operator must fix them."

_BY_OUTCOME = {
    Outcome.DRY_RUN: (CheckState.OK, ACCEPTED),
    Outcome.LOGIN_FAILED: (CheckState.WRONG_PASSWORD, REFUSED),
    Outcome.PORTAL_ERROR: (CheckState.UNREACHABLE, NO_ANSWER),
}


@dataclass
class LoginCheck:
    """One login check of a member at a club, as the cache keeps it."""

    id: str
    state: str  # a CheckState
    message: str
    started_at: datetime
    finished_at: datetime | None = None
    # The member's configuration version it checks: credentials saved since
    # make it someone else's check (``read``).
    config_version: int | None = None

    def as_dict(self) -> dict:
        """What the API answers."""
        finished = self.finished_at.isoformat() if self.finished_at else None
        return {
            "id": self.id,
            "state": str(self.state),
            "message": self.message,
            "started_at": self.started_at.isoformat(),
            "finished_at": finished,
        }

    def stored(self) -> dict:
        """What the cache keeps."""
        return self.as_dict() | {"config_version": self.config_version}

    @classmethod
    def from_dict(cls, data: dict) -> LoginCheck:
        finished = data["finished_at"]
        return cls(
            id=data["id"],
            state=CheckState(data["state"]),
            message=data["message"],
            started_at=datetime.fromisoformat(data["started_at"]),
            finished_at=datetime.fromisoformat(finished) if finished else None,
            config_version=data.get("config_version"),
        )


def _now() -> datetime:
    return datetime.now(UTC)


def _key(user_id: str, club: str) -> str:
    return f"login-check:{club}:{user_id}"


def start(user_id: str, club: str, *, actor: str) -> LoginCheck:
    """Start a check of the member's saved credentials for ``club`` (which must exist).

    ``InvalidValue("portal_credentials")`` when none are saved. A check of
    the same member, club and saved configuration started less than
    ``DEDUPE_S`` ago and still running is returned instead of a second one.
    At most ``MAX_RUNNING`` checks run at once in the whole site, so checks
    never take every slot of the worker that runs beat's sweep: past that,
    ``ChecksBusy`` (503, try again in seconds). Redis or the broker away:
    ``ChecksUnavailable``, and nothing is left behind. ``actor`` is who
    asked (it is audited with the decryption).
    """
    check_credentials(user_id, club)
    config = find_user_config(user_id, club)
    key = _key(user_id, club)
    check = LoginCheck(
        uuid.uuid4().hex,
        CheckState.RUNNING,
        LOGGING_IN,
        _now(),
        config_version=config.version if config is not None else None,
    )
    try:
        # The lock holds the check itself (Redis SET NX): of two clicks at once,
        # one starts and the other gets that very check back.
        if not cache.add(f"{key}:lock", check.stored(), DEDUPE_S):
            held = cache.get(f"{key}:lock")
            current = LoginCheck.from_dict(held) if isinstance(held, dict) else None
            if (
                current is not None
                and current.state == CheckState.RUNNING
                and current.config_version == check.config_version
                and check.started_at - current.started_at < timedelta(seconds=DEDUPE_S)
            ):
                return current
            if current is not None:
                _free_slot(current.id)  # replaced: its slot is the new check's to take
            cache.set(f"{key}:lock", check.stored(), DEDUPE_S)  # outlived it: ours now
        slot = _take_slot(check.id)
        if slot is None:
            cache.delete(f"{key}:lock")
            raise ChecksBusy(BUSY)
        cache.set(key, check.stored(), TTL_S)
        from .tasks import check_login  # the tasks module imports this one

        check_login.apply_async(args=[check.id, user_id, club, actor], expires=EXPIRES_S)
    except ChecksBusy:
        raise
    except Exception as exc:  # Redis (cache, broker) away: say so, leave nothing behind
        log.warning("login_check.not_started", club=club, error=f"{type(exc).__name__}: {exc}")
        with contextlib.suppress(Exception):
            cache.delete_many([key, f"{key}:lock", *(_slot_key(n) for n in range(MAX_RUNNING))])
        raise ChecksUnavailable(NOT_STARTED) from None
    log.info("login_check.started", login_check_id=check.id, user_id=user_id, club=club)
    return check


def _slot_key(number: int) -> str:
    return f"login-check:running:{number}"


def _take_slot(check_id: str) -> str | None:
    """One of the site's ``MAX_RUNNING`` check slots, held until the check ends."""
    for number in range(MAX_RUNNING):
        if cache.add(_slot_key(number), check_id, HARD_LIMIT_S + EXPIRES_S):
            return _slot_key(number)
    return None


def _free_slot(check_id: str) -> None:
    for number in range(MAX_RUNNING):
        if cache.get(_slot_key(number)) == check_id:
            cache.delete(_slot_key(number))


def read(user_id: str, club: str) -> LoginCheck | None:
    """The member's latest check at ``club`` (None: none in the last ``TTL_S``).

    A check of credentials saved since (another configuration version) is
    not theirs any more: None, so the page says "not tested yet".
    """
    data = cache.get(_key(user_id, club))
    if data is None:
        return None
    check = LoginCheck.from_dict(data)
    if check.config_version is not None:
        config = find_user_config(user_id, club)
        if config is None or config.version != check.config_version:
            return None
    limit = timedelta(seconds=HARD_LIMIT_S)
    if check.state == CheckState.RUNNING and _now() - check.started_at > limit:
        # Its task was lost (a worker killed, the queue stalled): it never reports now.
        return replace(
            check, state=CheckState.FAILED, message=TOO_LONG, finished_at=check.started_at + limit
        )
    return check


def run(check_id: str, user_id: str, club: str, *, actor: str) -> LoginCheck | None:
    """The task's work: log in once, store the outcome; None if the check was superseded."""
    started = _now()
    state, message, detail, outcome = CheckState.FAILED, NOT_RUN, "", None
    try:
        credentials = load_credentials(
            user_id, club, actor=actor, reason=f"login test {check_id} at {club}"
        )
        settings = EngineSettings.from_django(
            page_timeout_s=PAGE_TIMEOUT_S, browser_wait_s=BROWSER_WAIT_S
        )
        engine = BookingEngine(load_profile(club), settings, browser_pool=_browsers)
        result = prepare.check_login(engine, credentials, run_id=f"login-check-{check_id}")
    except InvalidValue as exc:
        message = NO_CREDENTIALS if exc.field == "portal_credentials" else BAD_PROFILE
        detail = str(exc)
    except (CryptoError, DataError) as exc:
        detail = f"{type(exc).__name__}: {exc}"
    except SoftTimeLimitExceeded:
        message, detail = TOO_LONG, f"stopped after {SOFT_LIMIT_S} s"
    except Exception as exc:  # the member is told at once, not after the hard limit
        log.exception("login_check.crashed", login_check_id=check_id, club=club)
        detail = f"{type(exc).__name__}: {exc}"
    else:
        outcome = result.outcome.value
        state, message = _BY_OUTCOME.get(result.outcome, (CheckState.FAILED, _failure(result)))
        detail = result.detail or result.message
    stored = _finish(check_id, user_id, club, state, message)
    report = log.info if state in (CheckState.OK, CheckState.WRONG_PASSWORD) else log.warning
    report(
        "login_check.finished",
        login_check_id=check_id,
        user_id=user_id,
        club=club,
        state=str(state),
        outcome=outcome,
        detail=detail,
        ms=round((_now() - started).total_seconds() * 1000),
        superseded=stored is None,
    )
    return stored


def _failure(result) -> str:
    """An engine error once at the login page is the page's; before it, the check's own."""
    at_login = any(step["step"] == "login" for step in result.timings)
    return PAGE_CHANGED if at_login else NOT_RUN


def _finish(
    check_id: str, user_id: str, club: str, state: CheckState, message: str
) -> LoginCheck | None:
    """Store the outcome unless a newer check of the member and club replaced this one."""
    key = _key(user_id, club)
    current = cache.get(key)
    if current is not None and current["id"] != check_id:
        return None
    _free_slot(check_id)
    before = LoginCheck.from_dict(current) if current else None
    started = before.started_at if before else _now()
    version = before.config_version if before else None
    check = LoginCheck(check_id, state, message, started, _now(), config_version=version)
    cache.set(key, check.stored(), TTL_S)
    held = cache.get(f"{key}:lock")
    if isinstance(held, dict) and held.get("id") == check_id:
        cache.delete(f"{key}:lock")  # the next click starts a new check at once
    return check
