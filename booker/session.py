"""Firing a prepared session: wait precisely, submit, classify, retry, verify.

Built by ``prepare.prepare_session`` (browser logged in, forms read, ids
resolved, requests prebuilt, clock synced; see ``portal_session``).
``fire(release_at, may_submit=None)`` does the rest and always returns a
``BookingResult``; ``close()`` quits the browser.

Two rules keep a member from being booked twice or told a wrong story:

- ``may_submit`` (the caller's lease check) is asked immediately before
  every submit, re-tries and browser fallbacks included; once it says no,
  nothing more is sent and the outcome is ``lease_lost``.
- A submit whose reply does not say what happened (5xx, timeout, transport
  error, an unrecognised page) may have booked. A later "slot taken" for
  that choice, or a final failure, is checked against the member's own
  reservation list first: found there, the outcome is ``booked``.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime

from selenium.common.exceptions import WebDriverException

from .browser_path import BrowserPath
from .pages import LoginFailed, PageError
from .portal_session import PortalSession
from .rawhttp import TransportError
from .results import REASONS, AttemptRecord, BookingResult, Choice, Outcome, ReplyKind
from .submit import Reply, Unavailable
from .timing import ms, wait_until
from .verify import find_booking

log = logging.getLogger(__name__)

MAX_PAUSE_MS = 100.0
# The release watch (still "not yet open" after the retry window): the first
# pause, how much longer each next one is, the longest, and their jitter.
WATCH_FIRST_PAUSE_MS, WATCH_GROWTH, WATCH_MAX_PAUSE_MS, WATCH_JITTER = 250.0, 1.5, 5000.0, 0.2
# Connection failures in a row after which an HTTP path gives way to the next one.
MAX_TRANSPORT_FAILURES = 3
# How each reply moves the loop: retry the same choice, next choice, or stop.
RETRY = {ReplyKind.NOT_OPEN, ReplyKind.SERVER_ERROR, ReplyKind.TRANSPORT_ERROR}
FINAL = {
    ReplyKind.QUOTA: Outcome.QUOTA,
    ReplyKind.BAD_CREDENTIALS: Outcome.LOGIN_FAILED,
    ReplyKind.UNKNOWN: Outcome.UNKNOWN,
}
# Replies after which the portal may or may not hold the booking.
UNCERTAIN = {ReplyKind.SERVER_ERROR, ReplyKind.TRANSPORT_ERROR, ReplyKind.UNKNOWN}
# A portal may list a booking a moment after it said yes.
VERIFY_PAUSES_S = (0.0, 0.5, 1.5)
# A list read that failed is tried again this soon, this many times in a row at most.
LIST_RETRY_S = 0.3
MAX_LIST_FAILURES = 4
ENGINE_FAILURES = (PageError, LoginFailed, WebDriverException, TransportError, OSError)
# What getting a path ready may fail with, before anything is sent (a form page's
# 500, a navigation that timed out): retried within the window like a 5xx.
ARM_FAILURES = (PageError, WebDriverException, TransportError)
# Final failures not checked against the list after uncertain submits: the
# worker that took the lease over checks it itself, and an unverified
# success has just been looked for.
NOT_RECONCILED = {Outcome.LEASE_LOST, Outcome.UNVERIFIED, *(o for o in Outcome if o.ok)}


def to_ns(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("the release instant must be an aware datetime")
    return round(moment.timestamp() * 1e6) * 1000


class BookingSession(PortalSession):
    """A prepared session, ready to fire once at the release instant."""

    _last_reply: Reply | None = None

    def __init__(self, engine, credentials, plan):
        super().__init__(engine, credentials, plan)
        self.uncertain: list[Choice] = []  # choices submitted without a clear answer

    def submit_order(self) -> list:
        """The ready paths in the configured order (the browser joins if listed)."""
        paths = list(self.paths)
        if "browser" in self.path_names and not any(p.name == "browser" for p in paths):
            paths.append(BrowserPath(self))
        order = {name: i for i, name in enumerate(self.path_names)}
        return sorted((p for p in paths if p.name in order), key=lambda p: order[p.name])

    def fire(
        self, release_at: datetime, may_submit: Callable[[], bool] | None = None
    ) -> BookingResult:
        """Wait for the portal's ``release_at``, submit, and tell the truth about it.

        ``may_submit``, if given, is called with no argument immediately
        before every submit; when it returns False the attempt stops without
        submitting (``Outcome.LEASE_LOST``). It should be quick (it runs at
        the release instant); if it raises, the attempt stops too (``error``).
        """
        if self._closed:
            raise RuntimeError("this session is closed")
        release_ns = to_ns(release_at)
        result = BookingResult(Outcome.ERROR, release_at=release_at.isoformat())
        result.clock = self.clock.to_dict() if self.clock else None
        try:
            self._fire(release_ns, result, may_submit)
        except ENGINE_FAILURES as exc:
            result.outcome = Outcome.ERROR
            result.detail = f"{type(exc).__name__}: {getattr(exc, 'msg', None) or exc}"
            log.exception("booker.fire_failed run=%s", self.run_id)
        if self.uncertain and result.outcome not in NOT_RECONCILED:
            self._reconcile(result, self.uncertain, VERIFY_PAUSES_S)
        if not result.ok and not result.evidence:
            with self.watch.step("evidence"):
                result.evidence = self.keep_evidence(result.outcome.value, self._last_reply)
        if self.released and self.browser is not None:
            self.quit_browser()  # relaunched for a fallback: its slot serves others now
        result.reason = REASONS[result.outcome]
        if self.notes:
            result.detail = "; ".join(filter(None, [result.detail, *self.notes]))
        result.timings = self.watch.steps
        return result

    def _fire(self, release_ns: int, result: BookingResult, may_submit) -> None:
        plan, settings = self.plan, self.engine.settings
        submission = self.engine.profile["submission"]
        if self.existing:
            self._booked(result, self.existing, Outcome.ALREADY_BOOKED)
            return
        # Never early: aim past the release by the clock's own uncertainty (clock.send_at).
        arrive_after = round(submission["arrive_after_ms"] * 1e6)
        target = self.clock.send_at(release_ns, arrive_after)
        if result.clock is not None:
            result.clock["aimed_after_release_ms"] = ms(arrive_after + self.clock.uncertainty_ns)
            result.clock["could_be_off_ms"] = ms(self.clock.uncertainty_ns)
        with self.watch.step("wait", fire_at=self.plan_release_iso(release_ns)):
            wait_until(target - round(settings.warm_ahead_ms * 1e6))
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
        self._submit_loop(paths, target, release_ns, result, may_submit)
        result.opened = _opening(result.attempts)

    def _submit_loop(self, paths, target, release_ns, result, may_submit) -> None:
        plan, settings = self.plan, self.engine.settings
        submission = self.engine.profile["submission"]
        window = plan.retry_window_s if plan.retry_window_s is not None else settings.retry_window_s
        deadline = target + round(window * 1e9)
        watch_until = target + round(submission["release_watch_s"] * 1e9)
        choices = [c for c in plan.choices if c in self.schedule_ids]
        index, relogged, retries, watched = 0, False, 0, 0
        failures: dict[str, int] = {}  # transport failures in a row, per path
        last = ReplyKind.NOT_OPEN
        while index < len(choices) and len(result.attempts) < submission["max_attempts"]:
            choice = choices[index]
            path = next((p for p in paths if p.ready(choice)), None)
            if path is None:
                index += 1
                continue
            try:
                path.arm(choice)  # a browser fallback gets its form on screen first
            except ARM_FAILURES as exc:
                # Nothing was sent: the form's page failed (a 500, a page that never
                # loaded). Try again while the window is open, gently.
                self.notes.append(f"{path.name}: the form could not be opened ({exc})")
                last = ReplyKind.SERVER_ERROR
                if time.time_ns() >= deadline:
                    break
                retries += 1
                time.sleep(min(submission["retry_interval_ms"] * 1.1**retries, MAX_PAUSE_MS) / 1000)
                continue
            if not self._may_submit(may_submit, result):
                return
            try:
                with self.watch.step("submit", path=path.name, choice=choice.slot.label):
                    reply = path.send(choice)
            except Unavailable as exc:
                self.notes.append(f"{path.name}: {exc}")
                paths.remove(path)
                continue
            except TransportError as exc:
                now = time.time_ns()
                reply = Reply(ReplyKind.TRANSPORT_ERROR, str(exc), now, now)
            finally:
                self.http_submitted = self.http_submitted or path.name != "browser"
            failed = reply.outcome == ReplyKind.TRANSPORT_ERROR
            failures[path.name] = failures.get(path.name, 0) + 1 if failed else 0
            if reply.outcome in UNCERTAIN and choice not in self.uncertain:
                self.uncertain.append(choice)
            self._last_reply = reply
            record = self._record(choice, path.name, reply, release_ns)
            result.attempts.append(record)
            self.watch.mark(
                "reply",
                path=path.name,
                choice=choice.slot.label,
                court=choice.court,
                outcome=record.outcome,
                message=reply.message,
                ms_after_release=record.ms_after_release,
                round_trip_ms=record.round_trip_ms,
            )
            result.message, result.choice, last = reply.message, choice.to_dict(), reply.outcome
            if reply.outcome == ReplyKind.SUCCESS:
                self._verify(choice, result)
                return
            if reply.outcome == ReplyKind.SLOT_TAKEN:
                # Taken by our own earlier submit? Then moving on would book twice.
                held = (
                    self._reconcile(result, [choice], (0.0,)) if choice in self.uncertain else False
                )
                if held:
                    return
                if held is None:
                    # No list to tell: the taker may be us, and an alternative one too many.
                    result.outcome = Outcome.UNKNOWN
                    self.notes.append(
                        f"court {choice.court} {choice.slot.label} was taken after an uncertain "
                        "submit and may be the member's own: no alternative tried"
                    )
                    return
                index += 1
                continue
            if reply.outcome == ReplyKind.SESSION_EXPIRED and not relogged:
                relogged = True
                self.relogin()
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
            now = time.time_ns()
            if reply.outcome == ReplyKind.NOT_OPEN and now < watch_until:
                # Rules wrong, a portal late, a clock adrift: the court may still
                # open. Ask on a slower, jittered schedule until the watch ends.
                if not watched:
                    self.notes.append(
                        f"still not open {window:g} s after the release: watching until "
                        f"{submission['release_watch_s']:g} s after it"
                    )
                    self.watch.mark("release_watch", seconds=submission["release_watch_s"])
                watched += 1
                pause_ms = min(
                    WATCH_FIRST_PAUSE_MS * WATCH_GROWTH ** (watched - 1), WATCH_MAX_PAUSE_MS
                )
                pause_ms *= random.uniform(1 - WATCH_JITTER, 1 + WATCH_JITTER)
                time.sleep(min(pause_ms / 1000, max(0.0, (watch_until - now) / 1e9)))
                continue
            break
        result.outcome = _final_outcome(index >= len(choices), last)

    def _may_submit(self, may_submit, result: BookingResult) -> bool:
        """Ask the caller's guard; on no, stop with the outcome and a note saying so."""
        if may_submit is None:
            return True
        number = len(result.attempts) + 1
        try:
            allowed = may_submit()
        except Exception as exc:  # the caller's check must not escape fire()
            result.outcome = Outcome.ERROR
            self.notes.append(f"the lease check before submit {number} failed ({exc!r}): stopped")
            return False
        if allowed:
            return True
        result.outcome = Outcome.LEASE_LOST
        self.notes.append(f"lease lost before submit {number}: stopped without submitting")
        log.warning("booker.lease_lost run=%s before_submit=%d", self.run_id, number)
        return False

    @staticmethod
    def plan_release_iso(release_ns: int) -> str:
        """The release instant (UTC, to the millisecond) for the live countdown."""
        moment = datetime.fromtimestamp(release_ns / 1e9, tz=UTC)
        return moment.isoformat(timespec="milliseconds")

    def _record(self, choice: Choice, path: str, reply: Reply, release_ns: int) -> AttemptRecord:
        portal_sent = reply.sent_ns + self.clock.offset_ns
        return AttemptRecord(
            choice=choice.to_dict(),
            path=path,
            outcome=str(getattr(reply.outcome, "value", reply.outcome)),
            message=reply.message,
            sent_at_ns=reply.sent_ns,
            portal_sent_ns=portal_sent,
            ms_after_release=ms(portal_sent - release_ns),
            round_trip_ms=ms(reply.received_ns - reply.sent_ns),
            http_status=reply.status,
        )

    def _verify(self, choice: Choice, result: BookingResult) -> None:
        try:
            with self.watch.step("verify"):
                found = self._look_up([choice], VERIFY_PAUSES_S)
        except ENGINE_FAILURES as exc:
            self.notes.append(f"the reservation list could not be read to verify: {exc}")
            found = None
        if found:
            self._booked(result, found)
        else:
            result.outcome = Outcome.UNVERIFIED

    def _reconcile(self, result: BookingResult, choices: list[Choice], pauses) -> bool | None:
        """After uncertain submits: is one of ``choices`` in the member's list? Then booked.

        True: found (``result`` says booked); False: not there; None: the list
        could not be read, so nobody knows.
        """
        try:
            with self.watch.step("reconcile"):
                found = self._look_up(choices, pauses)
        except ENGINE_FAILURES as exc:
            self.notes.append(f"reservation list not read after an uncertain submit: {exc}")
            return None
        if found is None:
            return False
        choice, last = found[0], result.attempts[-1].outcome if result.attempts else "none"
        self.notes.append(
            f"court {choice.court} {choice.slot.label} found in the reservation list after "
            f"an uncertain submit (last reply: {last})"
        )
        self._booked(result, found)
        result.message = ""  # the portal's last words ("slot taken"...) would contradict it
        return True

    def _look_up(self, choices: list[Choice], pauses) -> tuple[Choice, dict] | None:
        """The first of ``choices`` the member's list holds, re-reading it after each pause.

        A read that fails (the list's page erred, its script gave up) is not
        an empty list: it is read again after a short pause, up to
        ``MAX_LIST_FAILURES`` times in all, and then the error goes up (a
        reconcile reports it; a verification says ``unverified``).
        """
        failures, index = 0, 0
        while index < len(pauses):
            time.sleep(pauses[index] if failures == 0 else LIST_RETRY_S)
            try:
                rows = self.reservation_rows()
            except ENGINE_FAILURES as exc:
                failures += 1
                if failures >= MAX_LIST_FAILURES:
                    raise
                self.notes.append(f"reservation list read failed ({failures}): {exc}")
                continue
            failures, index = 0, index + 1
            for choice in choices:
                found = find_booking(self.engine, self.plan, rows, self.area_names, only=choice)
                if found:
                    return found
        return None

    @staticmethod
    def _booked(result: BookingResult, found: tuple[Choice, dict], outcome=Outcome.BOOKED) -> None:
        choice, row = found
        result.outcome, result.verified = outcome, True
        result.choice = choice.to_dict()
        result.confirmation = {"reservation_id": row.get("id", ""), "row": row}


def _opening(attempts: list[AttemptRecord]) -> dict | None:
    """When the portal opened, on its clock, as the submits saw it; None if it never said "not yet".

    ``not_open_until_ms``: the last "not yet open" (ms after the computed
    release), ``open_by_ms``: the first answer after it that was not
    (None while it never opened). The opening lies between the two.
    """
    refused = [i for i, a in enumerate(attempts) if a.outcome == ReplyKind.NOT_OPEN]
    if not refused:
        return None
    last = refused[-1]
    after = attempts[last + 1] if last + 1 < len(attempts) else None
    return {
        "not_open_until_ms": attempts[last].ms_after_release,
        "open_by_ms": after.ms_after_release if after is not None else None,
        "not_open_replies": len(refused),
    }


def _final_outcome(every_choice_taken: bool, last: str) -> Outcome:
    if every_choice_taken:
        return Outcome.SLOT_TAKEN
    if last in FINAL:
        return FINAL[last]
    if last == ReplyKind.NOT_OPEN:
        return Outcome.NOT_OPEN
    if last in RETRY:
        return Outcome.PORTAL_ERROR
    return Outcome.UNKNOWN
