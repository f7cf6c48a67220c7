"""manage.py demo_release books each demo portal's demo release at its demo club.

The default club's portal (``DEMOCLUB_KIND``, the condo here) answers at
``DEMOCLUB_URL``, the second demo club's (the grid) at
``DEMOCLUB_SECOND_URL``; each portal's control token is read from its data
dir, as ``make run`` leaves it. Real portal processes.
"""

from datetime import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from bookings import services
from configs import services as config_services
from tests.democlub.conftest import gridclub, gridclub_server  # noqa: F401 - the grid portal

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dynamo")]

# The grid names its demo slot "8:00 AM"; the site stores its canonical label.
LABELS = {"condo": "De 07:00 AM a 08:00 AM", "grid": "De 08:00 AM a 09:00 AM"}


@pytest.fixture
def pointed_at(democlub, gridclub, settings, monkeypatch, tmp_path):  # noqa: F811
    """Both portals where the site's settings look for them, by demo club."""
    settings.DEMOCLUB_KIND = "condo"
    settings.DEMOCLUB_URL = democlub.url
    settings.DEMOCLUB_SECOND_URL = gridclub.url
    settings.VAR_DIR = tmp_path
    monkeypatch.delenv("DEMOCLUB_CONTROL_TOKEN", raising=False)
    for data, portal in (("democlub", democlub), ("democlub2", gridclub)):
        (tmp_path / data).mkdir()
        (tmp_path / data / "control-token").write_text(portal.token + "\n")
    return {"default": democlub, "grid": gridclub}


def demo_requests(user_id: str, club: str):
    return [
        r
        for r in services.list_requests(user_id, club=club)
        if r.status == "pending" and r.history[0].actor == "demo_release"
    ]


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=out)
    return out.getvalue()


def test_the_demo_member_gets_a_request_at_each_club_firing_at_its_portals_demo_release(
    pointed_at, django_user_model
):
    run("seed_demo")
    out = run("demo_release")
    member = str(django_user_model.objects.get(username="member").pk)

    for club, kind in (("default", "condo"), ("grid", "grid")):
        release = pointed_at[club].control.state()["demo_release"]
        [request] = [
            r
            for r in services.list_requests(member, club=club)
            if r.date == release["day"] and r.history[0].actor == "demo_release"
        ]
        opens_at = datetime.fromisoformat(release["opens_at"])
        assert request.fire_at == opens_at
        assert (request.court_id, request.time_slot) == (release["area"], LABELS[kind])
        assert (
            f"Demo booking at club {club}: {release['area_name']} on {release['day']}, "
            f"{LABELS[kind]}, fires at {opens_at.isoformat(timespec='seconds')} "
            f"(request {request.request_id})"
        ) in out
    assert run("demo_release").count("already requested") == 2


def test_a_demo_request_at_a_club_no_longer_a_demo_club_is_cancelled(
    pointed_at, django_user_model, settings, tmp_path
):
    run("seed_demo")
    run("demo_release")
    member = str(django_user_model.objects.get(username="member").pk)
    [old] = demo_requests(member, "grid")
    # An operator made the club "grid" their own: seed_demo keeps it enabled
    # when a restart with DEMOCLUB_KIND=grid gives its portal to the default club.
    config_services.set_system_value(
        "club", {"name": "Our grid club", "enabled": True}, club="grid", actor="charlie"
    )
    grid, condo = pointed_at["grid"], pointed_at["default"]
    settings.DEMOCLUB_KIND = "grid"
    settings.DEMOCLUB_URL, settings.DEMOCLUB_SECOND_URL = grid.url, condo.url
    for data, portal in (("democlub", grid), ("democlub2", condo)):
        (tmp_path / data / "control-token").write_text(portal.token + "\n")
    run("seed_demo")

    out = run("demo_release")

    assert services.get_request(member, old.request_id).status == "cancelled"
    assert f"Demo booking at club grid: the one for {old.date} cancelled (no longer" in out
    assert len(demo_requests(member, "default")) == 1
    assert len(demo_requests(member, "condo")) == 1


def test_without_the_portals_it_says_so_in_one_line_per_club(settings, monkeypatch):
    call_command("seed_demo", stdout=StringIO())
    settings.DEMOCLUB_URL = "http://127.0.0.1:9"
    settings.DEMOCLUB_SECOND_URL = "http://127.0.0.1:19"
    monkeypatch.setenv("DEMOCLUB_CONTROL_TOKEN", "x")
    with pytest.raises(CommandError, match=r"club default: .*did not answer.*club grid: .*"):
        call_command("demo_release")


def test_without_the_demo_member_it_says_to_seed_first():
    with pytest.raises(CommandError, match=r"run `python manage\.py seed_demo` first"):
        call_command("demo_release")


def test_the_demo_date_opens_for_every_member_at_the_portals_instant(pointed_at):
    """A newcomer's request for the demo date fires when the portal opens it, as the demo's."""
    run("seed_demo")
    run("demo_release")
    for club in ("default", "grid"):
        release = pointed_at[club].control.state()["demo_release"]
        opens_at = datetime.fromisoformat(release["opens_at"])
        rules = config_services.get_system_value("release_rules", club=club)
        assert rules["openings"] == [
            {"court": release["area"], "date": release["day"], "at": opens_at.isoformat()}
        ]
        courts = {c["id"]: c for c in config_services.get_courts(club)}
        other_slot = courts[release["area"]]["slots"][-1]
        opening = services.opening_of(club, release["area"], release["day"], other_slot)
        assert opening.at == opens_at
        assert opening.time_slot is None  # the whole day opens then
        soonest = {o.court_id: o for o in services.next_openings(club)}[release["area"]]
        assert (soonest.at, soonest.day.isoformat()) == (opens_at, release["day"])
    run("demo_release")  # again: the same one opening, not two
    rules = config_services.get_system_value("release_rules", club="default")
    assert len(rules["openings"]) == 1
