""" "Test my login" through the whole stack: API, Redis, the default worker, Chromium, democlub.

One stack for the module (as ``booking_stack.py`` starts it, pointed at its
own demo portal). The demo member's saved credentials are right, then a
wrong password is saved through the API, then the club's portal profile is
pointed at a closed loopback port through the operator API: each check is
POSTed and GET is polled until it is no longer running.
"""

from __future__ import annotations

import socket
import time

import pytest

from configs.demo_portals import DEMO_PORTALS
from configs.services import SYSTEM_CACHE_SECONDS
from tennisbook.devstack.background import BackgroundStack

from .booking_stack import PORTAL_MEMBER, BookingStack, start_booking_stack

pytestmark = pytest.mark.browser

CHECK_TIMEOUT_S = 20.0


@pytest.fixture(scope="module")
def club(tmp_path_factory):
    stack = BackgroundStack(tmp_path_factory.mktemp("login-check") / "var")
    try:
        booking = start_booking_stack(lambda: stack)
        yield booking
        stack.stop()
    finally:
        stack.kill_everything()


def _check(club: BookingStack) -> dict:
    """POST a check, then poll GET until it is no longer running; the final check."""
    url = f"{club.site}/api/users/me/clubs/default/login-check"
    started = club.member.post(url, timeout=15)
    assert started.status_code == 202, started.text
    assert started.json()["state"] == "running"
    deadline = time.monotonic() + CHECK_TIMEOUT_S
    while time.monotonic() < deadline:
        answer = club.member.get(url, timeout=15)
        assert answer.status_code == 200, answer.text
        check = answer.json()
        assert check["id"] == started.json()["id"]
        if check["state"] != "running":
            return check
        time.sleep(0.25)
    pytest.fail(f"the check was still running after {CHECK_TIMEOUT_S:.0f} s\n{club.tail()}")


def _member_attempts(club: BookingStack) -> list[dict]:
    return [row for row in club.portal.attempts() if row["member"] == PORTAL_MEMBER]


def _worker_lines(club: BookingStack, check_id: str) -> set[str]:
    """The supervised children (``name | text``) that logged the check's end."""
    lines = club.log_lines("login_check.finished", check_id)
    return {line.split("|", 1)[0].strip() for line in lines}


def test_the_saved_demo_login_is_accepted_by_the_portal_and_nothing_is_booked(club):
    attempts_before = _member_attempts(club)

    check = _check(club)

    assert check["state"] == "ok", club.tail()
    assert check["message"] == "The portal accepted your username and password."
    assert check["finished_at"] >= check["started_at"]
    assert _member_attempts(club) == attempts_before
    # Run by the default queue's worker, never the booking queue's.
    deadline = time.monotonic() + 5
    while not _worker_lines(club, check["id"]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _worker_lines(club, check["id"]) == {"tasks"}, club.tail()


def test_a_wrong_password_saved_through_the_api_reads_wrong_password(club):
    kind = club.stack_env.get("DEMOCLUB_KIND", "condo")
    saved = club.member.post(
        f"{club.site}/api/users/me/config",
        json={"portal_password": "not-the-portal-password"},
        timeout=15,
    )
    assert saved.status_code == 200, saved.text
    try:
        check = _check(club)
    finally:
        restored = club.member.post(
            f"{club.site}/api/users/me/config",
            json={"portal_password": DEMO_PORTALS[kind].password},
            timeout=15,
        )
        assert restored.status_code == 200, restored.text

    assert check["state"] == "wrong_password", club.tail()
    assert check["message"] == "The portal refused this username or password."
    assert "not-the-portal-password" not in "\n".join(club.stack.lines)


def test_a_portal_that_does_not_answer_reads_unreachable(club):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    profile = club.system_value("portal_profile")
    club.set_system_value(
        "portal_profile", {**profile, "base_url": f"http://127.0.0.1:{closed_port}"}
    )
    time.sleep(SYSTEM_CACHE_SECONDS + 1)  # every worker process sees the new profile
    try:
        check = _check(club)
    finally:
        club.set_system_value("portal_profile", profile)

    assert check["state"] == "unreachable", club.tail()
    assert check["message"] == "The club's portal did not answer; try again later."
