"""Each demo club's demo request follows its demo portal's demo release after any restart.

``make run`` starts both demo portals (``democlub --kind $DEMOCLUB_KIND
--demo`` for the default club, the other kind for the second demo club),
then runs ``manage.py demo_release`` before any worker. At each club, when
the portal picked a new demo release (the old one passed, or came too close,
while the stack was down), the command moves the demo request to it, giving
it back first if the stopped run's worker held it, or cancels one for a slot
the portal no longer releases. Every test runs with either kind as
``DEMOCLUB_KIND``; a restart with the other kind swaps the two portals.
Real portal processes, found as ``make run`` finds them (each portal's
control token in its data dir under ``VAR_DIR``); the in-process emulator
for tennisbook's side.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from bookings import services, workflow
from bookings.lifecycle import Actor
from configs import clubs
from configs import services as config_services
from configs.demo_portals import DEMO_PORTALS, second_kind
from democlub.testing import start_portal
from tennisbook.settings import defaults
from tests.devstack.helpers import demo_opens_at

# The demo release's slot as each portal names it, and as the site stores it.
DEMO_SLOTS = {
    "condo": (5, "De 07:00 AM a 08:00 AM", "De 07:00 AM a 08:00 AM"),
    "grid": (1, "8:00 AM", "De 08:00 AM a 09:00 AM"),
}
DEFAULT = "default"


class Portals:
    """The two demo portals of a stack, by club: ``default`` and the other kind's name."""

    def __init__(self, var_dir, kind, settings, ports=(None, None)):
        self.kind = kind
        self.second = second_kind(kind)
        settings.DEMOCLUB_KIND = kind
        settings.VAR_DIR = var_dir
        self.running = {}
        for club, club_kind, data, port, url in (
            (DEFAULT, kind, "democlub", ports[0], "DEMOCLUB_URL"),
            (self.second, self.second, "democlub2", ports[1], "DEMOCLUB_SECOND_URL"),
        ):
            extra = ("--port", port) if port else ()
            running = start_portal(var_dir / data, kind=club_kind, demo=True, extra_args=extra)
            # Where demo_release finds the token when DEMOCLUB_CONTROL_TOKEN is not set.
            (var_dir / data / "control-token").write_text(running.token + "\n")
            setattr(settings, url, running.url)
            self.running[club] = running

    def __getitem__(self, club: str):
        return self.running[club]

    @property
    def ports(self) -> tuple[str, str]:
        return tuple(self.running[c].url.rsplit(":", 1)[1] for c in (DEFAULT, self.second))

    def stop(self) -> None:
        for running in self.running.values():
            running.stop()


@pytest.fixture
def start(tmp_path, settings, monkeypatch):
    monkeypatch.delenv("DEMOCLUB_CONTROL_TOKEN", raising=False)
    started: list[Portals] = []

    def make(kind: str, ports=(None, None)) -> Portals:
        started.append(Portals(tmp_path / "var", kind, settings, ports))
        return started[-1]

    yield make
    for portals in started:
        portals.stop()


@pytest.fixture(params=defaults.DEMOCLUB_KINDS)
def portals(request, start):
    return start(request.param)


@pytest.fixture
def demo_member(portals, dynamo, db, django_user_model):
    call_command("seed_demo", stdout=StringIO())
    return str(django_user_model.objects.get(username="member").pk)


def run() -> str:
    out = StringIO()
    call_command("demo_release", stdout=out, stderr=out)
    return out.getvalue()


def active_demo_requests(user_id: str, club: str):
    return [
        r
        for r in services.list_requests(user_id, club=club)
        if r.status in ("pending", "processing") and r.history[0].actor == "demo_release"
    ]


def move_portal_release(portal, **changes) -> dict:
    """The portal picks another demo release, as a restart past the old one does."""
    release = portal.control.state()["demo_release"]
    moved = {k: release[k] for k in ("area", "day", "slot", "opens_at")} | changes
    portal.control.patch_config(demo_release=moved)
    return moved


def test_each_demo_club_gets_a_request_for_its_portals_demo_release(portals, demo_member):
    out = run()

    for club, kind in ((DEFAULT, portals.kind), (portals.second, portals.second)):
        release = portals[club].control.state()["demo_release"]
        court, portal_slot, label = DEMO_SLOTS[kind]
        assert (release["area"], release["slot"]) == (court, portal_slot)
        [request] = active_demo_requests(demo_member, club)
        assert (request.court_id, request.date, request.time_slot) == (court, release["day"], label)
        assert request.fire_at == demo_opens_at(portals[club])
        opens = datetime.fromisoformat(release["opens_at"]).isoformat(timespec="seconds")
        assert (
            f"Demo booking at club {club}: {release['area_name']} on {release['day']}, {label}, "
            f"fires at {opens} (request {request.request_id})"
        ) in out
    again = run()
    assert again.count("already requested") == 2
    assert "fires at" in again  # each club's request and instant, again


def test_a_pending_demo_request_is_moved_to_its_portals_new_release(portals, demo_member):
    run()
    club = portals.second
    [before] = active_demo_requests(demo_member, club)
    [other] = active_demo_requests(demo_member, DEFAULT)
    later = demo_opens_at(portals[club]) + timedelta(minutes=4)
    move_portal_release(portals[club], opens_at=later.isoformat())

    out = run()

    [after] = active_demo_requests(demo_member, club)
    assert f"Demo booking at club {club}: moved to the demo portal's release" in out
    assert after.request_id == before.request_id
    assert (after.status, after.fire_at) == ("pending", later)
    assert after.dispatched_at is None
    assert after.history[-1].message.startswith("moved to the demo portal's release")
    assert f"Demo booking at club {DEFAULT}: already requested" in out
    assert active_demo_requests(demo_member, DEFAULT)[0].fire_at == other.fire_at
    assert run().count("already requested") == 2


def test_a_demo_request_left_processing_by_the_stopped_worker_is_given_back_and_moved(
    portals, demo_member
):
    run()
    [request] = active_demo_requests(demo_member, DEFAULT)
    workflow.take(request, "old-run-worker", timedelta(seconds=30))
    later = demo_opens_at(portals[DEFAULT]) + timedelta(minutes=4)
    move_portal_release(portals[DEFAULT], opens_at=later.isoformat())

    run()

    [after] = active_demo_requests(demo_member, DEFAULT)
    assert (after.status, after.fire_at, after.lease_owner) == ("pending", later, None)
    steps = [(h.from_status, h.to_status) for h in after.history]
    assert ("processing", "pending") in steps


def test_a_demo_request_for_a_slot_the_portal_no_longer_releases_is_cancelled(portals, demo_member):
    run()
    club = portals.second
    [old] = active_demo_requests(demo_member, club)
    day = datetime.fromisoformat(old.date).date() - timedelta(days=1)
    move_portal_release(portals[club], day=day.isoformat())

    out = run()

    [new] = active_demo_requests(demo_member, club)
    assert new.date == day.isoformat()
    assert new.fire_at == demo_opens_at(portals[club])
    assert services.get_request(demo_member, old.request_id).status == "cancelled"
    assert f"Demo booking at club {club}: the one for {old.date} cancelled" in out
    assert len(active_demo_requests(demo_member, DEFAULT)) == 1


@pytest.mark.django_db
@pytest.mark.usefixtures("dynamo")
@pytest.mark.parametrize(("before", "after"), [("condo", "grid"), ("grid", "condo")])
def test_a_restart_with_the_other_kind_swaps_the_portals_of_the_demo_clubs(
    start, django_user_model, before, after
):
    first = start(before)
    call_command("seed_demo", stdout=StringIO())
    run()
    ports = first.ports
    first.stop()
    member = str(django_user_model.objects.get(username="member").pk)
    [old_default] = active_demo_requests(member, DEFAULT)
    [old_second] = active_demo_requests(member, after)

    # The same ports (DEMOCLUB_URL, DEMOCLUB_SECOND_URL) and data dirs: only the kind changed.
    second = start(after, ports)
    assert second.ports == ports
    call_command("seed_demo", stdout=StringIO())
    out = run()

    for club, kind in ((DEFAULT, after), (before, before)):
        release = second[club].control.state()["demo_release"]
        [new] = active_demo_requests(member, club)
        court, _, label = DEMO_SLOTS[kind]
        assert (new.court_id, new.date, new.time_slot) == (court, release["day"], label)
        assert new.fire_at == datetime.fromisoformat(release["opens_at"])
        account = config_services.get_user_config(member, club).portal_username
        profile = config_services.get_system_value("portal_profile", club=club)
        assert (account, profile["name"]) == (DEMO_PORTALS[kind].member, DEMO_PORTALS[kind].profile)
        assert profile["base_url"] == second[club].url
    assert services.get_request(member, old_default.request_id).status == "cancelled"
    assert f"Demo booking at club {DEFAULT}: the one for {old_default.date} cancelled" in out
    # The old second club's portal is the default club's now: it is retired.
    assert services.get_request(member, old_second.request_id).status == "cancelled"
    assert active_demo_requests(member, after) == []
    assert clubs.get_club(after).enabled is False


@pytest.mark.django_db
@pytest.mark.usefixtures("dynamo")
def test_a_portal_of_another_kind_than_democlub_kind_wants_is_named(start, settings):
    start("grid")
    call_command("seed_demo", stdout=StringIO())
    settings.DEMOCLUB_KIND = "condo"
    with pytest.raises(CommandError, match="is the grid kind, but DEMOCLUB_KIND=condo"):
        run()


@pytest.mark.django_db
@pytest.mark.usefixtures("dynamo")
def test_a_portal_that_does_not_answer_fails_after_the_other_clubs_request(
    start, settings, django_user_model
):
    portals = start("condo")
    call_command("seed_demo", stdout=StringIO())
    portals["grid"].stop()

    with pytest.raises(CommandError, match=r"club grid: The demo portal at .* did not answer"):
        run()

    member = str(django_user_model.objects.get(username="member").pk)
    assert len(active_demo_requests(member, DEFAULT)) == 1


def test_a_demo_club_an_operator_disabled_gets_no_new_request_and_make_run_goes_on(
    portals, demo_member
):
    run()
    club = portals.second
    [made] = active_demo_requests(demo_member, club)
    workflow.cancel(made, actor=Actor.MEMBER, by="member")
    clubs.update_club(club, actor="operator:test", enabled=False)

    out = run()  # no CommandError: make run goes on with the enabled club
    call_command("seed_demo", stdout=StringIO())  # and with make run's next start

    assert f"Demo booking at club {club}: skipped, the club is disabled" in out
    assert f"Demo booking at club {DEFAULT}: already requested" in out
    assert active_demo_requests(demo_member, club) == []
    assert not clubs.get_club(club).enabled  # never re-enabled behind the operator's back


def test_a_disabled_demo_clubs_kept_request_still_follows_its_portal(portals, demo_member):
    run()
    club = portals.second
    [kept] = active_demo_requests(demo_member, club)
    clubs.update_club(club, actor="operator:test", enabled=False)
    later = demo_opens_at(portals[club]) + timedelta(minutes=4)
    move_portal_release(portals[club], opens_at=later.isoformat())

    out = run()

    [after] = active_demo_requests(demo_member, club)
    assert (after.request_id, after.fire_at) == (kept.request_id, later)
    assert "skipped" not in out
