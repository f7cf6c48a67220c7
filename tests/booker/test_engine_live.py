"""The engine against both real demo portals in real Chromium: release, skew, outcomes.

Every scenario runs on the condo (``democlub`` profile) and on the grid
(``gridclub`` profile), with nothing but the profile to tell them apart;
those whose replies each submit path reads its own way run on every path
the portal's profile lists (``PORTAL_PATHS``). Releases are 1-3 s ahead.
Lateness is measured in bench/release.py, not here: these tests assert
ordering (never before the portal's release) and outcomes. Grid-only
behaviour (page tokens, end times, the late-loading list) is in
test_engine_grid.py.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest

from booker.engine import PrepareFailed
from booker.results import Outcome

from .live_portals import PORTAL_PATHS, SESSION_PATHS

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("portal", "path", "skew_ms", "latency_ms"),
    [
        ("condo", "door", 3_400.0, 0),
        ("condo", "replay", -2_600.0, 0),
        ("condo", "browser", 1_700.0, 0),
        # The grid's pages cost server work; its static files (the clock's probes) do not.
        ("grid", "replay", -2_900.0, 40),
        ("grid", "browser", 2_300.0, 40),
    ],
    indirect=["portal"],
)
def test_it_books_at_the_portals_release_instant_and_verifies(portal, path, skew_ms, latency_ms):
    portal.control.set_clock(offset_ms=skew_ms)
    portal.control.patch_config(latency_ms=latency_ms)
    first, _ = portal.slots
    comments = "Partners: Ana, dana. Doubles, pelotas nuevas"
    plan = portal.plan(first, comments=comments)
    session = portal.engine(paths=(path,)).prepare(portal.credentials(), plan)
    try:
        assert abs(session.clock.offset_ns / 1e6 - skew_ms) < 25
        result = session.fire(portal.open_soon(2.0))
    finally:
        session.close()

    assert result.outcome == Outcome.BOOKED, result.to_dict()
    assert result.verified
    [held] = portal.held()
    assert result.confirmation["reservation_id"] == str(held["id"])
    assert result.choice == {"court": portal.court, "slot": first.label}
    assert held["comments"] == comments  # the partners reach the club's own records
    attempts = portal.attempts()
    outcomes = [a["outcome"] for a in attempts]
    # Never booked twice; the first submit never received before the release
    # on the portal's clock (the engine aims past it by the clock's uncertainty).
    assert outcomes[-1] == "success"
    assert set(outcomes[:-1]) <= {"not_open"}
    assert attempts[0]["ms_after_release"] >= 0, attempts[0]
    stored = result.to_dict()
    assert stored["attempts"][0]["path"] == path
    assert {"launch", "login", "open_form", "clock_sync", "submit", "verify"} <= set(
        stored["timings_ms"]
    )


@pytest.mark.parametrize(("portal", "path"), PORTAL_PATHS, indirect=["portal"])
def test_a_taken_slot_moves_to_the_next_alternative(portal, path):
    first, second = portal.slots
    rival = portal.add_rival()
    session = portal.engine(paths=(path,)).prepare(portal.credentials(), portal.plan(first, second))
    try:
        portal.open_soon(-5.0)  # open already; a rival takes our first choice
        portal.book_as(*rival, first)
        result = session.fire(portal.soon())
    finally:
        session.close()
    assert result.outcome == Outcome.BOOKED, result.to_dict()
    assert result.verified
    assert result.choice == {"court": portal.court, "slot": second.label}
    assert [a.outcome for a in result.attempts] == ["slot_taken", "success"]
    # What the portal saw: two submits, each accepted as a well-formed form.
    assert [a["outcome"] for a in portal.attempts()] == ["slot_taken", "success"]


@pytest.mark.parametrize(("portal", "path"), PORTAL_PATHS, indirect=["portal"])
def test_not_yet_open_is_retried_at_once_until_it_opens(portal, path):
    first, _ = portal.slots
    session = portal.engine(paths=(path,)).prepare(portal.credentials(), portal.plan(first))
    try:
        opens = portal.open_soon(2.0)
        # We believe it opens 300 ms earlier than it does.
        result = session.fire(opens - timedelta(milliseconds=300))
    finally:
        session.close()
    assert result.outcome == Outcome.BOOKED, result.to_dict()
    outcomes = [a.outcome for a in result.attempts]
    assert outcomes[-1] == "success"
    assert outcomes[:-1]
    assert set(outcomes[:-1]) == {"not_open"}
    assert [a["outcome"] for a in portal.attempts()] == outcomes


@pytest.mark.parametrize(
    ("portal", "path"), [("condo", "door"), ("grid", "replay")], indirect=["portal"]
)
def test_a_portal_that_opens_late_is_still_booked_by_the_release_watch(portal, path):
    first, _ = portal.slots
    session = portal.engine(paths=(path,)).prepare(portal.credentials(), portal.plan(first))
    try:
        opens = portal.open_soon(8.0)
        # The rules say 6 s earlier than the portal opens: past the 3 s retry window.
        result = session.fire(opens - timedelta(seconds=6))
    finally:
        session.close()

    assert result.outcome == Outcome.BOOKED, result.to_dict()
    assert result.verified
    assert "still not open 3 s after the release: watching until 60 s after it" in result.detail
    opened = result.opened
    assert opened["not_open_until_ms"] < 6000 <= opened["open_by_ms"] < 9000, opened
    portal_said = [a["outcome"] for a in portal.attempts()]
    assert portal_said[-1] == "success"
    assert portal_said.count("success") == 1


def test_the_member_quota_stops_at_once_and_says_so(portal):
    first, second = portal.slots
    portal.control.set_area(portal.court, member_quota=1)
    # One booking on a day open already (both rules open it 7-8 days ahead).
    portal.book_as(*portal.spec.member, second, day=portal.day - timedelta(days=2))
    session = portal.engine().prepare(portal.credentials(), portal.plan(first, second))
    try:
        result = session.fire(portal.open_soon(2.0))
    finally:
        session.close()
    assert result.outcome == Outcome.QUOTA, result.to_dict()
    assert portal.spec.quota_words in result.message
    # Stopped at the quota: no alternative tried, nothing after it.
    assert result.attempts[-1].outcome == "quota"
    assert {a.choice["slot"] for a in result.attempts} == {first.label}
    assert Path(result.evidence["screenshot"]).is_file()
    assert len(portal.held()) == 1


def test_a_wrong_password_fails_clearly_without_retries(portal):
    with pytest.raises(PrepareFailed) as caught:
        portal.engine().prepare(portal.credentials("wrong-password"), portal.plan(portal.slots[0]))
    result = caught.value.result
    assert result.outcome == Outcome.LOGIN_FAILED
    assert portal.spec.bad_login_words in result.message
    assert Path(result.evidence["screenshot"]).is_file()
    assert portal.spec.bad_login_html in Path(result.evidence["html"]).read_text()
    assert portal.attempts() == []


@pytest.mark.parametrize(("portal", "path"), SESSION_PATHS, indirect=["portal"])
def test_a_session_that_expired_while_waiting_logs_in_again_and_books(portal, path):
    first, _ = portal.slots
    session = portal.engine(paths=(path,)).prepare(portal.credentials(), portal.plan(first))
    try:
        portal.forget_sessions()
        result = session.fire(portal.open_soon(2.0))
    finally:
        session.close()
    assert result.outcome == Outcome.BOOKED, result.to_dict()
    assert result.verified
    outcomes = [a.outcome for a in result.attempts]
    assert outcomes[0] == "session_expired"
    assert outcomes[-1] == "success"
    assert set(outcomes[1:-1]) <= {"not_open"}
    assert "relogin" in result.to_dict()["timings_ms"]
    assert len(portal.held()) == 1


@pytest.mark.parametrize(("portal", "path"), PORTAL_PATHS, indirect=["portal"])
def test_injected_server_errors_are_retried_within_the_window(portal, path):
    first, _ = portal.slots
    session = portal.engine(paths=(path,)).prepare(portal.credentials(), portal.plan(first))
    healed, stop = threading.Event(), threading.Event()

    def heal_after_the_first_injected_500():
        # Every request fails until the portal has logged one injected 500,
        # then the portal heals: the engine must retry past it. (A partial
        # error rate let the first try through now and then, and a timer
        # could heal before a late first try.)
        while not stop.wait(0.02):
            if any(a["outcome"] == "server_error" for a in portal.attempts()):
                portal.control.patch_config(error_rate=0)
                healed.set()
                return

    healer = threading.Thread(target=heal_after_the_first_injected_500, daemon=True)
    try:
        opens = portal.open_soon(2.0)
        portal.control.patch_config(error_rate=1.0, error_mode="before")
        healer.start()
        try:
            result = session.fire(opens)
        finally:
            stop.set()
            healer.join(timeout=10)
            portal.control.patch_config(error_rate=0)
    finally:
        session.close()
    assert healed.is_set()
    assert result.outcome == Outcome.BOOKED, result.to_dict()
    assert result.verified
    outcomes = [a.outcome for a in result.attempts]
    assert "server_error" in outcomes
    assert outcomes[-1] == "success"
    assert len(portal.held()) == 1


@pytest.mark.parametrize(("portal", "path"), PORTAL_PATHS, indirect=["portal"])
def test_a_booking_whose_reply_was_lost_to_a_500_is_reported_booked_not_taken(portal, path):
    first, second = portal.slots
    session = portal.engine(paths=(path,)).prepare(portal.credentials(), portal.plan(first, second))
    try:
        opens = portal.open_soon(2.0)
        # The portal books the slot, then answers 500; the retry hears "slot taken".
        portal.control.patch_config(error_rate=1.0, error_mode="after_booking")
        result = session.fire(opens)
    finally:
        session.close()
    assert result.outcome == Outcome.BOOKED, result.to_dict()
    assert result.verified
    assert result.choice == {"court": portal.court, "slot": first.label}
    [held] = portal.held()  # booked once: the alternative was not booked on top of it
    assert result.confirmation["reservation_id"] == str(held["id"])
    assert [a.outcome for a in result.attempts][-2:] == ["server_error", "slot_taken"]


def test_a_dry_run_does_everything_but_submit(portal):
    session = portal.engine().prepare(
        portal.credentials(), portal.plan(portal.slots[0], dry_run=True)
    )
    try:
        result = session.fire(portal.open_soon(1.0))
    finally:
        session.close()
    assert result.outcome == Outcome.DRY_RUN
    assert portal.attempts() == []
    assert portal.held() == []


def test_a_booking_already_held_is_not_submitted_again(portal):
    first, _ = portal.slots
    portal.open_soon(-5.0)
    portal.book_as(*portal.spec.member, first)
    before = len(portal.attempts())
    session = portal.engine().prepare(portal.credentials(), portal.plan(first))
    try:
        result = session.fire(portal.soon())
    finally:
        session.close()
    assert result.outcome == Outcome.ALREADY_BOOKED, result.to_dict()
    assert result.verified
    assert result.confirmation["reservation_id"] == str(portal.held()[0]["id"])
    assert len(portal.attempts()) == before
