"""Fixtures for the engine's tests: the demo portals (reused) and engine helpers.

``portal`` is either demo portal, reset for the test (``live_portals.LivePortal``):
parametrized over the condo and the grid, or given ``(kind, path)`` pairs by a
test's ``parametrize(..., indirect=["portal"])`` (``live_portals.PORTAL_PATHS``).
"""

from __future__ import annotations

from datetime import date

import pytest

from booker.engine import Plan
from booker.results import Choice
from tennisbook.values import TimeSlot
from tests.democlub import conftest as democlub_fixtures

from .live_portals import KINDS, SLOT_7, SLOT_8, LivePortal, open_soon

# The democlub fixtures, shared rather than copied (tests/conftest.py is not ours).
democlub_server = democlub_fixtures.democlub_server
democlub = democlub_fixtures.democlub
gridclub_server = democlub_fixtures.gridclub_server
gridclub = democlub_fixtures.gridclub

# Helpers the other test modules import from here.
__all__ = ["SLOT_7", "SLOT_8", "member_attempts", "open_soon", "plan_for"]


@pytest.fixture(params=list(KINDS))
def portal(request, tmp_path) -> LivePortal:
    """A demo portal of the parametrized kind (``condo``, ``grid``), reset for the test."""
    kind = request.param
    running = request.getfixturevalue(KINDS[kind].server)
    return LivePortal.of(kind, running, tmp_path / "evidence")


@pytest.fixture
def demo_day(democlub) -> tuple[date, str]:
    """The demo release's club date (ISO) and portal spelling."""
    release = democlub.control.state()["demo_release"]
    return date.fromisoformat(release["day"]), release["portal_day"]


def plan_for(day: date, *choices: tuple[int, TimeSlot], **kwargs) -> Plan:
    kwargs.setdefault("retry_window_s", 3.0)
    return Plan(day, [Choice(court, slot) for court, slot in choices], **kwargs)


def member_attempts(portal) -> list[dict]:
    return [a for a in portal.control.attempts() if a["door"] != "competitor"]
