"""Deleting a member erases their UserConfig (the encrypted portal credentials).

Whichever way the site user goes — the admin's delete page, its bulk
action, ``Model.delete()``, ``QuerySet.delete()`` — their UserConfigs row
goes once the deletion commits. A DynamoDB outage at that moment leaves a
loudly logged orphan that an operator can delete later, never a 500.
"""

from __future__ import annotations

import pytest
from django.db import transaction

from configs import services
from tennisbook.dynamo import Unavailable
from tests.factories import CLUB

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dynamo")]


@pytest.fixture
def configured(member, other_member):
    """alice and bob, each with portal credentials stored; returns their ids.

    Ids, not users: ``Model.delete()`` sets the instance's ``pk`` to None.
    """
    for user in (member, other_member):
        services.update_user_config(
            str(user.pk), CLUB, portal_username=user.username, portal_password=f"{user.username}-pw"
        )
    return str(member.pk), str(other_member.pk)


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run what the code defers to the commit, as a real request would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def config_of(user_id: str) -> object:
    return services.find_user_config(user_id, CLUB)


def test_deleting_a_member_erases_their_portal_credentials(configured, member, on_commit):
    alice, bob = configured

    with on_commit():
        member.delete()

    assert config_of(alice) is None
    assert config_of(bob) is not None  # nobody else's


def test_an_operator_deleting_a_member_in_the_admin_erases_their_config(
    configured, superuser_client, on_commit
):
    alice, bob = configured

    with on_commit():
        response = superuser_client.post(f"/admin/accounts/user/{alice}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert config_of(alice) is None
    assert config_of(bob) is not None


def test_the_admins_bulk_delete_erases_every_selected_members_config(
    configured, superuser_client, on_commit
):
    alice, bob = configured

    with on_commit():
        response = superuser_client.post(
            "/admin/accounts/user/",
            {"action": "delete_selected", "_selected_action": [alice, bob], "post": "yes"},
        )

    assert response.status_code == 302
    assert config_of(alice) is None
    assert config_of(bob) is None


def test_a_queryset_delete_erases_the_configs_too(configured, django_user_model, on_commit):
    alice, bob = configured

    with on_commit():
        django_user_model.objects.filter(username__in=["alice", "bob"]).delete()

    assert config_of(alice) is None
    assert config_of(bob) is None


def test_a_member_without_a_config_is_deleted_quietly(member, on_commit, caplog):
    with on_commit():
        member.delete()

    assert "user_config.orphaned" not in caplog.text


def test_a_rolled_back_deletion_keeps_the_config(configured, member, on_commit):
    alice, _bob = configured

    def delete_then_fail():
        with transaction.atomic():
            member.delete()
            raise RuntimeError("something later in the same transaction failed")

    with on_commit(), pytest.raises(RuntimeError):
        delete_then_fail()

    assert config_of(alice) is not None


def test_a_dynamodb_outage_leaves_a_logged_orphan_that_the_operator_deletes(
    configured, superuser_client, on_commit, monkeypatch, caplog
):
    alice, _bob = configured

    def down(*args, **kwargs):
        raise Unavailable("DynamoDB at test cannot be reached.")

    monkeypatch.setattr(services.user_configs, "delete", down)
    with on_commit():
        deleted = superuser_client.post(f"/admin/accounts/user/{alice}/delete/", {"post": "yes"})
    monkeypatch.undo()

    assert deleted.status_code == 302  # the member is gone, no 500
    orphaned = [r for r in caplog.records if "user_config.orphaned" in r.getMessage()]
    assert len(orphaned) == 1
    assert orphaned[0].levelname == "ERROR"
    assert alice in orphaned[0].getMessage()
    assert "alice-pw" not in caplog.text
    assert config_of(alice) is not None  # left behind, but not silently

    listed = superuser_client.get("/admin/configs/userconfigs/?orphans=1")
    assert alice.encode() in listed.content
    swept = superuser_client.post("/admin/configs/userconfigs/delete-orphans/")

    assert swept.status_code == 302
    assert config_of(alice) is None
