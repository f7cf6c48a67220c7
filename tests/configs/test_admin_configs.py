"""Operators' admin views for UserConfigs and SystemConfig."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from configs import services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dynamo")]


@pytest.fixture
def admin_client(operator):
    client = Client()
    client.force_login(operator)
    return client


def test_the_admin_index_links_to_the_dynamodb_views(admin_client):
    response = admin_client.get("/admin/")

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
        str(member.pk), portal_username="101", portal_password="top-secret-pw"
    )

    listed = admin_client.get("/admin/configs/userconfigs/")
    found = admin_client.get("/admin/configs/userconfigs/?q=alice")
    missed = admin_client.get("/admin/configs/userconfigs/?q=nobody")

    assert b"alice" in listed.content
    assert b"top-secret-pw" not in listed.content
    assert b"alice" in found.content
    assert b"alice@example.test" not in missed.content


def test_an_operator_edits_a_config_and_the_password_is_never_shown(admin_client, member):
    url = f"/admin/configs/userconfigs/{member.pk}/"
    services.update_user_config(
        str(member.pk), portal_username="101", portal_password="top-secret-pw"
    )

    page = admin_client.get(url)
    saved = admin_client.post(
        url,
        {"portal_username": "202", "preferred_court": "5", "email_on_success": "on"},
    )

    assert page.status_code == 200
    assert b"top-secret-pw" not in page.content
    assert saved.status_code == 302
    config = services.get_user_config(str(member.pk))
    assert config.portal_username == "202"
    assert config.has_portal_password
    assert config.notifications.email_on_failure is False


def test_invalid_admin_input_is_shown_on_the_form(admin_client, member):
    response = admin_client.post(
        f"/admin/configs/userconfigs/{member.pk}/",
        {"portal_username": "has space", "new_portal_password": "pw"},
    )

    assert response.status_code == 200
    assert b"may not contain spaces" in response.content


def test_an_operator_deletes_a_config(admin_client, member):
    services.update_user_config(str(member.pk), portal_username="101", portal_password="pw-1")

    response = admin_client.post(f"/admin/configs/userconfigs/{member.pk}/delete/")

    assert response.status_code == 302
    assert services.find_user_config(str(member.pk)) is None


def test_an_operator_edits_a_system_setting_with_validation(admin_client):
    url = "/admin/configs/systemconfig/limits/"
    good = {"max_active_requests": 3, "max_alternatives": 2, "horizon_days": 10}

    assert b"limits" in admin_client.get("/admin/configs/systemconfig/").content
    refused = admin_client.post(url, {"value": json.dumps({"max_active_requests": 0})})
    saved = admin_client.post(url, {"value": json.dumps(good)})

    assert refused.status_code == 200
    assert b"limits.max_active_requests" in refused.content
    assert saved.status_code == 302
    assert services.get_system_value("limits") == good
