"""The engine against a real democlub with real Chromium: release, skew, outcomes.

Releases are 2-3 s ahead. Lateness is measured in bench/release.py, not here:
these tests assert ordering (never before the portal's release) and outcomes.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from booker.engine import PrepareFailed
from booker.results import Outcome

from .conftest import SLOT_7, SLOT_8, credentials, member_attempts, open_soon, plan_for

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("skew_ms", "path"), [(3_400.0, "door"), (-2_600.0, "replay"), (1_700.0, "browser")]
)
def test_it_books_at_the_portals_release_instant_and_verifies(
    democlub, engine, demo_day, skew_ms, path
):
    democlub.control.set_clock(offset_ms=skew_ms)
    day, _ = demo_day
    session = engine(paths=(path,)).prepare(credentials(), plan_for(day, (5, SLOT_7)))
    try:
        assert abs(session.clock.offset_ns / 1e6 - skew_ms) < 25
        result = session.fire(open_soon(democlub, day, 2.0))
    finally:
        session.close()

    assert result.outcome == Outcome.BOOKED, result.to_dict()
    assert result.verified
    assert result.confirmation["row"]["slot"] == SLOT_7.label
    attempts = member_attempts(democlub)
    outcomes = [a["outcome"] for a in attempts]
    assert outcomes[-1] == "success"
    # Never booked twice; never early by more than the clock's uncertainty (a
    # loaded host may make the first try a hair early: it is retried at once).
    assert set(outcomes[:-1]) <= {"not_open"}
    margin_ms = session.clock.uncertainty_ns / 1e6 + 5
    assert attempts[0]["ms_after_release"] >= -margin_ms
    stored = result.to_dict()
    assert stored["attempts"][0]["path"] == path
    assert {"launch", "login", "open_form", "clock_sync", "submit", "verify"} <= set(
        stored["timings_ms"]
    )


def test_a_taken_slot_moves_to_the_next_alternative(democlub, engine, demo_day):
    day, portal_day = demo_day
    democlub.control.add_member("102", "rival-102")
    session = engine().prepare(credentials(), plan_for(day, (5, SLOT_7), (5, SLOT_8)))
    try:
        open_soon(democlub, day, -5.0)  # open already; a rival takes our first choice
        rival = democlub.door("102", "rival-102")
        schedules = rival.schedules(5, portal_day)[1]["schedules"]
        rival.add_reservation(5, portal_day, _door_id(schedules, SLOT_7))
        result = session.fire(_soon(democlub))
    finally:
        session.close()
    assert result.outcome == Outcome.BOOKED, result.to_dict()
    assert result.choice == {"court": 5, "slot": SLOT_8.label}
    assert [a.outcome for a in result.attempts] == ["slot_taken", "success"]


def test_not_yet_open_is_retried_at_once_until_it_opens(democlub, engine, demo_day):
    day, _ = demo_day
    session = engine().prepare(credentials(), plan_for(day, (5, SLOT_7)))
    try:
        opens = open_soon(democlub, day, 2.0)
        # We believe it opens 300 ms earlier than it does.
        result = session.fire(opens - timedelta(milliseconds=300))
    finally:
        session.close()
    assert result.outcome == Outcome.BOOKED, result.to_dict()
    outcomes = [a.outcome for a in result.attempts]
    assert outcomes[-1] == "success"
    assert outcomes[:-1]
    assert set(outcomes[:-1]) == {"not_open"}


def test_the_member_quota_stops_at_once_and_says_so(democlub, engine, demo_day):
    day, _ = demo_day
    democlub.control.set_area(5, member_quota=1)
    door = democlub.door("101", "cancha-demo-101")
    other_day = day - timedelta(days=2)  # open already (8-day rule)
    ids = door.schedules(5, f"{other_day.year}-{other_day.month}-{other_day.day}")[1]
    _, reply = door.add_reservation(5, ids["day"], ids["schedules"][3]["id"])
    assert reply["success"] is True, reply
    session = engine().prepare(credentials(), plan_for(day, (5, SLOT_7), (5, SLOT_8)))
    try:
        result = session.fire(open_soon(democlub, day, 2.0))
    finally:
        session.close()
    assert result.outcome == Outcome.QUOTA
    assert "límite" in result.message
    # Stopped at the quota: no alternative tried, nothing after it.
    assert result.attempts[-1].outcome == "quota"
    assert {a.choice["slot"] for a in result.attempts} == {SLOT_7.label}
    assert Path(result.evidence["screenshot"]).is_file()


def test_a_wrong_password_fails_clearly_without_retries(democlub, engine, demo_day):
    day, _ = demo_day
    with pytest.raises(PrepareFailed) as caught:
        engine().prepare(credentials("wrong-password"), plan_for(day, (5, SLOT_7)))
    result = caught.value.result
    assert result.outcome == Outcome.LOGIN_FAILED
    assert "incorrectos" in result.message
    assert Path(result.evidence["screenshot"]).is_file()
    assert Path(result.evidence["html"]).read_text().count("login_error") >= 1
    assert member_attempts(democlub) == []


def test_injected_server_errors_are_retried_within_the_window(democlub, engine, demo_day):
    day, _ = demo_day
    session = engine(paths=("replay",)).prepare(credentials(), plan_for(day, (5, SLOT_7)))
    healed, stop = threading.Event(), threading.Event()

    def heal_after_the_first_injected_500():
        # Every request fails until the portal has logged one injected 500,
        # then the portal heals: the engine must retry past it. (A partial
        # error rate let the first try through now and then, and a timer
        # could heal before a late first try.)
        while not stop.wait(0.02):
            if any(a["outcome"] == "server_error" for a in member_attempts(democlub)):
                democlub.control.patch_config(error_rate=0)
                healed.set()
                return

    healer = threading.Thread(target=heal_after_the_first_injected_500, daemon=True)
    try:
        opens = open_soon(democlub, day, 2.0)
        democlub.control.patch_config(error_rate=1.0)
        healer.start()
        try:
            result = session.fire(opens)
        finally:
            stop.set()
            healer.join(timeout=10)
            democlub.control.patch_config(error_rate=0)
    finally:
        session.close()
    assert healed.is_set()
    assert result.outcome == Outcome.BOOKED, result.to_dict()
    outcomes = [a.outcome for a in result.attempts]
    assert "server_error" in outcomes
    assert outcomes[-1] == "success"


@pytest.mark.parametrize("path", ["door", "replay"])
def test_a_booking_whose_reply_was_lost_to_a_500_is_reported_booked_not_taken(
    democlub, engine, demo_day, path
):
    day, _ = demo_day
    plan = plan_for(day, (5, SLOT_7), (5, SLOT_8))
    session = engine(paths=(path,)).prepare(credentials(), plan)
    try:
        opens = open_soon(democlub, day, 2.0)
        # The portal books the slot, then answers 500; the retry hears "slot taken".
        democlub.control.patch_config(error_rate=1.0, error_mode="after_booking")
        result = session.fire(opens)
    finally:
        session.close()
    assert result.outcome == Outcome.BOOKED, result.to_dict()
    assert result.verified
    assert result.choice == {"court": 5, "slot": SLOT_7.label}
    assert result.confirmation["row"]["slot"] == SLOT_7.label
    assert [a.outcome for a in result.attempts][-2:] == ["server_error", "slot_taken"]
    # Booked once: the alternative was not booked on top of it.
    held = democlub.control.reservations(member="101")
    assert [r["slot"] for r in held] == [SLOT_7.label]


def test_a_dry_run_does_everything_but_submit(democlub, engine, demo_day):
    day, _ = demo_day
    session = engine().prepare(credentials(), plan_for(day, (5, SLOT_7), dry_run=True))
    try:
        result = session.fire(open_soon(democlub, day, 1.0))
    finally:
        session.close()
    assert result.outcome == Outcome.DRY_RUN
    assert member_attempts(democlub) == []


def test_a_booking_already_held_is_not_submitted_again(democlub, engine, demo_day):
    day, portal_day = demo_day
    open_soon(democlub, day, -5.0)
    door = democlub.door("101", "cancha-demo-101")
    schedules = door.schedules(5, portal_day)[1]["schedules"]
    door.add_reservation(5, portal_day, _door_id(schedules, SLOT_7))
    before = len(member_attempts(democlub))
    session = engine().prepare(credentials(), plan_for(day, (5, SLOT_7)))
    try:
        result = session.fire(_soon(democlub))
    finally:
        session.close()
    assert result.outcome == Outcome.ALREADY_BOOKED
    assert result.verified
    assert len(member_attempts(democlub)) == before


def _door_id(schedules: list[dict], slot) -> int:
    return next(s["id"] for s in schedules if s["label"] == slot.label)


def _soon(portal, seconds: float = 1.0) -> datetime:
    return datetime.fromtimestamp(portal.control.clock()["portal_now_ns"] / 1e9 + seconds, UTC)
