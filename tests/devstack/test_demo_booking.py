"""The demo request follows the demo portal's demo release after any restart.

``make run`` starts the demo portal (``democlub --kind $DEMOCLUB_KIND
--demo``), then runs ``manage.py demo_release`` before any worker. When the
portal picked a new demo release (the old one passed, or came too close,
while the stack was down), the command moves the demo request to it, giving
it back first if the stopped run's worker held it, or cancels one for a slot
the portal no longer releases. Every test runs on both kinds of portal; a
restart with the other kind moves the demo booking to the other portal.
A real portal process, the in-process emulator for tennisbook's side.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from bookings import services, workflow
from configs import services as config_services
from democlub.testing import start_portal
from tennisbook.settings import defaults
from tests.devstack.helpers import demo_opens_at

# The demo release's slot as each portal names it, and as the site stores it.
DEMO_SLOTS = {
    "condo": (5, "De 07:00 AM a 08:00 AM", "De 07:00 AM a 08:00 AM"),
    "grid": (1, "8:00 AM", "De 08:00 AM a 09:00 AM"),
}


def start(path, kind, settings, monkeypatch, **options):
    """A demo portal of ``kind`` that the site's settings point at."""
    running = start_portal(path, kind=kind, demo=True, **options)
    settings.DEMOCLUB_KIND = kind
    settings.DEMOCLUB_URL = running.url
    monkeypatch.setenv("DEMOCLUB_CONTROL_TOKEN", running.token)
    return running


@pytest.fixture(params=defaults.DEMOCLUB_KINDS)
def portal(request, tmp_path, settings, monkeypatch):
    with start(tmp_path / "democlub", request.param, settings, monkeypatch) as running:
        yield running


@pytest.fixture
def demo_member(portal, dynamo, db, django_user_model):
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


def test_the_demo_member_gets_a_request_for_the_portals_demo_release(portal, demo_member, settings):
    release = portal.control.state()["demo_release"]
    court, portal_slot, label = DEMO_SLOTS[settings.DEMOCLUB_KIND]
    assert (release["area"], release["slot"]) == (court, portal_slot)

    out = run()

    [request] = active_demo_requests(demo_member)
    assert (request.court_id, request.date, request.time_slot) == (court, release["day"], label)
    assert request.fire_at == demo_opens_at(portal)
    assert f"on {release['day']}, {label}, fires at" in out
    assert "already requested" in run()


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


@pytest.mark.django_db
@pytest.mark.usefixtures("dynamo")
@pytest.mark.parametrize(("before", "after"), [("condo", "grid"), ("grid", "condo")])
def test_a_restart_with_the_other_kind_moves_the_demo_booking_to_the_other_portal(
    tmp_path, settings, monkeypatch, django_user_model, before, after
):
    data = tmp_path / "democlub"  # one var dir, as make run keeps it
    with start(data, before, settings, monkeypatch) as first:
        call_command("seed_demo", stdout=StringIO())
        run()
        port = first.url.rsplit(":", 1)[1]
    member = str(django_user_model.objects.get(username="member").pk)
    [old] = active_demo_requests(member)

    with start(data, after, settings, monkeypatch, extra_args=("--port", port)) as second:
        assert second.url == first.url  # DEMOCLUB_URL unchanged: only the kind is
        call_command("seed_demo", stdout=StringIO())
        out = run()
        release = second.control.state()["demo_release"]

    [new] = active_demo_requests(member)
    court, _, label = DEMO_SLOTS[after]
    assert (new.court_id, new.date, new.time_slot) == (court, release["day"], label)
    assert new.fire_at == datetime.fromisoformat(release["opens_at"])
    assert services.get_request(member, old.request_id).status == "cancelled"
    assert f"the one for {old.date} cancelled" in out
    expected = {"condo": ("101", "democlub"), "grid": ("alex", "gridclub")}[after]
    account = config_services.get_user_config(member).portal_username
    assert (account, config_services.get_system_value("portal_profile")["name"]) == expected


@pytest.mark.django_db
@pytest.mark.usefixtures("dynamo")
def test_a_portal_of_another_kind_than_democlub_kind_is_named(tmp_path, settings, monkeypatch):
    with start(tmp_path / "democlub", "grid", settings, monkeypatch):
        call_command("seed_demo", stdout=StringIO())
        settings.DEMOCLUB_KIND = "condo"
        with pytest.raises(CommandError, match="is the grid kind, but DEMOCLUB_KIND=condo"):
            run()
