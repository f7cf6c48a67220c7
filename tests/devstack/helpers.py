"""Helpers shared by the devstack tests."""

from __future__ import annotations

from datetime import datetime


def demo_opens_at(portal) -> datetime:
    """When the running demo portal's demo release opens (its control API)."""
    return datetime.fromisoformat(portal.control.state()["demo_release"]["opens_at"])
