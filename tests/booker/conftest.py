"""Fixtures for the engine's tests: the democlub server (reused) and engine helpers."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime

import pytest

from booker.engine import BookingEngine, Credentials, EngineSettings, Plan
from booker.profiles import default_profile
from booker.results import Choice
from tennisbook.values import TimeSlot
from tests.democlub import conftest as democlub_fixtures
from tests.democlub.conftest import DEMO_MEMBER, DEMO_PASSWORD

# The democlub fixtures, shared rather than copied (tests/conftest.py is not ours).
democlub_server = democlub_fixtures.democlub_server
democlub = democlub_fixtures.democlub

SLOT_7 = TimeSlot.parse("De 07:00 AM a 08:00 AM")
SLOT_8 = TimeSlot.parse("De 08:00 AM a 09:00 AM")


@pytest.fixture
def engine(democlub, tmp_path):
    def make(**settings) -> BookingEngine:
        settings.setdefault("evidence_dir", tmp_path / "evidence")
        settings.setdefault("clock_target_ms", 8.0)
        settings.setdefault("clock_probes_per_round", 8)
        return BookingEngine(default_profile(democlub.url), EngineSettings(**settings))

    return make


@pytest.fixture
def demo_day(democlub) -> tuple[date, str]:
    """The demo release's club date (ISO) and portal spelling."""
    release = democlub.control.state()["demo_release"]
    return date.fromisoformat(release["day"]), release["portal_day"]


def plan_for(day: date, *choices: tuple[int, TimeSlot], **kwargs) -> Plan:
    kwargs.setdefault("retry_window_s", 3.0)
    return Plan(day, [Choice(court, slot) for court, slot in choices], **kwargs)


def open_soon(portal, day: date, seconds: float = 2.0, area: int = 5) -> datetime:
    """Make ``day`` open ``seconds`` from now on the portal's clock; that instant."""
    portal_now = portal.control.clock()["portal_now_ns"] / 1e9
    opens = datetime.fromtimestamp(int(portal_now + seconds) + 1, UTC)
    portal.control.patch_config(
        release_overrides=[{"area": area, "day": day.isoformat(), "opens_at": opens.isoformat()}]
    )
    return opens


def member_attempts(portal) -> list[dict]:
    return [a for a in portal.control.attempts() if a["door"] != "competitor"]


def credentials(password: str = DEMO_PASSWORD) -> Credentials:
    return Credentials(DEMO_MEMBER, password)


def wait_ms(ms: float) -> None:
    time.sleep(ms / 1000)
