"""The club settings' defaults follow DEMOCLUB_KIND, and a switch of kind follows them.

``courts``, ``release_rules`` and ``portal_profile`` default to the demo
portal's (condo or grid); a deployment restarted with the other kind gets
the other kind's defaults wherever the stored value is still exactly a
demo portal's default, and keeps what an operator edited. ``make run``
runs both portals: the ``DEMOCLUB_KIND`` one at ``DEMOCLUB_URL`` for the
default club, the other at ``DEMOCLUB_SECOND_URL`` for a second demo club
named after its kind.
"""

import pytest

from booker.profiles import builtin_profile
from configs import services, system_keys
from configs.demo_portals import DEMO_PORTALS, demo_clubs, demo_portal_url, second_kind
from democlub.__main__ import DEMO_MEMBERS
from democlub.parsing import parse_settings
from tennisbook.settings import defaults
from tennisbook.values import TimeSlot, parse_club_id
from tests.factories import CLUB

KINDS = list(defaults.DEMOCLUB_KINDS)


@pytest.fixture
def kind(request, settings):
    settings.DEMOCLUB_KIND = request.param
    services.forget_cached_settings()
    yield request.param
    services.forget_cached_settings()


def stored(key: str, club: str = CLUB):
    services.forget_cached_settings()
    return services.get_system_value(key, club=club)


@pytest.mark.parametrize("kind", KINDS, indirect=True)
@pytest.mark.parametrize("key", system_keys.DEMO_PORTAL_KEYS)
def test_each_kinds_defaults_are_valid_and_canonical(kind, key):
    default = system_keys.KEYS[key].default(CLUB)
    assert system_keys.validate(key, default) == default


@pytest.mark.parametrize("kind", ["grid"], indirect=True)
def test_the_grid_kind_defaults_to_the_grid_portals_courts_rules_and_profile(kind, settings):
    courts = system_keys.KEYS["courts"].default(CLUB)
    rules = system_keys.KEYS["release_rules"].default(CLUB)
    profile = system_keys.KEYS["portal_profile"].default(CLUB)

    assert [(c["id"], c["name"]) for c in courts] == [(n, f"Court {n}") for n in range(1, 5)]
    hours = [TimeSlot.parse(label) for label in courts[0]["slots"]]
    assert (hours[0].label, hours[-1].label, len(hours)) == (
        "De 07:00 AM a 08:00 AM",
        "De 09:00 PM a 10:00 PM",
        15,
    )
    assert all(court["slots"] == courts[0]["slots"] for court in courts)
    assert profile == builtin_profile("gridclub", settings.DEMOCLUB_URL)
    assert rules == profile["release_rules"]
    assert rules == {
        "time_zone": "America/New_York",
        "default": {"kind": "rolling", "minutes_before": 10080},
        "courts": {},
    }


@pytest.mark.parametrize("kind", ["condo"], indirect=True)
def test_the_condo_kind_keeps_the_club_of_portal_md(kind, settings):
    from booker.profiles.release_rules import default_release_rules

    courts = system_keys.KEYS["courts"].default(CLUB)

    assert [(c["id"], c["name"]) for c in courts] == [
        (5, "Cancha de Tenis 1"),
        (7, "Cancha de Tenis 2"),
    ]
    assert courts[0]["slots"][0] == "De 06:00 AM a 07:00 AM"
    assert system_keys.KEYS["release_rules"].default(CLUB) == default_release_rules()
    assert system_keys.KEYS["portal_profile"].default(CLUB) == builtin_profile(
        "democlub", settings.DEMOCLUB_URL
    )


@pytest.mark.parametrize("name", KINDS)
def test_each_demo_portal_mirrors_what_democlub_of_that_kind_runs(name):
    portal, club = DEMO_PORTALS[name], parse_settings({}, name)
    areas = {area.id: area.name for area in club.areas}

    assert {(c, areas.get(c)) for c, _ in portal.courts} == set(portal.courts)
    assert (portal.first_slot, portal.last_slot_end) == (club.slots.start, club.slots.end)
    assert (portal.member, portal.password) == (
        DEMO_MEMBERS[name].member,
        DEMO_MEMBERS[name].password,
    )
    offered = portal.court_list()[0]["slots"]
    assert set(portal.preferred_slots) <= set(offered)
    assert portal.sample[1] in offered
    assert {portal.sample[0], portal.sample[2], portal.preferred_court} <= {
        c for c, _ in portal.courts
    }


def test_there_is_a_demo_portal_for_every_kind():
    assert tuple(DEMO_PORTALS) == defaults.DEMOCLUB_KINDS


# --- two demo clubs, one per portal ---------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "other"), [("condo", "grid"), ("grid", "condo")], indirect=["kind"]
)
def test_the_second_demo_club_is_the_other_kind_at_democlub_second_url(kind, other, settings):
    assert second_kind() == other
    assert demo_clubs() == [(settings.DEFAULT_CLUB_ID, kind), (other, other)]
    assert demo_portal_url(kind) == demo_portal_url() == settings.DEMOCLUB_URL
    assert demo_portal_url(other) == settings.DEMOCLUB_SECOND_URL
    assert settings.DEMOCLUB_SECOND_URL != settings.DEMOCLUB_URL


@pytest.mark.parametrize("kind", ["condo"], indirect=True)
def test_the_other_kinds_defaults_point_at_the_second_portal(kind, settings):
    grid = system_keys.demo_defaults("grid")

    assert grid["portal_profile"] == builtin_profile("gridclub", settings.DEMOCLUB_SECOND_URL)
    assert grid["courts"] == DEMO_PORTALS["grid"].court_list()
    assert grid["release_rules"] == grid["portal_profile"]["release_rules"]


@pytest.mark.parametrize("kind", ["condo"], indirect=True)
def test_a_default_club_named_as_the_other_kind_leaves_one_demo_club(kind, settings):
    settings.DEFAULT_CLUB_ID = "grid"

    assert demo_clubs() == [("grid", "condo")]


@pytest.mark.parametrize("name", KINDS)
def test_each_demo_club_has_a_valid_id_and_name(name):
    portal = DEMO_PORTALS[name]

    assert parse_club_id(portal.kind) == name
    record = system_keys.validate_club({"name": portal.club_name, "enabled": True})
    assert record["name"] == portal.club_name
    assert len({p.club_name for p in DEMO_PORTALS.values()}) == len(DEMO_PORTALS)


# --- a restart with the other kind ---------------------------------------------------


@pytest.mark.usefixtures("dynamo")
def test_a_restart_with_the_other_kind_switches_the_untouched_defaults(settings):
    settings.DEMOCLUB_KIND = "condo"
    services.ensure_system_defaults(club=CLUB)
    settings.DEMOCLUB_KIND = "grid"

    switched, kept = services.adopt_demo_portal_defaults(club=CLUB, actor="seed_demo")

    assert (switched, kept) == (list(system_keys.DEMO_PORTAL_KEYS), [])
    assert stored("courts") == system_keys.demo_defaults("grid")["courts"]
    assert stored("release_rules")["time_zone"] == "America/New_York"
    assert stored("portal_profile")["name"] == "gridclub"
    assert services.adopt_demo_portal_defaults(club=CLUB, actor="seed_demo") == ([], [])
    # and back again
    assert services.adopt_demo_portal_defaults("condo", club=CLUB, actor="seed_demo")[0] == list(
        system_keys.DEMO_PORTAL_KEYS
    )
    assert stored("portal_profile")["name"] == "democlub"


@pytest.mark.usefixtures("dynamo")
def test_an_edited_value_is_kept_and_reported_while_the_others_switch(settings):
    settings.DEMOCLUB_KIND = "condo"
    services.ensure_system_defaults(club=CLUB)
    edited = [{"id": 5, "name": "Centre Court", "slots": ["De 07:00 AM a 08:00 AM"]}]
    services.set_system_value("courts", edited, club=CLUB, actor="charlie")
    settings.DEMOCLUB_KIND = "grid"

    switched, kept = services.adopt_demo_portal_defaults(club=CLUB, actor="seed_demo")

    assert (switched, kept) == (["release_rules", "portal_profile"], ["courts"])
    assert stored("courts") == edited
    assert services.adopt_demo_portal_defaults(club=CLUB, actor="seed_demo") == ([], ["courts"])


@pytest.mark.usefixtures("dynamo")
def test_keys_that_do_not_follow_the_portal_and_keys_never_stored_are_left_alone(settings):
    services.set_system_value("conflict_policy", "queue", club=CLUB, actor="charlie")
    settings.DEMOCLUB_KIND = "grid"

    assert services.adopt_demo_portal_defaults(club=CLUB, actor="seed_demo") == ([], [])
    assert services.system_configs.find(system_keys.item_key(CLUB, "courts")) is None
    assert stored("conflict_policy") == "queue"
