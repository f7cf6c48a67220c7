"""The whole stack booking on its demo portal, with releases seconds ahead.

``booking_stack`` (a fixture: import it into a test module) starts what
``make run`` starts (web, worker, beat, Redis, emulator, democlub) with the
booking pipeline tightened to seconds: lead time, sweep, lease, retry window.
A test then asks for a ``Release``: a court-5 slot of the club's tomorrow
whose opening both sides agree on, because the club's release rule
(tennisbook's SystemConfig) and the portal's area rule are set to the same
rolling window. Rolling windows are whole minutes, so the release lands on a
minute boundary; the portal's clock is skewed so that boundary comes a few
seconds from now on the portal, and the dispatch margin is wide enough for
the sweep to hand the request over at once. The engine measures the skew and
fires on the portal's clock, as it would against a real club.

Everything goes through the front doors: the API as the demo member and the
demo operator, the portal's control API, the stack's own Redis and process
groups. On failure, ``describe`` prints the request's history, the portal's
attempt log and the tail of the stack's output.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests

from democlub.client import ControlClient
from tennisbook.devstack.background import read_stack_env

CLUB_ZONE = ZoneInfo("America/Costa_Rica")
COURT = 5
SLOT = "De 07:00 AM a 08:00 AM"
SLOT_START = clock_time(7, 0)
PORTAL_MEMBER = "101"  # the demo member's portal account (democlub --demo)
CONTROL_TOKEN = "integration-control-token"

# The pipeline in seconds instead of minutes; every value is read by the
# settings of the web, worker and beat processes.
FAST_PIPELINE = {
    "BOOKER_LEAD_TIME_SECONDS": "3",
    "BOOKER_DISPATCH_MARGIN_SECONDS": "70",  # at least the portal clock's skew
    "BOOKER_SWEEP_SECONDS": "1",
    "BOOKER_LEASE_SECONDS": "6",
    "BOOKER_RETRY_WINDOW_SECONDS": "2",
    "DEMOCLUB_CONTROL_TOKEN": CONTROL_TOKEN,
    "AUTH_RATE_LOGIN": "1000/m",
    "AUTH_RATE_TOKEN": "1000/m",
    "API_THROTTLE_USER": "10000/min",
    "API_THROTTLE_ANON": "10000/min",
}


@dataclass(frozen=True)
class Release:
    """A slot opening on both sides at ``at`` (real time) = ``portal_at`` (portal time)."""

    day: date
    window_minutes: int
    portal_at: datetime  # tennisbook's fire time: a minute boundary
    at: datetime  # the real instant the portal's clock shows portal_at

    @property
    def portal_day(self) -> str:
        return f"{self.day.year}-{self.day.month}-{self.day.day}"

    def seconds_left(self) -> float:
        return (self.at - datetime.now(UTC)).total_seconds()


class BookingStack:
    """A running stack plus the clients a pipeline test needs."""

    def __init__(self, stack):
        self.stack = stack
        self.site = stack.site_url
        self.portal = ControlClient(f"http://127.0.0.1:{stack.democlub_port}", CONTROL_TOKEN)
        self.member = self._login("member", "tennisbook-member")
        self.operator = self._login("operator", "tennisbook-operator")

    # --- the API ---------------------------------------------------------------
    def _login(self, username: str, password: str) -> requests.Session:
        answer = requests.post(
            f"{self.site}/api/auth/login",
            json={"username": username, "password": password},
            timeout=15,
        )
        assert answer.status_code == 200, answer.text
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {answer.json()['access']}"
        return session

    def set_system_value(self, key: str, value) -> None:
        answer = self.operator.post(
            f"{self.site}/api/system/config", json={"key": key, "value": value}, timeout=15
        )
        assert answer.status_code == 200, answer.text

    def system_value(self, key: str):
        answer = self.operator.get(f"{self.site}/api/system/config", timeout=15)
        assert answer.status_code == 200, answer.text
        return next(entry["value"] for entry in answer.json() if entry["key"] == key)

    def create_request(self, release: Release) -> dict:
        answer = self.member.post(
            f"{self.site}/api/bookings",
            json={"court_id": COURT, "date": release.day.isoformat(), "time_slot": SLOT},
            timeout=15,
        )
        assert answer.status_code == 201, answer.text
        return answer.json()

    def booking(self, request_id: str) -> dict:
        try:
            answer = self.member.get(f"{self.site}/api/bookings/{request_id}", timeout=15)
        except requests.ConnectionError as exc:
            # The site is down: the stack's own output says which child stopped it.
            raise AssertionError(f"the site does not answer ({exc}):\n{self.tail()}") from None
        assert answer.status_code == 200, answer.text
        return answer.json()

    def wait_for_status(self, request_id: str, wanted: set[str], timeout: float) -> dict:
        """Poll the API until the request's status is in ``wanted``; fail with the story."""
        deadline = time.monotonic() + timeout
        last: dict = {}
        while time.monotonic() < deadline:
            with contextlib.suppress(requests.RequestException, AssertionError):
                last = self.booking(request_id)
                if last["status"] in wanted:
                    return last
            time.sleep(0.2)
        pytest.fail(
            f"request {request_id} not {'/'.join(sorted(wanted))} within {timeout:.0f} s\n"
            + self.describe(request_id)
        )

    def quiet_the_club(self) -> None:
        """Cancel the seeded and demo requests: the worker serves only the test's."""
        answer = self.member.get(f"{self.site}/api/bookings", timeout=15)
        assert answer.status_code == 200, answer.text
        for item in answer.json()["results"]:
            if item["status"] in ("pending", "processing"):
                self.member.delete(f"{self.site}/api/bookings/{item['request_id']}", timeout=15)

    # --- a release seconds ahead ---------------------------------------------------
    def schedule_release(self, seconds_ahead: float, *, skew_portal: bool = True) -> Release:
        """Make court 5's ``SLOT`` of the club's tomorrow open ``seconds_ahead`` from now.

        With ``skew_portal`` the next whole minute is moved onto that instant by
        the portal's clock; without it the release is the first minute boundary
        at least ``seconds_ahead`` away on both clocks (the portal keeps real
        time) and the caller must wait up to a minute longer.
        """
        now = datetime.now(UTC)
        target = now + timedelta(seconds=seconds_ahead)
        minute = target.replace(second=0, microsecond=0)
        if minute < target:
            minute += timedelta(minutes=1)
        at = target if skew_portal else minute
        day = (now.astimezone(CLUB_ZONE) + timedelta(days=1)).date()
        slot_start = datetime.combine(day, SLOT_START, CLUB_ZONE)
        window = round((slot_start - minute) / timedelta(minutes=1))
        self.set_system_value(
            "release_rules",
            {
                "time_zone": CLUB_ZONE.key,
                "default": {"kind": "fixed_daily", "days_ahead": 8, "at": "00:00"},
                "courts": {str(COURT): {"kind": "rolling", "minutes_before": window}},
            },
        )
        self.portal.set_area(COURT, release={"kind": "rolling", "window_minutes": window})
        self.portal.set_clock(offset_ms=(minute - at) / timedelta(milliseconds=1))
        release = Release(day=day, window_minutes=window, portal_at=minute, at=at)
        opens = self.portal.release(COURT, release.portal_day, "07:00")
        assert opens["opens_at_ns"] == round(minute.timestamp() * 1e9), opens
        return release

    def wait_until(self, moment: datetime) -> None:
        left = (moment - datetime.now(UTC)).total_seconds()
        if left > 0:
            time.sleep(left)

    # --- the portal's side -------------------------------------------------------------
    def reservations(self, release: Release) -> list[dict]:
        return self.portal.reservations(
            member=PORTAL_MEMBER, area=COURT, day=release.portal_day, include_cancelled=1
        )

    def submissions(self, release: Release) -> list[dict]:
        """The portal's attempt log for our member's slot (web and HTTP door)."""
        return [
            row
            for row in self.portal.attempts()
            if row["member"] == PORTAL_MEMBER
            and row["area"] == COURT
            and release.day.isoformat() in (row["day"], _iso(row["day"]))
        ]

    # --- processes ---------------------------------------------------------------------
    def child_pid(self, name: str) -> int:
        return next(child["pid"] for child in self.stack.children() if child["name"] == name)

    def signal_child(self, name: str, signum: int) -> int:
        """Signal a supervised child's whole process group; returns its pid."""
        pid = self.child_pid(name)
        os.killpg(pid, signum)
        return pid

    def wait_for_new_child(self, name: str, old_pid: int, timeout: float = 30.0) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError, ValueError, StopIteration):
                pid = self.child_pid(name)
                if pid != old_pid:
                    return pid
            time.sleep(0.2)
        pytest.fail(f"the supervisor did not restart {name} within {timeout:.0f} s\n{self.tail()}")

    @property
    def stack_env(self) -> dict[str, str]:
        return read_stack_env(self.stack.stack_env_path)

    @property
    def outbox_path(self) -> Path:
        return self.stack.var_dir / "outbox.sqlite3"

    def log_lines(self, *needles: str) -> list[str]:
        return [line for line in list(self.stack.lines) if all(n in line for n in needles)]

    def wait_for_log_lines(self, needle: str, count: int, timeout: float) -> list[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.log_lines(needle)
            if len(found) >= count:
                return found
            time.sleep(0.2)
        pytest.fail(f"not {count} lines with {needle!r} within {timeout:.0f} s\n{self.tail()}")

    # --- diagnostics -------------------------------------------------------------------
    def tail(self, lines: int = 80, per_child: int = 25) -> str:
        """The stack's last lines, then each child's own last lines.

        One child's traceback (beat retrying a lost Redis, say) can fill the
        shared tail; the child that stopped the stack is then seen in its own.
        """
        every = list(self.stack.lines)
        parts = ["--- stack output (tail) ---", *every[-lines:]]
        children: dict[str, list[str]] = {}
        for line in every:
            name, bar, _rest = line.partition(" | ")
            if bar and name.strip() and " " not in name.strip():
                children.setdefault(name.strip(), []).append(line)
        for name, own in sorted(children.items()):
            parts.append(f"--- {name} (its last {min(per_child, len(own))} lines) ---")
            parts.extend(own[-per_child:])
        return "\n".join(parts)

    def describe(self, request_id: str | None = None, release: Release | None = None) -> str:
        parts = []
        if request_id:
            with contextlib.suppress(Exception):
                item = self.booking(request_id)
                parts.append(f"--- request {request_id}: {item['status']} ---")
                parts.append(json.dumps(item["history"], indent=1))
                parts.append(json.dumps(item["result"], indent=1)[:4000])
        if release:
            with contextlib.suppress(Exception):
                parts.append("--- portal attempts ---\n" + json.dumps(self.submissions(release)))
                parts.append(
                    "--- portal reservations ---\n" + json.dumps(self.reservations(release))
                )
        parts.append(self.tail())
        return "\n".join(parts)


def _iso(portal_day: str) -> str:
    """``2026-12-5`` (the portal's day format) as ``2026-12-05``."""
    with contextlib.suppress(ValueError, AttributeError):
        year, month, day = (int(part) for part in portal_day.split("-"))
        return date(year, month, day).isoformat()
    return portal_day


def start_booking_stack(devstack, **env: str) -> BookingStack:
    """Start a stack with the fast pipeline (plus ``env``) pointed at its own portal."""
    stack = devstack()
    stack.extra_env.update(FAST_PIPELINE)
    stack.extra_env.update(env)
    stack.start()
    stack.wait_ready(timeout=120)
    booking = BookingStack(stack)
    # The stored portal profile names the default portal URL; this stack's
    # democlub listens elsewhere, and another one may be on the default port.
    profile = booking.system_value("portal_profile")
    profile["base_url"] = booking.portal.base_url
    booking.set_system_value("portal_profile", profile)
    booking.quiet_the_club()
    return booking


@pytest.fixture
def booking_stack(devstack):
    """A factory: ``booking_stack(**env)`` starts one stack; stopped (Ctrl-C) at the end."""
    started: list[BookingStack] = []

    def make(**env: str) -> BookingStack:
        started.append(start_booking_stack(devstack, **env))
        return started[-1]

    yield make
    for booking in started:
        booking.stack.stop()
