"""Every way a password changes revokes the member's tokens and other sessions.

Each test logs alice in twice before the change — once through the API
(an access + refresh pair, "the phone") and once with a session ("the
laptop") — changes her password through one path, and shows that neither
the old tokens nor the other session work any more.
"""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.management.commands import changepassword
from django.core import mail
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from tests.api.fixtures import bearer, login

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-secret-7"


@pytest.fixture
def phone(member):
    """alice's API tokens, issued before the change."""
    return login("alice")


@pytest.fixture
def laptop(member):
    """alice's browser session, started before the change."""
    client = Client()
    assert (
        client.post(
            "/accounts/login/", {"username": "alice", "password": "alice-password-1"}
        ).status_code
        == 302
    )
    return client


def assert_revoked(tokens: dict, session: Client) -> None:
    access = bearer(tokens["access"]).get("/api/auth/profile")
    refresh = APIClient().post("/api/auth/refresh", {"refresh": tokens["refresh"]}, format="json")
    assert access.status_code == 401
    assert access.json()["error"]["code"] == "token_revoked"
    assert refresh.status_code == 401
    assert session.get("/accounts/").status_code == 302  # back to the login page


def test_the_api_password_change_revokes_old_tokens_and_sessions(phone, laptop):
    response = bearer(phone["access"]).post(
        "/api/auth/password/change",
        {"old_password": "alice-password-1", "new_password": NEW_PASSWORD},
        format="json",
    )

    assert response.status_code == 200
    assert_revoked(phone, laptop)
    assert bearer(response.json()["access"]).get("/api/auth/profile").status_code == 200


def test_the_password_change_page_revokes_tokens_and_other_sessions(phone, laptop, member):
    desk = Client()
    desk.force_login(member)

    response = desk.post(
        "/accounts/password/change/",
        {
            "old_password": "alice-password-1",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302
    assert_revoked(phone, laptop)
    done = desk.get(response["Location"])  # the caller's own session stays
    assert done.status_code == 200
    assert b"every other browser and app" in done.content


def _reset_link() -> str:
    match = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


def test_a_password_reset_through_the_pages_revokes_tokens_and_sessions(phone, laptop):
    visitor = Client()
    visitor.post("/accounts/password/reset/", {"email": "alice@example.test"})
    form = visitor.get(_reset_link(), follow=True)

    done = visitor.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert done.status_code == 302
    assert_revoked(phone, laptop)


def test_a_password_reset_through_the_api_revokes_tokens_and_sessions(phone, laptop):
    anon = APIClient()
    anon.post("/api/auth/password/reset", {"email": "alice@example.test"}, format="json")
    uid, token = re.search(r"/accounts/reset/([^/]+)/([^/]+)/", mail.outbox[-1].body).groups()

    done = anon.post(
        "/api/auth/password/reset/confirm",
        {"uid": uid, "token": token, "new_password": NEW_PASSWORD},
        format="json",
    )

    assert done.status_code == 204
    assert_revoked(phone, laptop)


def test_an_operator_changing_a_password_in_the_admin_revokes_tokens_and_sessions(
    phone, laptop, member, superuser_client, caplog
):
    response = superuser_client.post(
        f"/admin/accounts/user/{member.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert_revoked(phone, laptop)
    assert login("alice", NEW_PASSWORD)["access"]
    root = type(member).objects.get(username="root")
    assert f"operator:{root.pk}" in caplog.text  # the audit line names the operator
    assert NEW_PASSWORD not in caplog.text


def test_an_operator_disabling_password_login_in_the_admin_revokes_tokens_and_sessions(
    phone, laptop, member, superuser_client
):
    response = superuser_client.post(
        f"/admin/accounts/user/{member.pk}/password/",
        {"usable_password": "false", "unset-password": "1"},
    )

    assert response.status_code == 302
    member.refresh_from_db()
    assert not member.has_usable_password()
    assert_revoked(phone, laptop)


def test_manage_py_changepassword_revokes_tokens_and_sessions(phone, laptop, monkeypatch):
    monkeypatch.setattr(changepassword.Command, "_get_pass", lambda self, prompt="": NEW_PASSWORD)

    out = io.StringIO()
    call_command("changepassword", "alice", stdout=out)

    assert "Password changed successfully" in out.getvalue()

    assert_revoked(phone, laptop)
    assert login("alice", NEW_PASSWORD)["access"]


def test_an_operator_changing_their_own_password_in_the_admin_stays_logged_in(operator):
    operator.is_superuser = True
    operator.save()
    client = Client()
    client.force_login(operator)

    response = client.post(
        f"/admin/accounts/user/{operator.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_silent_rehash_at_login_revokes_nothing(phone, member, django_user_model):
    # An outdated hash (a salt too short for today's hasher) is upgraded by
    # Django at the next login: the password did not change, so the member's
    # other devices must keep working.
    weak = make_password("alice-password-1", salt="ab", hasher="md5")
    django_user_model.objects.filter(pk=member.pk).update(password=weak)

    login("alice")

    member.refresh_from_db()
    assert member.password != weak  # the upgrade happened
    assert bearer(phone["access"]).get("/api/auth/profile").status_code == 200


def test_a_bad_password_in_the_admin_form_is_shown_and_revokes_nothing(
    phone, member, superuser_client
):
    response = superuser_client.post(
        f"/admin/accounts/user/{member.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": "something-else-entirely"},
    )

    assert response.status_code == 200
    assert b"match" in response.content  # the two password fields did not match
    assert bearer(phone["access"]).get("/api/auth/profile").status_code == 200
