"""The demo request follows the demo portal's demo release after any restart.

``make run`` starts the demo portal (``democlub --demo``), then runs
``manage.py demo_release`` before any worker. When the portal picked a new
demo release (the old one passed, or came too close, while the stack was
down), the command moves the demo request to it, giving it back first if the
stopped run's worker held it, or cancels one for a slot the portal no longer
releases. A real portal process, the in-process emulator for tennisbook's side.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from bookings import services, workflow
from democlub.testing import start_portal
from tests.devstack.helpers import demo_opens_at


@pytest.fixture
def portal(tmp_path, settings, monkeypatch):
    with start_portal(tmp_path / "democlub", demo=True) as running:
        settings.DEMOCLUB_URL = running.url
        monkeypatch.setenv("DEMOCLUB_CONTROL_TOKEN", running.token)
        yield running


@pytest.fixture
def demo_member(dynamo, db, django_user_model):
    call_command("seed_demo", stdout=StringIO())
    return str(django_user_model.objects.get(username="member").pk)


def run() -> str:
    out = StringIO()
    call_command("demo_release", stdout=out, stderr=out)
    return out.getvalue()


def active_demo_requests(user_id: str):
    return [
        r
        for r in services.list_requests(user_id)
        if r.status in ("pending", "processing") and r.history[0].actor == "demo_release"
    ]


def move_portal_release(portal, **changes) -> dict:
    """The portal picks another demo release, as a restart past the old one does."""
    release = portal.control.state()["demo_release"]
    moved = {k: release[k] for k in ("area", "day", "slot", "opens_at")} | changes
    portal.control.patch_config(demo_release=moved)
    return moved


def test_a_pending_demo_request_is_moved_to_the_portals_new_release(portal, demo_member):
    run()
    [before] = active_demo_requests(demo_member)
    later = demo_opens_at(portal) + timedelta(minutes=4)
    move_portal_release(portal, opens_at=later.isoformat())

    out = run()

    [after] = active_demo_requests(demo_member)
    assert "moved to the demo portal's release" in out
    assert after.request_id == before.request_id
    assert (after.status, after.fire_at) == ("pending", later)
    assert after.dispatched_at is None
    assert after.history[-1].message.startswith("moved to the demo portal's release")
    assert "already requested" in run()


def test_a_demo_request_left_processing_by_the_stopped_worker_is_given_back_and_moved(
    portal, demo_member
):
    run()
    [request] = active_demo_requests(demo_member)
    workflow.take(request, "old-run-worker", timedelta(seconds=30))
    later = demo_opens_at(portal) + timedelta(minutes=4)
    move_portal_release(portal, opens_at=later.isoformat())

    run()

    [after] = active_demo_requests(demo_member)
    assert (after.status, after.fire_at, after.lease_owner) == ("pending", later, None)
    steps = [(h.from_status, h.to_status) for h in after.history]
    assert ("processing", "pending") in steps


def test_a_demo_request_for_a_slot_the_portal_no_longer_releases_is_cancelled(portal, demo_member):
    run()
    [old] = active_demo_requests(demo_member)
    day = datetime.fromisoformat(old.date).date() - timedelta(days=1)
    move_portal_release(portal, day=day.isoformat())

    out = run()

    [new] = active_demo_requests(demo_member)
    assert new.date == day.isoformat()
    assert new.fire_at == demo_opens_at(portal)
    assert services.get_request(demo_member, old.request_id).status == "cancelled"
    assert "cancelled" in out
