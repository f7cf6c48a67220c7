"""``/api/users/{userId}/config`` and ``/api/users/me/config``."""

# The API fixtures live in tests/api/fixtures.py; importing them here makes
# them available to this module, and their names are then test arguments.
# ruff: noqa: F811

from __future__ import annotations

import pytest

from configs import services
from configs.crypto import KeyServiceUnavailable, get_provider
from tennisbook.dynamo import Unavailable
from tests.api.fixtures import _fresh_limits, anon, as_member, as_operator, as_other_member  # noqa: F401
from tests.factories import CLUB

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dynamo")]

CREDENTIALS = {"portal_username": "101", "portal_password": "s3cret pass!"}
MINE = "/api/users/me/config"


def config_url(user) -> str:
    return f"/api/users/{user.pk}/config"


def test_a_member_creates_their_config_and_the_password_never_comes_back(as_member, member):
    body = CREDENTIALS | {"preferred_court": 5, "preferred_slots": ["de 7:00 am a 8:00 am"]}

    response = as_member.post(MINE, body, format="json")

    assert response.status_code == 201
    data = response.json()
    assert data["user_id"] == str(member.pk)
    assert data["has_portal_password"] is True
    assert data["preferred_slots"] == ["De 07:00 AM a 08:00 AM"]
    assert "portal_password" not in data
    assert "s3cret" not in response.content.decode()
    assert services.get_user_config(str(member.pk), CLUB).has_portal_password is True


def test_the_stored_password_is_the_one_typed(as_member, member):
    as_member.post(MINE, CREDENTIALS, format="json")

    assert services.get_user_config(str(member.pk), CLUB).portal_password == "s3cret pass!"


def test_creating_requires_the_portal_credentials(as_member):
    response = as_member.post(MINE, {"preferred_court": 5}, format="json")

    assert response.status_code == 400
    assert "portal_username" in response.json()["error"]["fields"]


def test_a_member_updates_some_fields_and_keeps_the_rest(as_member):
    as_member.post(MINE, CREDENTIALS | {"preferred_court": 5}, format="json")

    response = as_member.post(MINE, {"notifications": {"email_on_success": False}}, format="json")

    assert response.status_code == 200
    data = response.json()
    assert data["portal_username"] == "101"
    assert data["preferred_court"] == 5
    assert data["has_portal_password"] is True
    assert data["notifications"] == {
        "email_on_success": False,
        "email_on_failure": True,
        "live_updates": True,
    }
    assert data["version"] == 2


def test_the_id_path_and_me_are_the_same_config(as_member, member):
    as_member.post(MINE, CREDENTIALS, format="json")

    assert as_member.get(config_url(member)).json() == as_member.get(MINE).json()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("preferred_court", 99),
        ("preferred_court", "five"),
        ("preferred_slots", ["at noon"]),
        ("portal_username", "has space"),
        ("portal_password", " leading-space"),
        ("portal_password", "bell\x07"),
    ],
)
def test_bad_values_are_refused_naming_the_field(as_member, field, value):
    response = as_member.post(MINE, CREDENTIALS | {field: value}, format="json")

    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert any(name.startswith(field) for name in fields), fields


def test_a_slot_the_preferred_court_does_not_offer_is_refused(as_member):
    response = as_member.post(
        MINE,
        CREDENTIALS | {"preferred_court": 5, "preferred_slots": ["De 09:00 PM a 10:00 PM"]},
        format="json",
    )

    assert response.status_code == 400
    assert "preferred_slots[0]" in response.json()["error"]["fields"]


def test_reading_a_config_that_does_not_exist_answers_404(as_member):
    response = as_member.get(MINE)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_member_deletes_their_config(as_member):
    as_member.post(MINE, CREDENTIALS, format="json")

    assert as_member.delete(MINE).status_code == 204
    assert as_member.get(MINE).status_code == 404
    assert as_member.delete(MINE).status_code == 404


@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_another_member_cannot_reach_alices_config(as_member, as_other_member, member, method):
    as_member.post(MINE, CREDENTIALS, format="json")

    response = getattr(as_other_member, method)(config_url(member), CREDENTIALS, format="json")

    assert response.status_code in (403, 404)
    assert response.json()["error"]["code"] in ("permission_denied", "not_found")
    assert as_member.get(MINE).json()["portal_username"] == "101"


@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_anonymous_callers_answer_401(anon, member, method):
    assert getattr(anon, method)(config_url(member)).status_code == 401
    assert getattr(anon, method)(MINE).status_code == 401


def test_an_operator_may_read_a_members_config(as_member, as_operator, member):
    as_member.post(MINE, CREDENTIALS, format="json")

    response = as_operator.get(config_url(member))

    assert response.status_code == 200
    assert response.json()["has_portal_password"] is True


def test_a_path_that_is_not_a_user_id_answers_404_in_the_error_format(as_member):
    response = as_member.get("/api/users/not-a-uuid/config")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_dynamodb_down_answers_503_and_nothing_is_written(as_member, member, monkeypatch):
    as_member.post(MINE, CREDENTIALS, format="json")

    def down(*args, **kwargs):
        raise Unavailable("DynamoDB at test cannot be reached.")

    monkeypatch.setattr(services.user_configs, "save", down)
    response = as_member.post(MINE, {"portal_username": "202"}, format="json")
    monkeypatch.undo()

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"
    assert "unavailable" in response.json()["error"]["message"]
    assert as_member.get(MINE).json()["portal_username"] == "101"


def test_a_missing_table_answers_503(as_member):
    services.user_configs.model.delete_table()

    response = as_member.get(MINE)

    assert response.status_code == 503


def test_kms_down_answers_503_and_nothing_is_written(as_member, monkeypatch):
    def down(*args, **kwargs):
        raise KeyServiceUnavailable("KMS cannot be reached.")

    monkeypatch.setattr(get_provider(), "generate", down)

    response = as_member.post(MINE, CREDENTIALS, format="json")

    assert response.status_code == 503
    assert "key service" in response.json()["error"]["message"]
    monkeypatch.undo()
    assert as_member.get(MINE).status_code == 404


def test_the_old_email_flags_are_the_members_notification_choices(as_member, member):
    from realtime import preferences

    as_member.post(MINE, CREDENTIALS, format="json")

    response = as_member.post(MINE, {"notifications": {"email_on_failure": False}}, format="json")

    assert response.status_code == 200
    assert preferences.wants(member, "failed", "email") is False
    assert preferences.wants(member, "booked", "email") is True
    preferences.save_preferences(member, {("booked", "email"): False})  # from the profile page
    assert as_member.get(MINE).json()["notifications"] == {
        "email_on_success": False,
        "email_on_failure": False,
        "live_updates": True,
    }


def test_turning_live_updates_off_is_refused_naming_the_field(as_member):
    as_member.post(MINE, CREDENTIALS, format="json")

    response = as_member.post(MINE, {"notifications": {"live_updates": False}}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "notifications.live_updates": ["Pages are always live; this cannot be turned off."]
    }


def test_only_an_operator_of_every_club_changes_a_members_email_choices(
    as_member, as_operator, member, operator
):
    from realtime import preferences

    as_member.post(MINE, CREDENTIALS, format="json")
    operator.operator_clubs = [CLUB]  # limited to this club: the choices span every club
    operator.save()
    body = {"notifications": {"email_on_success": False}}

    refused = as_operator.post(config_url(member), body, format="json")

    assert refused.status_code == 403
    assert preferences.wants(member, "booked", "email") is True
    operator.operator_clubs = []  # every club
    operator.save()
    assert as_operator.post(config_url(member), body, format="json").status_code == 200
    assert preferences.wants(member, "booked", "email") is False
