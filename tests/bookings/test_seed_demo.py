"""seed_demo sets up two demo clubs, one per demo portal, and the demo member at both.

The default club is on the portal ``DEMOCLUB_KIND`` names: the condo
(member ``101``, courts 5 and 7) or the grid (member ``alex``, courts 1-4).
The second demo club is on the other portal, and its id is that kind's
name. Running it again changes nothing. Restarted with the other kind, the
default club's untouched demo data follows, the new second club is created
and the previous one (whose portal is now the default club's) disabled; an
edited account is kept.
"""

from io import StringIO

import pytest
from django.core.management import call_command

from bookings import services as booking_services
from bookings import workflow
from configs import clubs, system_keys
from configs import services as config_services
from configs.crypto import acting_as
from configs.demo_portals import DEMO_PORTALS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dynamo")]

DEFAULT = "default"
OTHER = {"condo": "grid", "grid": "condo"}


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


def active(user_id: str, club: str = DEFAULT):
    return [r for r in booking_services.list_requests(user_id, club=club) if r.status == "pending"]


def assert_valid_on_the_courts(request) -> None:
    courts = {c["id"]: c["slots"] for c in config_services.get_courts(request.club_id)}
    assert request.time_slot in courts[request.court_id]
    for alternative in request.alternatives:
        assert alternative.time_slot in courts[alternative.court_id]


def stored_items() -> dict:
    """Every SystemConfig item as stored, with who wrote it when."""
    return {
        item.config_key: (item.config_value, item.last_modified, item.modified_by)
        for item in config_services.system_configs.all()
    }


def credentials(user_id: str, club: str) -> tuple[str, str]:
    config = config_services.get_user_config(user_id, club)
    with acting_as("test", "read back"):
        return config.portal_username, config.portal_password


@pytest.mark.parametrize("kind", ["condo", "grid"])
def test_both_demo_clubs_exist_each_on_its_demo_portal(settings, kind):
    seed(settings, kind)
    other = OTHER[kind]

    assert clubs.club_ids() == [DEFAULT, other]
    second = clubs.get_club(other)
    assert (second.name, second.enabled) == (DEMO_PORTALS[other].club_name, True)
    assert clubs.get_club(DEFAULT).enabled
    for club, club_kind in ((DEFAULT, kind), (other, other)):
        expected = system_keys.demo_defaults(club_kind)
        for key, value in expected.items():
            assert config_services.get_system_value(key, club=club) == value, (club, key)
    assert config_services.get_system_value("portal_profile", club=DEFAULT)["base_url"] == (
        settings.DEMOCLUB_URL
    )
    assert config_services.get_system_value("portal_profile", club=other)["base_url"] == (
        settings.DEMOCLUB_SECOND_URL
    )


@pytest.mark.parametrize("kind", ["condo", "grid"])
def test_the_demo_member_has_each_portals_own_account_and_a_sample_request_at_both(
    settings, member_id, kind
):
    out = seed(settings, kind)

    for club, club_kind in ((DEFAULT, kind), (OTHER[kind], OTHER[kind])):
        portal = DEMO_PORTALS[club_kind]
        assert credentials(member_id(), club) == (portal.member, portal.password)
        config = config_services.get_user_config(member_id(), club)
        assert config.preferred_court == portal.preferred_court
        assert set(config.preferred_slots) <= set(
            config_services.get_court(club, portal.preferred_court)["slots"]
        )
        [sample] = active(member_id(), club)
        assert (sample.court_id, sample.time_slot) == portal.sample[:2]
        assert_valid_on_the_courts(sample)
        assert f"{portal.member} at club {club} ({club_kind} demo portal)" in out


def test_on_the_grid_the_default_clubs_demo_member_is_alex_on_its_courts(settings, member_id):
    out = seed(settings, "grid")

    assert credentials(member_id(), DEFAULT) == ("alex", "grid-demo-alex")
    assert credentials(member_id(), "condo") == ("101", "cancha-demo-101")
    [sample] = active(member_id())
    assert sample.court_id in {1, 2, 3, 4}
    assert "Club condo (Demo condominium): created on the condo demo portal" in out


def test_seeding_twice_changes_nothing_and_says_so(settings, member_id, django_user_model):
    seed(settings, "condo")
    items = stored_items()
    requests = {
        club: [r.request_id for r in booking_services.list_requests(member_id(), club=club)]
        for club in (DEFAULT, "grid")
    }
    configs = {
        club: config_services.get_user_config(member_id(), club).updated_at
        for club in (DEFAULT, "grid")
    }

    again = seed(settings, "condo")

    assert "Demo data: already set up, nothing changed." in again
    for word in ("created", "switched", "cancelled", "enabled", "disabled", "WARNING"):
        assert word not in again
    assert stored_items() == items
    assert django_user_model.objects.count() == 2
    for club in (DEFAULT, "grid"):
        mine = booking_services.list_requests(member_id(), club=club)
        assert [r.request_id for r in mine] == requests[club]
        assert config_services.get_user_config(member_id(), club).updated_at == configs[club]


def test_a_second_club_whose_creation_was_interrupted_is_finished(settings):
    settings.DEMOCLUB_KIND = "condo"
    grid = system_keys.demo_defaults("grid")
    config_services.set_system_value("courts", grid["courts"], club="grid", actor="seed_demo")
    assert clubs.club_ids() == [DEFAULT]  # not listed without its club item

    out = seed(settings, "condo")

    assert "Club grid (Demo grid club): created" in out
    assert clubs.club_ids() == [DEFAULT, "grid"]
    assert (
        config_services.get_system_value("portal_profile", club="grid") == (grid["portal_profile"])
    )


def test_a_restart_with_the_grid_switches_the_default_clubs_demo_data(settings, member_id):
    seed(settings, "condo")
    [condo_sample] = active(member_id())
    [grid_club_sample] = active(member_id(), "grid")

    out = seed(settings, "grid")

    assert credentials(member_id(), DEFAULT)[0] == "alex"
    assert "Portal config for member at club default: switched to alex (grid)" in out
    assert booking_services.get_request(member_id(), condo_sample.request_id).status == "cancelled"
    [grid_sample] = active(member_id())
    assert_valid_on_the_courts(grid_sample)
    # The grid portal is the default club's now: the old second club is retired,
    # and the condo portal has a demo club of its own.
    assert "Club grid: disabled" in out
    assert clubs.get_club("grid").enabled is False
    assert booking_services.get_request(member_id(), grid_club_sample.request_id).status == (
        "cancelled"
    )
    assert clubs.get_club("condo").enabled
    assert credentials(member_id(), "condo")[0] == "101"
    [condo_club_sample] = active(member_id(), "condo")
    again = seed(settings, "grid")
    assert "nothing changed" in again
    assert "switched" not in again
    assert "created" not in again
    assert [r.request_id for r in active(member_id())] == [grid_sample.request_id]
    assert [r.request_id for r in active(member_id(), "condo")] == [condo_club_sample.request_id]


def test_and_back_to_the_condo(settings, member_id):
    seed(settings, "condo")
    seed(settings, "grid")

    out = seed(settings, "condo")

    condo = DEMO_PORTALS["condo"]
    config = config_services.get_user_config(member_id(), DEFAULT)
    assert (config.portal_username, config.preferred_court) == ("101", condo.preferred_court)
    [sample] = active(member_id())
    assert (sample.court_id, sample.time_slot) == condo.sample[:2]
    assert "Club grid: enabled again" in out
    assert "Club condo: disabled" in out
    assert [club.id for club in clubs.list_clubs() if club.enabled] == [DEFAULT, "grid"]
    [grid_sample] = active(member_id(), "grid")
    assert (grid_sample.court_id, grid_sample.time_slot) == DEMO_PORTALS["grid"].sample[:2]
    assert active(member_id(), "condo") == []


def test_a_retired_club_an_operator_changed_is_kept_enabled_with_a_warning(settings):
    seed(settings, "condo")
    config_services.set_system_value(
        "club", {"name": "Our grid club", "enabled": True}, club="grid", actor="charlie"
    )

    out = seed(settings, "grid")

    assert clubs.get_club("grid").enabled
    assert "WARNING: club grid is on the grid demo portal too" in out


def test_an_edited_portal_account_is_kept_with_a_warning(settings, member_id):
    seed(settings, "condo")
    config_services.save_user_config(member_id(), DEFAULT, portal_username="202", preferred_court=7)

    out = seed(settings, "grid")

    assert config_services.get_user_config(member_id(), DEFAULT).portal_username == "202"
    assert (
        "WARNING: the portal account of member at club default is not a demo portal's demo "
        "account (edited); kept as it is, so it may not log in to the grid demo portal"
    ) in out


def test_the_members_own_requests_are_left_alone(settings, member_id):
    seed(settings, "condo")
    [sample] = active(member_id())
    own = workflow.create(member_id(), 7, sample.date, "De 10:00 AM a 11:00 AM", club=DEFAULT)

    seed(settings, "grid")

    assert booking_services.get_request(member_id(), own.request_id).status == "pending"


def test_it_says_which_settings_it_switched_and_warns_about_the_one_kept(settings):
    seed(settings, "condo")
    edited = system_keys.demo_defaults("condo")["release_rules"] | {"time_zone": "UTC"}
    config_services.set_system_value("release_rules", edited, club=DEFAULT, actor="charlie")

    out = seed(settings, "grid")

    assert (
        "System settings of club default switched to the grid demo portal's: courts, portal_profile"
    ) in out
    assert (
        "WARNING: system setting release_rules of club default is not the grid demo portal's "
        "default (edited, or an older version's); kept as it is"
    ) in out
    assert config_services.get_system_value("release_rules", club=DEFAULT) == edited


def test_a_default_club_named_as_the_other_kind_leaves_one_demo_club(settings, member_id):
    settings.DEFAULT_CLUB_ID = "grid"

    out = seed(settings, "condo")

    assert clubs.club_ids() == ["grid"]
    assert credentials(member_id(), "grid")[0] == "101"  # the condo portal's account
    assert "only one demo club" in out
