"""seed_demo gives the demo member the account and sample request of the demo portal running.

``DEMOCLUB_KIND`` names it: the condo (member ``101``, courts 5 and 7) or
the grid (member ``alex``, courts 1-4). Restarted with the other kind, the
demo member's untouched demo data follows; an edited account is kept.
"""

from io import StringIO

import pytest
from django.core.management import call_command

from bookings import services as booking_services
from bookings import workflow
from configs import services as config_services
from configs import system_keys
from configs.crypto import acting_as
from configs.demo_portals import DEMO_PORTALS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dynamo")]


def seed(settings, kind: str) -> str:
    settings.DEMOCLUB_KIND = kind
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def member_id(django_user_model):
    def find() -> str:
        return str(django_user_model.objects.get(username="member").pk)

    return find


def active(user_id: str):
    return [r for r in booking_services.list_requests(user_id) if r.status == "pending"]


def assert_valid_on_the_courts(request) -> None:
    courts = {court["id"]: court["slots"] for court in config_services.get_courts()}
    assert request.time_slot in courts[request.court_id]
    for alternative in request.alternatives:
        assert alternative.time_slot in courts[alternative.court_id]


def test_on_the_grid_the_demo_member_is_alex_with_a_sample_request_on_its_courts(
    settings, member_id
):
    out = seed(settings, "grid")

    config = config_services.get_user_config(member_id())
    with acting_as("test", "read back"):
        assert (config.portal_username, config.portal_password) == ("alex", "grid-demo-alex")
    assert config.preferred_court == 1
    grid_slots = config_services.get_court(1)["slots"]
    assert config.preferred_slots
    assert set(config.preferred_slots) <= set(grid_slots)
    [sample] = active(member_id())
    assert sample.court_id in {1, 2, 3, 4}
    assert_valid_on_the_courts(sample)
    assert "portal account alex on the grid demo portal" in out


def test_a_restart_with_the_grid_switches_the_condos_demo_data(settings, member_id):
    seed(settings, "condo")
    [condo_sample] = active(member_id())

    out = seed(settings, "grid")

    assert config_services.get_user_config(member_id()).portal_username == "alex"
    assert "Portal config for member: switched to alex (grid)" in out
    assert booking_services.get_request(member_id(), condo_sample.request_id).status == "cancelled"
    [grid_sample] = active(member_id())
    assert_valid_on_the_courts(grid_sample)
    again = seed(settings, "grid")
    assert "switched" not in again
    assert "created" not in again
    assert [r.request_id for r in active(member_id())] == [grid_sample.request_id]


def test_and_back_to_the_condo(settings, member_id):
    seed(settings, "condo")
    seed(settings, "grid")

    seed(settings, "condo")

    config = config_services.get_user_config(member_id())
    condo = DEMO_PORTALS["condo"]
    assert (config.portal_username, config.preferred_court) == ("101", condo.preferred_court)
    [sample] = active(member_id())
    assert (sample.court_id, sample.time_slot) == condo.sample[:2]


def test_an_edited_portal_account_is_kept_with_a_warning(settings, member_id):
    seed(settings, "condo")
    config_services.save_user_config(member_id(), portal_username="202", preferred_court=7)

    out = seed(settings, "grid")

    assert config_services.get_user_config(member_id()).portal_username == "202"
    assert (
        "WARNING: the portal account of member is not a demo portal's demo account (edited); "
        "kept as it is, so it may not log in to the grid demo portal"
    ) in out


def test_the_members_own_requests_are_left_alone(settings, member_id):
    seed(settings, "condo")
    [sample] = active(member_id())
    own = workflow.create(member_id(), 7, sample.date, "De 10:00 AM a 11:00 AM")

    seed(settings, "grid")

    assert booking_services.get_request(member_id(), own.request_id).status == "pending"


def test_it_says_which_settings_it_switched_and_warns_about_the_one_kept(settings):
    seed(settings, "condo")
    edited = system_keys.demo_defaults("condo")["release_rules"] | {"time_zone": "UTC"}
    config_services.set_system_value("release_rules", edited, actor="charlie")

    out = seed(settings, "grid")

    assert "System settings switched to the grid demo portal's: courts, portal_profile" in out
    assert (
        "WARNING: system setting release_rules is not the grid demo portal's default "
        "(edited, or an older version's); kept as it is"
    ) in out
    assert config_services.get_system_value("release_rules") == edited
