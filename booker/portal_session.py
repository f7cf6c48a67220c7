"""A member's session on the portal: browser, login, forms, slot ids, reservation list.

``PortalSession`` is what preparation (``prepare.prepare_session``) fills in
and what firing (``session.BookingSession``, its subclass) uses: the browser
under the engine's pool, the login, each court's form and its opaque slot
ids, the submit paths built from them, and the member's reservation list
(the portal's truth about what is booked).

``release_browser()`` gives the browser (and its pool slot) back while
keeping what the HTTP paths need: the door's and the replay's prebuilt
requests, the slot ids, the clock. Afterwards a browser is relaunched under
the pool only when one is needed (browser fallback, re-login, a list only
the web pages show).
"""

from __future__ import annotations

import uuid
from urllib.parse import quote

from .browser import BrowserSession, BrowserSettings
from .classify import normalize
from .evidence import keep_evidence
from .http_door import DoorClient
from .pages import LoginPage, ReservationForm, ReservationList
from .profiles.reading import computed_by_source
from .rawhttp import TransportError
from .replay import ReplayPath
from .results import Choice
from .submit import Reply, Unavailable
from .timing import Stopwatch

_ATTRIBUTE_JS = """
const element = document.querySelector(arguments[0]);
return element ? element.getAttribute(arguments[1]) : null;
"""


class PortalSession:
    """State shared by preparation and firing; one per account and plan."""

    def __init__(self, engine, credentials, plan):
        # ``plan`` is None for a login check (``prepare.check_login``), which
        # only launches the browser and logs in.
        self.engine, self.credentials, self.plan = engine, credentials, plan
        self.run_id = (plan.run_id if plan is not None else "") or uuid.uuid4().hex[:12]
        self.watch = Stopwatch(getattr(engine, "on_step", None))
        self.browser: BrowserSession | None = None
        self.dashboard_url = ""
        self.existing: tuple[Choice, dict] | None = None
        self.area_names: dict[int, str] = {}
        self.schedule_ids: dict[Choice, str] = {}
        self.paths: list = []
        self.clock = None
        self.notes: list[str] = []
        self.form_court: int | None = None
        self.released = False  # release_browser() was called: HTTP first, browser on demand
        self.http_submitted = False  # an HTTP path submitted since the form was last opened
        self._door_listing = True  # False once the door's reservation list failed
        self._closed = False

    @property
    def path_names(self) -> tuple[str, ...]:
        profile = self.engine.profile
        return tuple(self.engine.settings.paths or profile["submission"]["paths"])

    # --- the browser and its pool slot ------------------------------------------

    def launch_browser(self) -> None:
        """Take a slot of the engine's browser pool, then start Chromium in it."""
        settings, pool = self.engine.settings, self.engine.browser_pool
        with self.watch.step("browser_slot"):
            pool.acquire(timeout=settings.browser_wait_s)
        try:
            with self.watch.step("launch"):
                self.browser = BrowserSession(
                    BrowserSettings(
                        settings.chromium_binary, settings.chromedriver, settings.page_timeout_s
                    ),
                    label=self.credentials.username,
                )
        except BaseException:
            pool.release()
            raise

    def login(self) -> None:
        self.dashboard_url = LoginPage(self.browser.driver, self.engine.profile).login(
            self.credentials.username, self.credentials.password
        )

    def ensure_browser(self) -> None:
        """A live, logged-in browser: relaunched under the pool after ``release_browser``."""
        if self.browser is not None:
            return
        self.launch_browser()
        with self.watch.step("login"):
            self.login()
        self.form_court = None

    def release_browser(self) -> bool:
        """Quit the browser and free its pool slot, keeping what HTTP submits need.

        Returns False (and keeps the browser) when no HTTP path is ready for
        any choice, so the browser is what will submit: a browser-only profile
        keeps its browser, and the pool bounds how many such sessions wait.
        """
        if self._closed:
            raise RuntimeError("this session is closed")
        if self.browser is None:
            return True
        names = set(self.path_names) - {"browser"}
        http_ready = any(
            p.name in names and p.ready(c) for p in self.paths for c in self.schedule_ids
        )
        if not (http_ready or self.existing or self.plan.dry_run):
            return False
        with self.watch.step("release_browser"):
            self.quit_browser()
        self.released, self.form_court = True, None
        return True

    def quit_browser(self) -> None:
        browser, self.browser = self.browser, None
        if browser is None:
            return
        try:
            browser.close()
        finally:
            self.engine.browser_pool.release()

    def relogin(self) -> None:
        """Log in again after the portal dropped the session; rebuild the form requests.

        A session whose browser was released gets one again under the pool (and
        keeps it until ``fire`` ends or ``release_browser`` is called again).
        """
        with self.watch.step("relogin"):
            if self.browser is None:
                self.launch_browser()
            self.login()
            for path in self.paths:
                if path.name == "replay":
                    path.close()
            self.paths = [p for p in self.paths if p.name != "replay"]
            self.open_forms()

    # --- the reservation form -----------------------------------------------------

    def form_context(self, court: int) -> dict[str, str]:
        """What the profile's navigation steps are filled with (``schema.FORM_CONTEXT``)."""
        return {
            "area": str(court),
            "day": self.engine.adapter.format_day(self.plan.day),
            "dashboard_url": self.dashboard_url,
        }

    def submit_context(self, choice: Choice) -> dict[str, str]:
        """What ``form.computed`` templates are filled with (``reading.SUBMIT_CONTEXT``)."""
        slot, fmt = choice.slot, self.engine.profile["slot_label"]["time_format"]
        start = slot.start.hour * 60 + slot.start.minute
        end = slot.end.hour * 60 + slot.end.minute
        return {
            "area": str(choice.court),
            "day": self.engine.adapter.format_day(self.plan.day),
            "schedule_id": self.schedule_ids.get(choice, ""),
            "start": slot.start.strftime("%H:%M"),
            "end": slot.end.strftime("%H:%M"),
            "start_label": slot.start.strftime(fmt),
            "end_label": slot.end.strftime(fmt),
            "start_seconds": str(start * 60),
            "end_seconds": str(end * 60),
            "start_minutes": str(start),
            "end_minutes": str(end),
            "minutes": str(end - start),
            "comments": self.plan.comments,
        }

    def computed_fields(self, choice: Choice) -> dict[str, str]:
        """The profile's computed template fields, filled for ``choice``."""
        context = self.submit_context(choice)
        templates = computed_by_source(self.engine.profile, "template")
        return {name: spec.format(**context) for name, spec in templates.items()}

    def page_tokens(self) -> dict[str, str]:
        """The computed fields read from the live page (a per-page CSRF token)."""
        out = {}
        for name, spec in computed_by_source(self.engine.profile, "page").items():
            value = self.browser.driver.execute_script(
                _ATTRIBUTE_JS, spec["css"], spec["attribute"]
            )
            if value is not None:
                out[name] = value
        return out

    def list_context(self) -> dict[str, str]:
        """What the reservation list's URL is filled with (``reading.LIST_CONTEXT``)."""
        return {"username": quote(self.credentials.username, safe="")}

    def open_form(self, court: int) -> dict:
        """Navigate to ``court``'s form; returns what the steps captured."""
        captured = ReservationForm(self.browser.driver, self.engine.profile).open(
            self.form_context(court)
        )
        self.form_court = court
        return captured

    def open_forms(self) -> None:
        """Open each court's form once, read its slot ids; end on the first choice's form.

        Builds the replay's requests (with the browser's cookies) on the way
        when the profile lists the replay path.
        """
        engine, plan = self.engine, self.plan
        courts = list(dict.fromkeys(c.court for c in plan.choices))
        replay = ReplayPath(engine.profile) if "replay" in self.path_names else None
        for court in reversed(courts):  # the first choice's form stays open for the browser
            with self.watch.step("open_form", court=court):
                captured = self.open_form(court)
                snapshot = ReservationForm(self.browser.driver, engine.profile).snapshot()
            self.area_names[court] = captured.get("area_name", "")
            options = {normalize(label): value for label, value in snapshot["options"]}
            if replay is not None:
                # Every form rendered may issue a new token and cookie: the newest win,
                # whether or not this court offers a wanted slot.
                replay.refresh(self.browser.driver.get_cookies(), self.page_tokens())
            for choice in plan.choices:
                if choice.court != court:
                    continue
                web_id = options.get(normalize(engine.adapter.slot_label(choice.slot)))
                if web_id is None:
                    self.notes.append(f"court {court}: no slot {choice.slot.label!r} in the form")
                    continue
                self.schedule_ids[choice] = web_id
                if replay is not None:
                    try:
                        replay.prepare(choice, snapshot, web_id, None, self.computed_fields(choice))
                    except Unavailable as exc:
                        self.notes.append(f"replay: {exc}")
                        replay = None
        if replay is not None:
            self.paths.append(replay)

    # --- the member's reservation list -------------------------------------------

    def reservation_rows(self) -> list[dict]:
        """The member's list: from the browser if one is open, else the door, else a browser."""
        if self.browser is None:
            client = self.door_client()
            if client is not None:
                try:
                    return client.reservations()
                except (Unavailable, TransportError) as exc:
                    self.notes.append(f"verify: door list: {exc}")
                    self._door_listing = False
            self.ensure_browser()
        return ReservationList(self.browser.driver, self.engine.profile).rows(self.list_context())

    def door_client(self) -> DoorClient | None:
        """The door's client when the profile lists reservations through it."""
        door = self.engine.profile["door"]
        if not (self._door_listing and door.get("enabled") and door.get("reservations")):
            return None
        for path in self.paths:
            if path.name == "door":
                return path.client
        creds = self.credentials
        return DoorClient(self.engine.profile, self.engine.adapter, creds.username, creds.password)

    # --- evidence and closing ----------------------------------------------------

    def keep_evidence(self, name: str, reply: Reply | None = None) -> dict:
        """Screenshot + HTML of the failure (the reply itself when we have it)."""
        directory = self.engine.settings.evidence_dir / self.run_id
        return keep_evidence(self.browser, directory, name, reply, self.notes)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for path in self.paths:
            path.close()
        if self.browser is not None:
            with self.watch.step("close"):
                self.quit_browser()

    def __enter__(self) -> PortalSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
