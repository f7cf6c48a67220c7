"""Everything done ahead of the release: browser, login, forms, ids, clock.

``prepare_session`` returns a ready ``BookingSession`` or raises
``PrepareFailed`` carrying a ``BookingResult`` (login refused, page changed,
portal unreachable) after closing the browser and keeping evidence.
"""

from __future__ import annotations

import logging

from selenium.common.exceptions import WebDriverException

from .classify import normalize
from .clock import HttpClock
from .http_door import DoorClient, DoorPath
from .pages import LoginFailed, LoginPage, PageError, ReservationForm, ReservationList
from .rawhttp import TransportError
from .replay import ReplayPath
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
    settings = engine.settings
    session = BookingSession(engine, credentials, plan)
    watch = session.watch
    try:
        session.launch_browser()
        driver = session.browser.driver
        with watch.step("login"):
            session.dashboard_url = LoginPage(driver, engine.profile).login(
                credentials.username, credentials.password
            )
        with watch.step("check_existing"):
            rows = ReservationList(driver, engine.profile).rows()
        _open_forms(session)
        # A worker resuming after a crash must not book twice (DESIGN, pipeline step 6).
        session.existing = find_booking(engine, plan, rows, session.area_names)
        _prepare_door(session)
        if release_browser and session.schedule_ids:
            # The clock sync needs no browser: its slot serves the next member.
            session.release_browser()
        with watch.step("clock_sync"):
            clock = HttpClock(engine.profile["base_url"], engine.profile["login"]["url"])
            session.clock = clock.sync(
                settings.clock_probes_per_round, round(settings.clock_target_ms * 1e6)
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


def relogin(session: BookingSession) -> None:
    """Log in again after the portal dropped the session; rebuild the form requests.

    A session whose browser was released gets one again under the pool (and
    keeps it until ``fire`` ends or ``release_browser`` is called again).
    """
    engine = session.engine
    with session.watch.step("relogin"):
        if session.browser is None:
            session.launch_browser()
        session.dashboard_url = LoginPage(session.browser.driver, engine.profile).login(
            session.credentials.username, session.credentials.password
        )
        for path in session.paths:
            if path.name == "replay":
                path.close()
        session.paths = [p for p in session.paths if p.name != "replay"]
        _open_forms(session)


def _open_forms(session: BookingSession) -> None:
    """Open each court's form once, read its slot ids; end on the first choice's form."""
    engine, plan = session.engine, session.plan
    form = ReservationForm(session.browser.driver, engine.profile)
    courts = list(dict.fromkeys(c.court for c in plan.choices))
    paths = session.path_names
    replay = ReplayPath(engine.profile) if "replay" in paths else None
    day = engine.adapter.format_day(plan.day)
    for court in reversed(courts):  # the first choice's form stays open for the browser path
        context = {"area": str(court), "day": day, "dashboard_url": session.dashboard_url}
        with session.watch.step("open_form", court=court):
            captured = form.open(context)
            snapshot = form.snapshot()
        session.area_names[court] = captured.get("area_name", "")
        options = {normalize(label): value for label, value in snapshot["options"]}
        cookies = session.browser.driver.get_cookies() if replay else []
        for choice in plan.choices:
            if choice.court != court:
                continue
            web_id = options.get(normalize(engine.adapter.slot_label(choice.slot)))
            if web_id is None:
                session.notes.append(f"court {court}: no slot {choice.slot.label!r} in the form")
                continue
            session.schedule_ids[choice] = web_id
            if replay is not None:
                try:
                    replay.prepare(choice, snapshot, web_id, cookies, _extra(plan))
                except Unavailable as exc:
                    session.notes.append(f"replay: {exc}")
                    replay = None
    if replay is not None:
        session.paths.append(replay)
    session.form_court = courts[0]


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
                    context = {"area": str(court), "day": day, "door_id": door_id}
                    door.prepare(choice, {**context, **_extra(plan)})
        except (Unavailable, TransportError) as exc:
            session.notes.append(f"door: {exc}")
            return
    session.paths.insert(0, door)


def _extra(plan: Plan) -> dict:
    return {"comments": plan.comments} if plan.comments else {}


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
