"""The club settings' defaults follow DEMOCLUB_KIND, and a switch of kind follows them.

``courts``, ``release_rules`` and ``portal_profile`` default to the demo
portal's (condo or grid); a deployment restarted with the other kind gets
the other kind's defaults wherever the stored value is still exactly a
demo portal's default, and keeps what an operator edited.
"""

import pytest

from booker.profiles import builtin_profile
from configs import services, system_keys
from configs.demo_portals import DEMO_PORTALS
from democlub.__main__ import DEMO_MEMBERS
from democlub.parsing import parse_settings
from tennisbook.settings import defaults
from tennisbook.values import TimeSlot

KINDS = list(defaults.DEMOCLUB_KINDS)


@pytest.fixture
def kind(request, settings):
    settings.DEMOCLUB_KIND = request.param
    services.forget_cached_settings()
    yield request.param
    services.forget_cached_settings()


def stored(key: str):
    services.forget_cached_settings()
    return services.get_system_value(key)


@pytest.mark.parametrize("kind", KINDS, indirect=True)
@pytest.mark.parametrize("key", system_keys.DEMO_PORTAL_KEYS)
def test_each_kinds_defaults_are_valid_and_canonical(kind, key):
    default = system_keys.KEYS[key].default()
    assert system_keys.validate(key, default) == default


@pytest.mark.parametrize("kind", ["grid"], indirect=True)
def test_the_grid_kind_defaults_to_the_grid_portals_courts_rules_and_profile(kind, settings):
    courts = system_keys.KEYS["courts"].default()
    rules = system_keys.KEYS["release_rules"].default()
    profile = system_keys.KEYS["portal_profile"].default()

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

    courts = system_keys.KEYS["courts"].default()

    assert [(c["id"], c["name"]) for c in courts] == [
        (5, "Cancha de Tenis 1"),
        (7, "Cancha de Tenis 2"),
    ]
    assert courts[0]["slots"][0] == "De 06:00 AM a 07:00 AM"
    assert system_keys.KEYS["release_rules"].default() == default_release_rules()
    assert system_keys.KEYS["portal_profile"].default() == builtin_profile(
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


# --- a restart with the other kind ---------------------------------------------------


@pytest.mark.usefixtures("dynamo")
def test_a_restart_with_the_other_kind_switches_the_untouched_defaults(settings):
    settings.DEMOCLUB_KIND = "condo"
    services.ensure_system_defaults()
    settings.DEMOCLUB_KIND = "grid"

    switched, kept = services.adopt_demo_portal_defaults(actor="seed_demo")

    assert (switched, kept) == (list(system_keys.DEMO_PORTAL_KEYS), [])
    assert stored("courts") == system_keys.demo_defaults("grid")["courts"]
    assert stored("release_rules")["time_zone"] == "America/New_York"
    assert stored("portal_profile")["name"] == "gridclub"
    assert services.adopt_demo_portal_defaults(actor="seed_demo") == ([], [])
    # and back again
    assert services.adopt_demo_portal_defaults("condo", actor="seed_demo")[0] == list(
        system_keys.DEMO_PORTAL_KEYS
    )
    assert stored("portal_profile")["name"] == "democlub"


@pytest.mark.usefixtures("dynamo")
def test_an_edited_value_is_kept_and_reported_while_the_others_switch(settings):
    settings.DEMOCLUB_KIND = "condo"
    services.ensure_system_defaults()
    edited = [{"id": 5, "name": "Centre Court", "slots": ["De 07:00 AM a 08:00 AM"]}]
    services.set_system_value("courts", edited, actor="charlie")
    settings.DEMOCLUB_KIND = "grid"

    switched, kept = services.adopt_demo_portal_defaults(actor="seed_demo")

    assert (switched, kept) == (["release_rules", "portal_profile"], ["courts"])
    assert stored("courts") == edited
    assert services.adopt_demo_portal_defaults(actor="seed_demo") == ([], ["courts"])


@pytest.mark.usefixtures("dynamo")
def test_keys_that_do_not_follow_the_portal_and_keys_never_stored_are_left_alone(settings):
    services.set_system_value("conflict_policy", "queue", actor="charlie")
    settings.DEMOCLUB_KIND = "grid"

    assert services.adopt_demo_portal_defaults(actor="seed_demo") == ([], [])
    assert services.system_configs.find("courts") is None
    assert stored("conflict_policy") == "queue"
