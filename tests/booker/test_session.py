"""Firing a session, with scripted submit paths and reservation list (no portal, no browser).

The lease guard is asked immediately before every submit; a submit whose
reply was uncertain is checked against the member's list before a "slot
taken" or a failure is reported. The same rules against the real demo
portal are in test_engine_live.py.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from booker.clock import ClockEstimate
from booker.engine import BookingEngine, Credentials, EngineSettings
from booker.pages import PageError
from booker.profiles import default_profile
from booker.rawhttp import TransportError
from booker.results import REASONS, Outcome
from booker.session import BookingSession
from booker.submit import Reply

from .conftest import SLOT_7, SLOT_8, plan_for

DAY = datetime(2031, 3, 12, tzinfo=UTC).date()


class FakePortal:
    """The member's reservation list, and a log of what the engine did, in order."""

    def __init__(self):
        self.rows: list[dict] = []
        self.events: list[str] = []

    def book(self, slot=SLOT_7, court: int = 5) -> None:
        self.rows.append({"id": "41", "area": str(court), "day": "2031-3-12", "slot": slot.label})

    def reservations(self) -> list[dict]:
        self.events.append("list")
        return list(self.rows)


class ScriptedPath:
    """A submit path whose replies are scripted: an outcome, a callable, or an exception."""

    def __init__(self, name: str, portal: FakePortal, script: list):
        self.name, self.portal, self.script = name, portal, list(script)
        self.client = portal  # what the session lists reservations through
        self.sent: list = []
        self.arm_failures = 0  # arm() raises this many times first (a form page's 500)

    def ready(self, choice) -> bool:
        return True

    def warm(self) -> None:
        pass

    def arm(self, choice) -> None:
        self.portal.events.append(f"arm:{self.name}")
        if self.arm_failures:
            self.arm_failures -= 1
            raise PageError("the portal answered an error page instead of 'select#schedule'")

    def send(self, choice) -> Reply:
        self.portal.events.append(f"send:{self.name}")
        self.sent.append(choice)
        step = self.script.pop(0) if self.script else "not_open"
        if isinstance(step, Exception):
            raise step
        if callable(step):
            step = step(self.portal)
        now = time.time_ns()
        return Reply(step, f"portal said {step}", now, now + 1_000_000, 200)

    def close(self) -> None:
        pass


@pytest.fixture
def fire(tmp_path, monkeypatch):
    """``fire(scripts, choices, may_submit=None)`` → (result, portal, paths).

    Every script ends the session by itself (success, a final refusal, a lost
    lease), so the default retry window is only a bound; a test that means
    the window to run out passes a short one.
    """
    monkeypatch.setattr("booker.session.VERIFY_PAUSES_S", (0.0, 0.01, 0.01))

    def run(
        scripts: dict[str, list], choices=((5, SLOT_7),), may_submit=None, window=10.0,
        arm_failures=0, watch_s=None,
    ):  # fmt: skip
        settings = EngineSettings(evidence_dir=tmp_path, paths=tuple(scripts), warm_ahead_ms=0)
        profile = default_profile("http://127.0.0.1:9")
        if watch_s is not None:
            profile["submission"]["release_watch_s"] = watch_s
        engine = BookingEngine(profile, settings)
        plan = plan_for(DAY, *choices, retry_window_s=window)
        session = BookingSession(engine, Credentials("101", "secret"), plan)
        portal = FakePortal()
        paths = [ScriptedPath(name, portal, script) for name, script in scripts.items()]
        paths[0].arm_failures = arm_failures
        session.paths = paths
        session.schedule_ids = {choice: "1002" for choice in plan.choices}
        session.clock = ClockEstimate(offset_ns=0, uncertainty_ns=0, rtt_ns=0, probes=0)
        guard = None
        if may_submit is not None:

            def guard():
                portal.events.append("guard")
                return may_submit()

        result = session.fire(datetime.now(UTC), may_submit=guard)
        session.close()
        return result, portal, paths

    return run


# --- the lease guard -------------------------------------------------------------


def test_a_lease_lost_after_the_first_submit_stops_the_second(fire):
    answers = iter([True, False])
    result, portal, [door] = fire(
        {"door": ["not_open", "success"]}, may_submit=lambda: next(answers)
    )

    assert result.outcome == Outcome.LEASE_LOST
    assert not result.ok
    assert result.reason == REASONS[Outcome.LEASE_LOST]
    assert "Another worker took this booking over" in result.reason
    assert len(door.sent) == 1
    assert [a.outcome for a in result.attempts] == ["not_open"]
    assert "lease lost before submit 2" in result.detail
    # Asked immediately before each submit, after the path got ready.
    assert portal.events == ["arm:door", "guard", "send:door", "arm:door", "guard"]


def test_the_guard_is_asked_before_a_fallback_path_submits_too(fire):
    calls = []

    def may_submit():
        calls.append(1)
        return len(calls) <= 3  # the door's three tries; not the replay's

    failures = [TransportError("connection refused")] * 3
    result, portal, [door, replay] = fire(
        {"door": failures, "replay": ["success"]}, may_submit=may_submit
    )
    assert result.outcome == Outcome.LEASE_LOST
    assert len(door.sent) == 3
    assert replay.sent == []
    assert portal.events[-2:] == ["arm:replay", "guard"]


def test_with_no_guard_the_session_submits_as_before(fire):
    result, portal, [door] = fire({"door": ["not_open", "success"]})
    assert result.outcome == Outcome.UNVERIFIED  # the scripted portal books nothing
    assert len(door.sent) == 2
    assert "guard" not in portal.events


def test_a_guard_that_raises_stops_without_submitting(fire):
    def broken():
        raise RuntimeError("lease table unreachable")

    result, _portal, [door] = fire({"door": ["success"]}, may_submit=broken)
    assert result.outcome == Outcome.ERROR
    assert door.sent == []
    assert "lease table unreachable" in result.detail


# --- uncertain submits -------------------------------------------------------------


def booked_but_500(portal: FakePortal) -> str:
    """The portal books the slot, then fails to say so."""
    portal.book(SLOT_7)
    return "server_error"


def booked_but_timed_out(portal: FakePortal) -> str:
    portal.book(SLOT_7)
    raise TransportError("bad or no answer: timed out")


def test_slot_taken_after_an_uncertain_submit_is_our_own_booking(fire):
    result, _portal, [door] = fire(
        {"door": [booked_but_500, "slot_taken", "success"]}, choices=((5, SLOT_7), (5, SLOT_8))
    )
    assert result.outcome == Outcome.BOOKED, result.to_dict()
    assert result.verified
    assert result.choice == {"court": 5, "slot": SLOT_7.label}
    assert result.confirmation["reservation_id"] == "41"
    assert result.message == ""  # not the portal's "slot taken"
    # The alternative was never submitted: that would have booked twice.
    assert [c.slot for c in door.sent] == [SLOT_7, SLOT_7]
    assert [a.outcome for a in result.attempts] == ["server_error", "slot_taken"]
    assert "found in the reservation list after an uncertain submit" in result.detail


@pytest.mark.parametrize("uncertain", [booked_but_500, booked_but_timed_out])
def test_a_final_failure_after_an_uncertain_submit_is_checked_against_the_list(fire, uncertain):
    result, _portal, _paths = fire({"door": [uncertain] + ["server_error"] * 500}, window=0.05)
    assert result.outcome == Outcome.BOOKED, result.to_dict()
    assert result.verified
    assert result.confirmation["row"]["slot"] == SLOT_7.label


def test_a_failure_not_found_in_the_list_is_reported_as_it_is(fire):
    result, portal, _paths = fire({"door": ["server_error"] * 500}, window=0.05)
    assert result.outcome == Outcome.PORTAL_ERROR
    assert portal.events.count("list") == 3  # looked, with pauses, before saying so


def test_an_uncertain_submit_not_in_the_list_moves_on_to_the_alternative(fire):
    result, portal, [door] = fire(
        {"door": ["server_error", "slot_taken", "success"]}, choices=((5, SLOT_7), (5, SLOT_8))
    )
    assert [c.slot for c in door.sent] == [SLOT_7, SLOT_7, SLOT_8]
    # The list is read once, after "slot taken" and before the alternative.
    assert portal.events[:7] == ["arm:door", "send:door"] * 2 + ["list", "arm:door", "send:door"]
    assert [a.outcome for a in result.attempts] == ["server_error", "slot_taken", "success"]
    assert result.outcome == Outcome.UNVERIFIED  # the scripted portal books nothing


def unreadable_list(monkeypatch) -> None:
    """The member's list cannot be read (its page errs, its script never finishes)."""

    def rows(session):
        raise PageError("element not found: 'table#results[data-state=loaded]'")

    monkeypatch.setattr(BookingSession, "reservation_rows", rows)


def test_slot_taken_after_an_uncertain_submit_is_not_reported_when_the_list_is_unreadable(
    fire, monkeypatch
):
    unreadable_list(monkeypatch)
    result, portal, _paths = fire({"door": [booked_but_500, "slot_taken"]})
    assert portal.rows  # the member holds it: "every slot was taken" would be false
    assert result.outcome == Outcome.UNKNOWN, result.to_dict()
    assert "may be the member's own" in result.detail


def test_no_alternative_is_booked_on_top_when_the_list_is_unreadable(fire, monkeypatch):
    unreadable_list(monkeypatch)
    result, _portal, [door] = fire(
        {"door": [booked_but_500, "slot_taken", "success"]}, choices=((5, SLOT_7), (5, SLOT_8))
    )
    assert [c.slot for c in door.sent] == [SLOT_7, SLOT_7]
    assert result.outcome == Outcome.UNKNOWN, result.to_dict()
    assert result.choice == {"court": 5, "slot": SLOT_7.label}


def test_slot_taken_without_an_uncertain_submit_moves_on_without_reading_the_list(fire):
    result, portal, [door] = fire(
        {"door": ["slot_taken", "slot_taken"]}, choices=((5, SLOT_7), (5, SLOT_8))
    )
    assert result.outcome == Outcome.SLOT_TAKEN
    assert len(door.sent) == 2
    assert "list" not in portal.events


def _books(portal: FakePortal) -> str:
    portal.book()
    return "success"


def test_a_form_page_that_fails_before_a_submit_is_retried_within_the_window(fire):
    result, portal, (path,) = fire({"door": [_books]}, arm_failures=2)
    assert result.outcome == Outcome.BOOKED, result.to_dict()
    assert portal.events[:4] == ["arm:door", "arm:door", "arm:door", "send:door"]
    assert len(path.sent) == 1
    assert "the form could not be opened" in result.detail


def test_a_form_page_that_keeps_failing_ends_as_a_portal_error_without_a_submit(fire):
    result, _, (path,) = fire({"replay": []}, arm_failures=10**6, window=0.3)
    assert result.outcome == Outcome.PORTAL_ERROR
    assert path.sent == []
    assert result.attempts == []


# --- the release watch ---------------------------------------------------------


def test_a_portal_still_closed_after_the_window_is_watched_until_it_opens(fire):
    opens_at = time.monotonic() + 1.2  # the portal opens late, past the 0.2 s window

    def late(portal):
        if time.monotonic() < opens_at:
            return "not_open"
        portal.book()
        return "success"

    script = [late] * 40
    result, _portal, _paths = fire({"door": script}, window=0.2, watch_s=5.0)

    assert result.outcome == Outcome.BOOKED, result.to_dict()
    assert "still not open 0.2 s after the release: watching until 5 s after it" in result.detail
    opened = result.opened
    assert opened["not_open_until_ms"] < opened["open_by_ms"]
    assert 900 <= opened["open_by_ms"] <= 4000
    assert opened["not_open_replies"] == len(result.attempts) - 1
    # Slower than the window's retries: a few asks a second, not hundreds.
    assert len(result.attempts) < 40


def test_a_portal_that_never_opens_is_given_up_when_the_watch_ends(fire):
    started = time.monotonic()
    result, _portal, _paths = fire({"door": []}, window=0.1, watch_s=1.5)

    took = time.monotonic() - started
    assert result.outcome == Outcome.NOT_OPEN
    assert 1.4 <= took <= 4.0
    assert result.opened["open_by_ms"] is None
    pauses = [
        (b.sent_at_ns - a.sent_at_ns) / 1e6
        for a, b in zip(result.attempts, result.attempts[1:], strict=False)
    ]
    assert max(pauses) > 300  # the watch's pauses grow past the window's 100 ms cap


def test_a_profile_without_a_watch_gives_up_with_the_window(fire):
    started = time.monotonic()
    result, _portal, _paths = fire({"door": []}, window=0.2, watch_s=0)

    assert result.outcome == Outcome.NOT_OPEN
    assert time.monotonic() - started < 1.5
    assert "watching" not in result.detail


def test_a_booking_that_never_heard_not_yet_open_records_no_opening(fire):
    def books(portal):
        portal.book()
        return "success"

    result, _portal, _paths = fire({"door": [books]})

    assert result.outcome == Outcome.BOOKED
    assert result.opened is None
