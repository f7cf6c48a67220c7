"""manage.py demo_release books the demo portal's demo release for the demo member."""

from datetime import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from bookings import services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dynamo")]


@pytest.fixture
def pointed_at(democlub, settings, monkeypatch):
    settings.DEMOCLUB_URL = democlub.url
    monkeypatch.setenv("DEMOCLUB_CONTROL_TOKEN", democlub.token)
    return democlub


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=out)
    return out.getvalue()


def test_the_demo_member_gets_a_request_firing_at_the_portals_demo_release(
    pointed_at, django_user_model
):
    run("seed_demo")
    release = pointed_at.control.state()["demo_release"]
    out = run("demo_release")
    assert "Demo booking:" in out
    member = django_user_model.objects.get(username="member")
    [request] = [r for r in services.list_requests(str(member.pk)) if r.date == release["day"]]
    assert request.fire_at == datetime.fromisoformat(release["opens_at"])
    assert (request.court_id, request.time_slot) == (release["area"], release["slot"])
    assert "already requested" in run("demo_release")


def test_without_the_portal_it_says_so_in_one_line(settings, monkeypatch):
    settings.DEMOCLUB_URL = "http://127.0.0.1:9"
    monkeypatch.setenv("DEMOCLUB_CONTROL_TOKEN", "x")
    with pytest.raises(CommandError, match="did not answer"):
        call_command("demo_release")
