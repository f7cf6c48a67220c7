"""SystemConfig values are validated per key, errors naming the bad path."""

import pytest

from configs import services, system_keys
from tennisbook.values import InvalidValue
from tests.factories import CLUB


@pytest.mark.parametrize("key", list(system_keys.KEYS))
def test_every_default_is_valid_and_canonical(key):
    default = system_keys.KEYS[key].default(CLUB)
    assert system_keys.validate(key, default) == default


@pytest.mark.parametrize(
    ("key", "value", "path"),
    [
        ("courts", [], "courts"),
        ("courts", [{"id": 5, "name": "A", "slots": ["bad"]}], "courts[0].slots[0]"),
        ("courts", [{"id": 5, "name": "A"}], "courts[0].slots"),
        ("courts", [{"id": True, "name": "A", "slots": []}], "courts[0].id"),
        (
            "courts",
            [
                {"id": 5, "name": "A", "slots": ["De 07:00 AM a 08:00 AM"]},
                {"id": 5, "name": "B", "slots": ["De 07:00 AM a 08:00 AM"]},
            ],
            "courts[1].id",
        ),
        (
            "courts",
            [{"id": 5, "name": "A", "slots": ["De 07:00 AM a 08:00 AM"], "x": 1}],
            "courts[0].x",
        ),
        ("release_rules", {"time_zone": "Mars/Base", "default": {}}, "release_rules.time_zone"),
        (
            "release_rules",
            {
                "time_zone": "UTC",
                "default": {"kind": "fixed_daily", "days_ahead": 8, "at": "24:00"},
            },
            "release_rules.default.at",
        ),
        (
            "release_rules",
            {"time_zone": "UTC", "default": {"kind": "weekly"}},
            "release_rules.default.kind",
        ),
        (
            "release_rules",
            {
                "time_zone": "UTC",
                "default": {"kind": "rolling", "minutes_before": 60},
                "courts": {"5": {"kind": "rolling", "minutes_before": 0}},
            },
            "release_rules.courts.5.minutes_before",
        ),
        ("limits", {"max_active_requests": 0}, "limits.max_active_requests"),
        ("limits", {"burst": 3}, "limits.burst"),
        ("conflict_policy", "first-come", "conflict_policy"),
        ("feature_flags", {"Bad Name": True}, "feature_flags.Bad Name"),
        ("feature_flags", {"http_door": "yes"}, "feature_flags.http_door"),
        ("unknown_key", {}, "config_key"),
    ],
)
def test_a_bad_value_names_the_path_of_the_bad_part(key, value, path):
    with pytest.raises(InvalidValue) as info:
        system_keys.validate(key, value)
    assert info.value.field == path


def test_slots_are_stored_in_canonical_form_and_order():
    courts = system_keys.validate(
        "courts",
        [
            {
                "id": "9",
                "name": " Court ",
                "slots": ["de 9:00 am a 10:00 am", "De 07:00 AM a 08:00 AM"],
            }
        ],
    )
    assert courts == [
        {"id": 9, "name": "Court", "slots": ["De 07:00 AM a 08:00 AM", "De 09:00 AM a 10:00 AM"]}
    ]


@pytest.mark.usefixtures("dynamo")
def test_defaults_are_served_until_an_operator_stores_a_value():
    assert [
        c["id"]
        for c in services.get_courts(
            CLUB,
        )
    ] == [5, 7]
    services.set_system_value("conflict_policy", "queue", actor="charlie", club=CLUB)
    assert services.get_system_value("conflict_policy", club=CLUB) == "queue"
    assert services.ensure_system_defaults(club=CLUB) == [
        k for k in system_keys.KEYS if k != "conflict_policy"
    ]
    assert services.ensure_system_defaults(club=CLUB) == []


@pytest.mark.usefixtures("dynamo")
def test_an_unknown_court_lists_the_known_ones():
    with pytest.raises(
        InvalidValue, match=r"court 6 does not exist; courts: 5 \(Cancha de Tenis 1\)"
    ):
        services.get_court(CLUB, 6)
    court = services.get_court(CLUB, "5")
    with pytest.raises(InvalidValue, match="is not a slot of Cancha de Tenis 1"):
        services.check_slot_for_court(court, "De 09:00 PM a 10:00 PM")
