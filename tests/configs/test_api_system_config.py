"""``/api/system/config``: members read the public part, operators manage it."""

# The API fixtures live in tests/api/fixtures.py; importing them here makes
# them available to this module, and their names are then test arguments.
# ruff: noqa: F811

from __future__ import annotations

import pytest

from configs import services
from tests.api.fixtures import _fresh_limits, anon, as_member, as_operator  # noqa: F401
from tests.factories import CLUB

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dynamo")]

URL = "/api/system/config"
COURTS = [{"id": 5, "name": "Center court", "slots": ["De 07:00 AM a 08:00 AM"]}]


def keys(response) -> set[str]:
    return {entry["key"] for entry in response.json()}


def test_a_member_reads_only_the_public_settings(as_member):
    response = as_member.get(URL)

    assert response.status_code == 200
    assert {"courts", "release_rules"} <= keys(response)
    assert "feature_flags" not in keys(response)
    assert all(entry["public"] for entry in response.json())


def test_an_operator_reads_every_setting(as_operator):
    assert {"courts", "release_rules", "feature_flags", "retention"} <= keys(as_operator.get(URL))


def test_an_operator_changes_a_setting(as_operator, operator):
    response = as_operator.post(URL, {"key": "courts", "value": COURTS}, format="json")

    assert response.status_code == 200
    assert response.json()["value"] == COURTS
    assert response.json()["modified_by"] == "charlie"
    assert (
        services.get_courts(
            CLUB,
        )
        == COURTS
    )


def test_an_invalid_value_is_refused_naming_its_path(as_operator):
    bad = [{"id": 5, "name": "Center", "slots": ["noon"]}]

    response = as_operator.post(URL, {"key": "courts", "value": bad}, format="json")

    assert response.status_code == 400
    assert "courts[0].slots[0]" in response.json()["error"]["fields"]


def test_an_unknown_key_is_refused(as_operator):
    response = as_operator.post(URL, {"key": "colour", "value": "green"}, format="json")

    assert response.status_code == 400
    assert "key" in response.json()["error"]["fields"]


def test_a_member_cannot_change_settings(as_member):
    response = as_member.post(URL, {"key": "courts", "value": COURTS}, format="json")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert (
        services.get_courts(
            CLUB,
        )
        != COURTS
    )


def test_anonymous_callers_answer_401(anon):
    assert anon.get(URL).status_code == 401
    assert anon.post(URL, {"key": "courts", "value": COURTS}, format="json").status_code == 401
