"""A prepared booking session: wait precisely, submit, classify, retry, verify.

Built by ``prepare.prepare_session`` (browser logged in, forms read, ids
resolved, requests prebuilt, clock synced). ``fire(release_at)`` does the
rest and always returns a ``BookingResult``; ``close()`` quits the browser.

``release_browser()`` gives the browser (and its pool slot) back while
keeping what the HTTP paths need: the door's and the replay's prebuilt
requests, the session cookies, the slot ids, the clock. Afterwards the
session keeps its portal session alive over HTTP, submits over HTTP, verifies
through the door's reservation list, and relaunches a browser under the
engine's pool only when it must (browser fallback, re-login, a list only the
web pages show); a relaunched browser is quit again when ``fire`` ends.
"""

from __future__ import annotations

import logging
import time
import uuid
from datetime import datetime

from selenium.common.exceptions import WebDriverException

from .browser import BrowserSession, BrowserSettings
from .browser_path import BrowserPath
from .evidence import keep_evidence
from .pages import LoginPage, PageError, ReservationForm, ReservationList
from .rawhttp import TransportError
from .replay import session_alive
from .results import REASONS, AttemptRecord, BookingResult, Choice, Outcome
from .submit import Reply, Unavailable
from .timing import Stopwatch, ms, wait_until
from .verify import find_booking

log = logging.getLogger(__name__)

MAX_PAUSE_MS = 100.0
# Connection failures in a row after which an HTTP path gives way to the next one.
MAX_TRANSPORT_FAILURES = 3
# How each reply moves the loop: retry the same choice, next choice, or stop.
RETRY = {"not_open", "server_error", "transport_error"}
FINAL = {
    "quota": Outcome.QUOTA,
    "bad_credentials": Outcome.LOGIN_FAILED,
    "unknown": Outcome.UNKNOWN,
}


def to_ns(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("the release instant must be an aware datetime")
    return round(moment.timestamp() * 1e6) * 1000


class BookingSession:
    """State shared by preparation and firing; one per account and plan."""

    def __init__(self, engine, credentials, plan):
        self.engine, self.credentials, self.plan = engine, credentials, plan
        self.run_id = plan.run_id or uuid.uuid4().hex[:12]
        self.watch = Stopwatch()
        self.browser = None
        self.dashboard_url = ""
        self.existing: tuple[Choice, dict] | None = None
        self.area_names: dict[int, str] = {}
        self.schedule_ids: dict[Choice, str] = {}
        self.paths: list = []
        self.clock = None
        self.notes: list[str] = []
        self.form_court: int | None = None
        self.extra_fields = {"comments": plan.comments} if plan.comments else {}
        self.released = False  # release_browser() was called: HTTP first, browser on demand
        self.cookies: list[dict] = []  # the portal session's cookies, kept for HTTP use
        self._closed = False

    @property
    def path_names(self) -> tuple[str, ...]:
        profile = self.engine.profile
        return tuple(self.engine.settings.paths or profile["submission"]["paths"])

    def submit_order(self) -> list:
        """The ready paths in the configured order (the browser joins if listed)."""
        paths = list(self.paths)
        if "browser" in self.path_names and not any(p.name == "browser" for p in paths):
            paths.append(BrowserPath(self))
        order = {name: i for i, name in enumerate(self.path_names)}
        return sorted((p for p in paths if p.name in order), key=lambda p: order[p.name])

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

    def ensure_browser(self) -> None:
        """A live, logged-in browser: relaunched under the pool after ``release_browser``."""
        if self.browser is not None:
            return
        self.launch_browser()
        with self.watch.step("login"):
            self.dashboard_url = LoginPage(self.browser.driver, self.engine.profile).login(
                self.credentials.username, self.credentials.password
            )
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
        try:
            self.cookies = self.browser.driver.get_cookies()
        except WebDriverException as exc:
            self.notes.append(f"release: cookies not read: {exc}")
        with self.watch.step("release_browser"):
            self._quit_browser()
        self.released, self.form_court = True, None
        return True

    def _quit_browser(self) -> None:
        browser, self.browser = self.browser, None
        if browser is None:
            return
        try:
            browser.close()
        finally:
            self.engine.browser_pool.release()

    def open_form(self, court: int) -> None:
        context = {
            "area": str(court),
            "day": self.engine.adapter.format_day(self.plan.day),
            "dashboard_url": self.dashboard_url,
        }
        ReservationForm(self.browser.driver, self.engine.profile).open(context)
        self.form_court = court

    # --- firing -------------------------------------------------------------------

    def fire(self, release_at: datetime) -> BookingResult:
        """Wait for the portal's ``release_at``, submit, and tell the truth about it."""
        if self._closed:
            raise RuntimeError("this session is closed")
        release_ns = to_ns(release_at)
        result = BookingResult(Outcome.ERROR, release_at=release_at.isoformat())
        result.clock = self.clock.to_dict() if self.clock else None
        try:
            self._fire(release_ns, result)
        except (PageError, WebDriverException, TransportError, OSError) as exc:
            result.outcome = Outcome.ERROR
            result.detail = f"{type(exc).__name__}: {getattr(exc, 'msg', None) or exc}"
            log.exception("booker.fire_failed run=%s", self.run_id)
        if not result.ok and not result.evidence:
            with self.watch.step("evidence"):
                result.evidence = self.keep_evidence(result.outcome.value, self._last_reply)
        if self.released and self.browser is not None:
            self._quit_browser()  # relaunched for a fallback: its slot serves others now
        result.reason = REASONS[result.outcome]
        if self.notes:
            result.detail = "; ".join(filter(None, [result.detail, *self.notes]))
        result.timings = self.watch.steps
        return result

    _last_reply: Reply | None = None

    def _fire(self, release_ns: int, result: BookingResult) -> None:
        plan, settings = self.plan, self.engine.settings
        submission = self.engine.profile["submission"]
        if self.existing:
            choice, row = self.existing
            result.outcome, result.verified = Outcome.ALREADY_BOOKED, True
            result.choice, result.confirmation = choice.to_dict(), _confirmation(row)
            return
        offset, one_way = self.clock.offset_ns, self.clock.rtt_ns // 2
        target = release_ns - offset + round(submission["arrive_after_ms"] * 1e6) - one_way
        with self.watch.step("wait"):
            wait_until(target - round(settings.warm_ahead_ms * 1e6), tick=self._keepalive)
        paths = self.submit_order()
        with self.watch.step("warm"):
            for path in paths:
                try:
                    path.warm()
                except (TransportError, WebDriverException, PageError) as exc:
                    self.notes.append(f"{path.name}: warm-up failed: {exc}")
        wait_until(target)
        result.choice = plan.choices[0].to_dict()
        if plan.dry_run:
            result.outcome = Outcome.DRY_RUN
            self.notes.append(f"would submit through {paths[0].name if paths else 'nothing'}")
            return
        self._submit_loop(paths, target, release_ns, result)

    def _submit_loop(self, paths, target, release_ns, result) -> None:
        plan, settings = self.plan, self.engine.settings
        submission = self.engine.profile["submission"]
        window = plan.retry_window_s if plan.retry_window_s is not None else settings.retry_window_s
        deadline = target + round(window * 1e9)
        choices = [c for c in plan.choices if c in self.schedule_ids]
        index, relogged, retries = 0, False, 0
        failures: dict[str, int] = {}  # transport failures in a row, per path
        last = "not_open"
        while index < len(choices) and len(result.attempts) < submission["max_attempts"]:
            choice = choices[index]
            path = next((p for p in paths if p.ready(choice)), None)
            if path is None:
                index += 1
                continue
            try:
                with self.watch.step("submit", path=path.name, choice=choice.slot.label):
                    reply = path.send(choice)
            except Unavailable as exc:
                self.notes.append(f"{path.name}: {exc}")
                paths.remove(path)
                continue
            except TransportError as exc:
                now = time.time_ns()
                reply = Reply("transport_error", str(exc), now, now)
            failed = reply.outcome == "transport_error"
            failures[path.name] = failures.get(path.name, 0) + 1 if failed else 0
            self._last_reply = reply
            result.attempts.append(self._record(choice, path.name, reply, release_ns))
            result.message, result.choice, last = reply.message, choice.to_dict(), reply.outcome
            if reply.outcome == "success":
                self._verify(choice, result)
                return
            if reply.outcome == "slot_taken":
                index += 1
                continue
            if reply.outcome == "session_expired" and not relogged:
                relogged = True
                from .prepare import relogin

                relogin(self)
                paths = self.submit_order()
                continue
            if failures[path.name] >= MAX_TRANSPORT_FAILURES and len(paths) > 1:
                # An unreachable door or dead socket: the next path (maybe the browser) may work.
                self.notes.append(f"{path.name}: gave way after {failures[path.name]} failures")
                paths.remove(path)
                continue
            if reply.outcome in RETRY and time.time_ns() < deadline:
                # At once at first, then gently slower: the portal must not be hammered.
                retries += 1
                pause_ms = min(submission["retry_interval_ms"] * 1.1**retries, MAX_PAUSE_MS)
                time.sleep(pause_ms / 1000)
                continue
            break
        if index >= len(choices):
            result.outcome = Outcome.SLOT_TAKEN
        elif last in FINAL:
            result.outcome = FINAL[last]
        elif last == "not_open":
            result.outcome = Outcome.NOT_OPEN
        elif last in RETRY:
            result.outcome = Outcome.PORTAL_ERROR
        else:
            result.outcome = Outcome.UNKNOWN

    def _record(self, choice: Choice, path: str, reply: Reply, release_ns: int) -> AttemptRecord:
        portal_sent = reply.sent_ns + self.clock.offset_ns
        return AttemptRecord(
            choice=choice.to_dict(),
            path=path,
            outcome=reply.outcome,
            message=reply.message,
            sent_at_ns=reply.sent_ns,
            portal_sent_ns=portal_sent,
            ms_after_release=ms(portal_sent - release_ns),
            round_trip_ms=ms(reply.received_ns - reply.sent_ns),
            http_status=reply.status,
        )

    def _verify(self, choice: Choice, result: BookingResult) -> None:
        with self.watch.step("verify"):
            for pause in (0.0, 0.5, 1.5):  # a portal may list the booking a moment later
                time.sleep(pause)
                found = find_booking(
                    self.engine, self.plan, self._reservation_rows(), self.area_names, only=choice
                )
                if found:
                    result.outcome, result.verified = Outcome.BOOKED, True
                    result.confirmation = _confirmation(found[1])
                    return
        result.outcome = Outcome.UNVERIFIED

    def _reservation_rows(self) -> list[dict]:
        """The member's list: from the browser if one is open, else the door, else a browser."""
        if self.browser is None:
            client = self._door_client()
            if client is not None:
                try:
                    return client.reservations()
                except (Unavailable, TransportError) as exc:
                    self.notes.append(f"verify: door list: {exc}")
                    self._door_listing = False
            self.ensure_browser()
        return ReservationList(self.browser.driver, self.engine.profile).rows()

    _door_listing = True

    def _door_client(self):
        """The door's client when the profile lists reservations through it."""
        door = self.engine.profile["door"]
        if not (self._door_listing and door.get("enabled") and door.get("reservations")):
            return None
        for path in self.paths:
            if path.name == "door":
                return path.client
        from .http_door import DoorClient

        creds = self.credentials
        return DoorClient(self.engine.profile, self.engine.adapter, creds.username, creds.password)

    _last_keepalive = 0.0

    def _keepalive(self) -> None:
        """Touch the portal now and then while waiting, so the session stays alive."""
        now = time.monotonic()
        if not self._last_keepalive:
            self._last_keepalive = now
        if now - self._last_keepalive < self.engine.settings.keepalive_s:
            return
        self._last_keepalive = now
        if self.browser is None:
            self._keepalive_http()
            return
        try:
            with self.watch.step("keepalive"):
                self.open_form(self.form_court or self.plan.choices[0].court)
        except (PageError, WebDriverException) as exc:
            self.notes.append(f"keepalive failed: {exc}")
            from .prepare import relogin

            relogin(self)

    def _keepalive_http(self) -> None:
        """Touch the portal session with its cookies; log in again if it expired.

        Only the replay needs the session (the door sends the password on
        every call). A re-login takes a browser under the pool, rebuilds the
        replay requests with the new cookies, and gives the browser back.
        """
        if not any(p.name == "replay" for p in self.paths):
            return
        try:
            with self.watch.step("keepalive", via="http"):
                alive = session_alive(self.engine.profile, self.cookies)
        except TransportError as exc:
            self.notes.append(f"keepalive failed: {exc}")
            return
        if alive:
            return
        from .prepare import relogin

        try:
            relogin(self)
            self.release_browser()
        except (PageError, WebDriverException, OSError) as exc:
            self.notes.append(f"keepalive: re-login failed: {exc}")
            self._quit_browser()

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
                self._quit_browser()

    def __enter__(self) -> BookingSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _confirmation(row: dict) -> dict:
    return {"reservation_id": row.get("id", ""), "row": row}
