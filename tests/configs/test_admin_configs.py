"""Operators' admin views for UserConfigs and SystemConfig, at the default club.

Per-club behaviour, clubs themselves and operators limited to some clubs:
``test_admin_clubs.py``.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest
from django.test import Client

from configs import services
from configs.dynamo import UserConfig
from tennisbook.dynamo import Unavailable
from tests import factories
from tests.factories import CLUB

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dynamo")]


@pytest.fixture
def admin_client(operator):
    client = Client()
    client.force_login(operator)
    return client


def test_the_admin_index_links_to_the_dynamodb_views(admin_client):
    response = admin_client.get("/admin/")

    assert b"/admin/configs/clubs/" in response.content
    assert b"/admin/configs/userconfigs/" in response.content
    assert b"/admin/configs/systemconfig/" in response.content


def test_members_cannot_open_the_config_admin(member):
    client = Client()
    client.force_login(member)

    response = client.get("/admin/configs/userconfigs/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_operators_list_and_search_configs_without_seeing_passwords(admin_client, member):
    services.update_user_config(
        str(member.pk), CLUB, portal_username="101", portal_password="top-secret-pw"
    )

    listed = admin_client.get("/admin/configs/userconfigs/")
    found = admin_client.get("/admin/configs/userconfigs/?q=alice")
    missed = admin_client.get("/admin/configs/userconfigs/?q=nobody")

    assert b"alice" in listed.content
    assert b"top-secret-pw" not in listed.content
    assert b"alice" in found.content
    assert b"alice@example.test" not in missed.content


def test_an_operator_edits_a_config_and_the_password_is_never_shown(admin_client, member):
    url = f"/admin/configs/userconfigs/{member.pk}/{CLUB}/"
    services.update_user_config(
        str(member.pk), CLUB, portal_username="101", portal_password="top-secret-pw"
    )

    page = admin_client.get(url)
    saved = admin_client.post(
        url,
        {"portal_username": "202", "preferred_court": "5", "email_on_success": "on"},
    )

    assert page.status_code == 200
    assert b"top-secret-pw" not in page.content
    assert saved.status_code == 302
    config = services.get_user_config(str(member.pk), CLUB)
    assert config.portal_username == "202"
    assert config.has_portal_password is True
    assert config.notifications.email_on_failure is False


def test_invalid_admin_input_is_shown_on_the_form(admin_client, member):
    response = admin_client.post(
        f"/admin/configs/userconfigs/{member.pk}/{CLUB}/",
        {"portal_username": "has space", "new_portal_password": "pw"},
    )

    assert response.status_code == 200
    assert b"may not contain spaces" in response.content


def test_an_operator_deletes_a_config(admin_client, member):
    services.update_user_config(str(member.pk), CLUB, portal_username="101", portal_password="pw-1")

    response = admin_client.post(f"/admin/configs/userconfigs/{member.pk}/{CLUB}/delete/")

    assert response.status_code == 302
    assert services.find_user_config(str(member.pk), CLUB) is None


def test_an_operator_edits_a_system_setting_with_validation(admin_client):
    url = f"/admin/configs/systemconfig/{CLUB}/limits/"
    good = {"max_active_requests": 3, "max_alternatives": 2, "horizon_days": 10}

    assert b"limits" in admin_client.get(f"/admin/configs/systemconfig/{CLUB}/").content
    refused = admin_client.post(url, {"value": json.dumps({"max_active_requests": 0})})
    saved = admin_client.post(url, {"value": json.dumps(good)})

    assert refused.status_code == 200
    assert b"limits.max_active_requests" in refused.content
    assert saved.status_code == 302
    assert services.get_system_value("limits", club=CLUB) == good


# --- orphans: configurations whose member no longer exists -------------------------


@pytest.fixture
def orphan():
    """A configuration whose member was deleted without it (a random user id)."""
    return factories.user_config(portal_username="orphan-101").user_id


def test_an_orphan_config_is_listed_as_an_orphan(admin_client, member, orphan):
    services.update_user_config(str(member.pk), CLUB, portal_username="101", portal_password="pw-1")

    listed = admin_client.get("/admin/configs/userconfigs/")
    only = admin_client.get("/admin/configs/userconfigs/?orphans=1")

    assert listed.status_code == 200
    assert b"orphan: member deleted" in listed.content
    assert f"/admin/configs/userconfigs/{orphan}/{CLUB}/delete/".encode() in listed.content
    assert b"1 configuration belongs to members who no longer exist" in listed.content
    assert orphan.encode() in only.content
    assert b"alice" not in only.content


def test_an_operator_deletes_an_orphan_config(admin_client, orphan):
    url = f"/admin/configs/userconfigs/{orphan}/{CLUB}/delete/"

    confirm = admin_client.get(url)
    deleted = admin_client.post(url)

    assert confirm.status_code == 200
    assert b"orphan" in confirm.content
    assert b"orphan-101" in confirm.content
    assert deleted.status_code == 302
    assert services.find_user_config(orphan, CLUB) is None


def test_an_orphan_whose_key_was_never_a_user_id_is_listed_and_deletable(admin_client):
    factories.user_config(user_id="not-a-uuid")

    listed = admin_client.get("/admin/configs/userconfigs/")
    deleted = admin_client.post(f"/admin/configs/userconfigs/not-a-uuid/{CLUB}/delete/")

    assert listed.status_code == 200
    assert b"not-a-uuid" in listed.content
    assert deleted.status_code == 302
    assert services.find_user_config("not-a-uuid", CLUB) is None


def test_opening_an_orphan_leads_to_its_deletion(admin_client, orphan):
    response = admin_client.get(f"/admin/configs/userconfigs/{orphan}/{CLUB}/")

    assert response.status_code == 302
    assert response["Location"] == f"/admin/configs/userconfigs/{orphan}/{CLUB}/delete/"


def test_a_missing_config_still_answers_404(admin_client):
    missing = "00000000-0000-4000-8000-000000000000"

    assert admin_client.get(f"/admin/configs/userconfigs/{missing}/{CLUB}/").status_code == 404
    assert (
        admin_client.post(f"/admin/configs/userconfigs/{missing}/{CLUB}/delete/").status_code == 404
    )


def test_deleting_every_orphan_keeps_the_members_configs(admin_client, member, orphan):
    services.update_user_config(str(member.pk), CLUB, portal_username="101", portal_password="pw-1")
    second = factories.user_config().user_id

    confirm = admin_client.get("/admin/configs/userconfigs/delete-orphans/")
    swept = admin_client.post("/admin/configs/userconfigs/delete-orphans/", follow=True)

    assert orphan.encode() in confirm.content
    assert second.encode() in confirm.content
    assert str(member.pk).encode() not in confirm.content
    assert b"Deleted 2 orphan configuration(s)." in swept.content
    assert services.find_user_config(orphan, CLUB) is None
    assert services.find_user_config(second, CLUB) is None
    assert services.find_user_config(str(member.pk), CLUB) is not None


def test_orphans_that_could_not_be_deleted_are_reported_and_stay(admin_client, orphan, monkeypatch):
    def down(*args, **kwargs):
        raise Unavailable("DynamoDB at test cannot be reached.")

    monkeypatch.setattr(services.user_configs, "delete", down)
    swept = admin_client.post("/admin/configs/userconfigs/delete-orphans/", follow=True)
    monkeypatch.undo()

    assert swept.status_code == 200
    assert b"1 orphan configuration(s) could not be deleted" in swept.content
    assert services.find_user_config(orphan, CLUB) is not None


def test_dynamodb_down_on_the_delete_page_is_a_message_not_a_500(admin_client, member, monkeypatch):
    def down(*args, **kwargs):
        raise Unavailable("DynamoDB at test cannot be reached.")

    monkeypatch.setattr(services.user_configs, "get", down)
    response = admin_client.get(
        f"/admin/configs/userconfigs/{member.pk}/{CLUB}/delete/", follow=True
    )

    assert response.status_code == 200
    assert b"unavailable" in response.content


# --- the form checks with the shared validators -----------------------------------


def test_the_admin_form_checks_with_the_validators_the_api_uses(admin_client, member):
    response = admin_client.post(
        f"/admin/configs/userconfigs/{member.pk}/{CLUB}/",
        {"portal_username": "101", "new_portal_password": " padded-pw"},
    )

    assert response.status_code == 200
    assert b"may not start or end with a space." in response.content
    assert services.find_user_config(str(member.pk), CLUB) is None


def test_the_admin_form_refuses_a_slot_the_court_does_not_offer(admin_client, member):
    courts = [
        {"id": 5, "name": "Court 1", "slots": ["De 07:00 AM a 08:00 AM"]},
        {"id": 7, "name": "Court 2", "slots": ["De 08:00 AM a 09:00 AM"]},
    ]
    services.set_system_value("courts", courts, club=CLUB, actor="test")

    response = admin_client.post(
        f"/admin/configs/userconfigs/{member.pk}/{CLUB}/",
        {
            "portal_username": "101",
            "new_portal_password": "pw-1",
            "preferred_court": "5",
            "preferred_slots": ["De 08:00 AM a 09:00 AM"],
        },
    )

    assert response.status_code == 200
    assert b"is not a slot of Court 1" in response.content
    assert services.find_user_config(str(member.pk), CLUB) is None


# --- items written before clubs (legacy: no club) ----------------------------------


def legacy_config(user_id: str, **fields) -> UserConfig:
    """A configuration as the single-club version stored it: keyed by the member's id alone."""
    now = datetime.now(UTC)
    item = UserConfig(user_id, portal_username="legacy-101", created_at=now, updated_at=now)
    for name, value in fields.items():
        setattr(item, name, value)
    item.save()
    return item


def test_a_legacy_orphan_is_listed_and_deletable_with_what_its_member_left(admin_client):
    gone = str(uuid.uuid4())
    legacy_config(gone)
    factories.user_config(user_id=gone, portal_username="club-101")
    url = f"/admin/configs/userconfigs/{gone}/_legacy/delete/"

    listed = admin_client.get("/admin/configs/userconfigs/")
    confirm = admin_client.get(url)
    deleted = admin_client.post(url)

    assert url.encode() in listed.content
    assert b"orphan: member deleted" in listed.content
    assert confirm.status_code == 200
    assert b"written before clubs" in confirm.content
    assert b"legacy-101" in confirm.content
    assert deleted.status_code == 302
    assert services.orphan_user_configs() == []


def test_a_legacy_item_of_a_member_who_exists_is_shown_but_not_deletable(admin_client, member):
    legacy_config(str(member.pk))

    listed = admin_client.get("/admin/configs/userconfigs/")
    refused = admin_client.post(f"/admin/configs/userconfigs/{member.pk}/_legacy/delete/")

    assert b"written before clubs" in listed.content
    assert b"alice" in listed.content
    assert refused.status_code == 404
    assert [c.config_key for c in services.list_user_configs()] == [str(member.pk)]


def test_the_settings_url_from_before_clubs_leads_to_the_default_club(admin_client):
    response = admin_client.get("/admin/configs/systemconfig/limits/")

    assert response.status_code == 302
    assert response["Location"] == f"/admin/configs/systemconfig/{CLUB}/limits/"


def test_the_member_url_from_before_clubs_lists_their_configurations(admin_client, member):
    response = admin_client.get(f"/admin/configs/userconfigs/{member.pk}/", follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[0][0] == f"/admin/configs/userconfigs/?q={member.pk}"
