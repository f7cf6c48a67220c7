"""Everything done ahead of the release: browser, login, forms, ids, clock.

``prepare_session`` returns a ready ``BookingSession`` or raises
``PrepareFailed`` carrying a ``BookingResult`` (login refused, page changed,
portal unreachable) after closing the browser and keeping evidence.
``check_login`` does the first two steps alone (a member's "Test my login").
"""

from __future__ import annotations

import logging

from selenium.common.exceptions import TimeoutException, WebDriverException

from .classify import normalize
from .clock import ClockEstimate, HttpClock
from .http_door import DoorClient, DoorPath
from .pages import LoginFailed, PageError, ReservationList
from .pool import BrowserPoolTimeout
from .portal_session import PortalSession
from .rawhttp import TransportError
from .results import BookingResult, Choice, Credentials, Outcome, Plan
from .session import BookingSession
from .submit import Unavailable
from .verify import find_booking

log = logging.getLogger(__name__)


class PrepareFailed(Exception):
    """Preparation failed; ``result`` says why, for the member and for storage."""

    def __init__(self, result: BookingResult):
        super().__init__(f"{result.outcome.value}: {result.message or result.detail}")
        self.result = result


def prepare_session(
    engine, credentials: Credentials, plan: Plan, *, release_browser: bool = False
) -> BookingSession:
    session = BookingSession(engine, credentials, plan)
    watch = session.watch
    try:
        session.launch_browser()
        with watch.step("login"):
            session.login()
        with watch.step("check_existing"):
            rows = ReservationList(session.browser.driver, engine.profile).rows(
                session.list_context()
            )
        session.open_forms()
        # A worker resuming after a crash must not book twice (DESIGN, pipeline step 6).
        session.existing = find_booking(engine, plan, rows, session.area_names)
        _prepare_door(session)
        if release_browser and session.schedule_ids:
            # The clock sync needs no browser: its slot serves the next member.
            session.release_browser()
        with watch.step("clock_sync") as step:
            session.clock = _portal_clock(engine)
            synced = session.clock.to_dict()
            step.extra.update(
                offset_ms=synced["offset_ms"],
                uncertainty_ms=synced["uncertainty_ms"],
                shared=synced["shared"],
            )
    except LoginFailed as exc:
        raise PrepareFailed(_fail(session, Outcome.LOGIN_FAILED, exc.message, "login")) from exc
    except (PageError, WebDriverException, TransportError, OSError) as exc:
        detail = f"{type(exc).__name__}: {getattr(exc, 'msg', None) or exc}"
        raise PrepareFailed(_fail(session, Outcome.ERROR, "", "prepare", detail)) from exc
    except BaseException:
        session.close()
        raise
    if not session.schedule_ids:
        labels = ", ".join(c.slot.label for c in plan.choices)
        detail = f"none of the slots ({labels}) is offered by the portal's form"
        raise PrepareFailed(_fail(session, Outcome.ERROR, "", "prepare", detail))
    return session


def _portal_clock(engine) -> ClockEstimate:
    """The portal's clock: synced here, or the estimate another session just made."""
    settings, probe = engine.settings, engine.profile["clock"]
    key = (engine.profile["base_url"], probe["url"], probe["method"], probe["static"])

    def sync() -> ClockEstimate:
        clock = HttpClock(
            engine.profile["base_url"], probe["url"], method=probe["method"], static=probe["static"]
        )
        return clock.sync(settings.clock_probes_per_round, round(settings.clock_target_ms * 1e6))

    return engine.clocks.estimate(key, sync, settings.clock_share_s)


def check_login(engine, credentials: Credentials, *, run_id: str = "") -> BookingResult:
    """Launch and log in exactly as ``prepare_session`` does, then close: nothing else.

    No form is opened, no list read, nothing submitted. The outcome is
    ``dry_run`` when the portal accepted the credentials, ``login_failed``
    when it refused them (``message``: its words), ``portal_error`` when it
    could not be reached (connection refused, unknown host, a login page that
    never loaded), and ``error`` for the rest (a login page unlike the
    profile's, no browser slot in time, Chromium failing); ``detail`` says
    what, for operators. Never raises for those; the browser is always closed.
    """
    session = PortalSession(engine, credentials, None)
    session.run_id = run_id or session.run_id
    step = "launch"
    try:
        session.launch_browser()
        step = "login"
        with session.watch.step("login"):
            session.login()
        result = BookingResult(Outcome.DRY_RUN, reason="The portal accepted the credentials.")
    except LoginFailed as exc:
        result = BookingResult(Outcome.LOGIN_FAILED, message=exc.message)
    except BrowserPoolTimeout as exc:  # an OSError, but the portal is not to blame
        result = BookingResult(Outcome.ERROR, detail=f"no browser slot: {exc}")
    except (PageError, WebDriverException, OSError) as exc:
        detail = f"{type(exc).__name__}: {getattr(exc, 'msg', None) or exc}"
        if step == "login" and _unreachable(exc):
            result = BookingResult(
                Outcome.PORTAL_ERROR, reason="The portal did not answer.", detail=detail
            )
        else:
            # A page unlike the profile's is for an operator to look at.
            evidence = session.keep_evidence("login_check") if session.browser else {}
            result = BookingResult(Outcome.ERROR, detail=detail, evidence=evidence)
    finally:
        session.close()
    result.timings = session.watch.steps
    return result


def _unreachable(exc: Exception) -> bool:
    """Did the browser fail to reach the portal at all (rather than read its page)?"""
    if isinstance(exc, TimeoutException):  # the page load timed out
        return True
    return isinstance(exc, WebDriverException) and "net::ERR_" in (exc.msg or "")


def _prepare_door(session: BookingSession) -> None:
    engine, plan = session.engine, session.plan
    if "door" not in session.path_names:
        return
    creds = session.credentials
    with session.watch.step("door_ids"):
        try:
            client = DoorClient(engine.profile, engine.adapter, creds.username, creds.password)
            door = DoorPath(client)
            day = engine.adapter.format_day(plan.day)
            for court in dict.fromkeys(c.court for c in plan.choices):
                listed = {normalize(k): v for k, v in client.schedule_ids(str(court), day).items()}
                for choice in plan.choices:
                    if choice.court != court or choice not in session.schedule_ids:
                        continue
                    label = normalize(engine.adapter.slot_label(choice.slot))
                    door_id = listed.get(label) or engine.adapter.door_schedule_id(
                        session.schedule_ids[choice]
                    )
                    if door_id is None:
                        continue
                    door.prepare(
                        choice,
                        {"area": str(court), "day": day, "door_id": door_id}
                        | {"comments": plan.comments},
                    )
        except (Unavailable, TransportError) as exc:
            session.notes.append(f"door: {exc}")
            return
    session.paths.insert(0, door)


def _fail(
    session: BookingSession, outcome: Outcome, message: str, name: str, detail: str = ""
) -> BookingResult:
    evidence = session.keep_evidence(name) if session.browser else {}
    session.close()
    choice: Choice = session.plan.choices[0]
    result = BookingResult(
        outcome, message=message, choice=choice.to_dict(), evidence=evidence, detail=detail
    )
    result.timings = session.watch.steps
    log.warning("booker.prepare_failed outcome=%s detail=%s", outcome.value, detail or message)
    return result
