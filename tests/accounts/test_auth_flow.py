"""The whole API auth flow through real URLs: register → login → refresh →
logout → password change → password reset."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from tests.api.fixtures import bearer, login

pytestmark = pytest.mark.django_db

NEW_MEMBER = {
    "username": "dana",
    "email": "dana@example.test",
    "password": "dana-court-booker-9",
    "first_name": "Dana",
}


def register(anon, **overrides):
    return anon.post("/api/auth/register", NEW_MEMBER | overrides, format="json")


def test_a_new_member_registers_logs_in_and_reads_their_profile(anon):
    created = register(anon)
    assert created.status_code == 201
    assert created.json()["username"] == "dana"
    assert "password" not in created.json()

    tokens = login("dana", NEW_MEMBER["password"])
    profile = bearer(tokens["access"]).get("/api/auth/profile")

    assert profile.status_code == 200
    assert profile.json()["email"] == "dana@example.test"
    assert profile.json()["is_staff"] is False


def test_registration_refuses_a_weak_password_naming_the_field(anon):
    response = register(anon, password="12345")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "password" in error["fields"]


def test_registration_refuses_a_taken_username_or_email(anon, member):
    taken_name = register(anon, username="Alice")
    taken_email = register(anon, email="ALICE@example.test")

    assert taken_name.status_code == 400
    assert "username" in taken_name.json()["error"]["fields"]
    assert taken_email.status_code == 400
    assert "email" in taken_email.json()["error"]["fields"]


def test_registration_never_makes_an_operator(anon):
    register(anon, is_staff=True, is_superuser=True)

    assert (
        bearer(login("dana", NEW_MEMBER["password"])["access"])
        .get("/api/auth/profile")
        .json()["is_staff"]
        is False
    )


def test_login_with_a_wrong_password_answers_401_in_the_error_format(anon, member):
    response = anon.post(
        "/api/auth/login", {"username": "alice", "password": "nope"}, format="json"
    )

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"


def test_refresh_rotates_the_pair_and_the_old_refresh_token_is_refused(anon, member):
    first = login("alice")

    rotated = anon.post("/api/auth/refresh", {"refresh": first["refresh"]}, format="json")
    replayed = anon.post("/api/auth/refresh", {"refresh": first["refresh"]}, format="json")

    assert rotated.status_code == 200
    assert rotated.json()["refresh"] != first["refresh"]
    assert bearer(rotated.json()["access"]).get("/api/auth/profile").status_code == 200
    assert replayed.status_code == 401
    assert replayed.json()["error"]["code"] == "token_not_valid"


def test_logout_refuses_the_access_token_at_once(anon, member):
    tokens = login("alice")
    client = bearer(tokens["access"])
    assert client.get("/api/auth/profile").status_code == 200

    logout = anon.post("/api/auth/logout", {"refresh": tokens["refresh"]}, format="json")

    assert logout.status_code == 204
    refused = client.get("/api/auth/profile")
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "token_revoked"


def test_logout_blacklists_the_refresh_token(anon, member):
    tokens = login("alice")
    anon.post("/api/auth/logout", {"refresh": tokens["refresh"]}, format="json")

    response = anon.post("/api/auth/refresh", {"refresh": tokens["refresh"]}, format="json")

    assert response.status_code == 401


def test_logout_also_revokes_the_members_other_devices(anon, member):
    phone, laptop = login("alice"), login("alice")

    anon.post("/api/auth/logout", {"refresh": phone["refresh"]}, format="json")

    assert bearer(laptop["access"]).get("/api/auth/profile").status_code == 401
    assert (
        anon.post("/api/auth/refresh", {"refresh": laptop["refresh"]}, format="json").status_code
        == 401
    )


def test_a_login_right_after_logout_works(anon, member):
    tokens = login("alice")
    anon.post("/api/auth/logout", {"refresh": tokens["refresh"]}, format="json")

    again = login("alice")

    assert bearer(again["access"]).get("/api/auth/profile").status_code == 200


def test_password_change_revokes_old_tokens_and_answers_a_fresh_pair(member):
    old = login("alice")
    client = bearer(old["access"])

    response = client.post(
        "/api/auth/password/change",
        {"old_password": "alice-password-1", "new_password": "a-brand-new-secret-7"},
        format="json",
    )

    assert response.status_code == 200
    assert client.get("/api/auth/profile").status_code == 401
    assert bearer(response.json()["access"]).get("/api/auth/profile").status_code == 200
    assert login("alice", "a-brand-new-secret-7")["access"]


def test_password_change_refuses_a_wrong_current_password(as_member):
    response = as_member.post(
        "/api/auth/password/change",
        {"old_password": "wrong", "new_password": "a-brand-new-secret-7"},
        format="json",
    )

    assert response.status_code == 400
    assert "old_password" in response.json()["error"]["fields"]


def _reset_link_parts() -> tuple[str, str]:
    assert len(mail.outbox) == 1
    match = re.search(r"/accounts/reset/([^/]+)/([^/]+)/", mail.outbox[0].body)
    assert match, mail.outbox[0].body
    return match.group(1), match.group(2)


def test_password_reset_mails_a_single_use_link(anon, member):
    old_tokens = login("alice")
    asked = anon.post("/api/auth/password/reset", {"email": "alice@example.test"}, format="json")
    assert asked.status_code == 202
    uid, token = _reset_link_parts()
    assert mail.outbox[0].to == ["alice@example.test"]

    body = {"uid": uid, "token": token, "new_password": "reset-and-rested-42"}
    done = anon.post("/api/auth/password/reset/confirm", body, format="json")
    reused = anon.post(
        "/api/auth/password/reset/confirm", body | {"new_password": "other-pass-43x"}, format="json"
    )

    assert done.status_code == 204
    assert login("alice", "reset-and-rested-42")["access"]
    assert bearer(old_tokens["access"]).get("/api/auth/profile").status_code == 401
    assert reused.status_code == 400
    assert "token" in reused.json()["error"]["fields"]


def test_password_reset_answers_alike_for_an_unknown_address(anon, member):
    known = anon.post("/api/auth/password/reset", {"email": "alice@example.test"}, format="json")
    unknown = anon.post("/api/auth/password/reset", {"email": "zed@example.test"}, format="json")

    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert len(mail.outbox) == 1


def test_a_member_edits_their_profile(as_member):
    response = as_member.patch(
        "/api/auth/profile", {"first_name": "Alice", "email": "a@example.test"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["first_name"] == "Alice"
    assert response.json()["email"] == "a@example.test"


def test_a_member_cannot_take_another_members_email(as_member, other_member):
    response = as_member.patch("/api/auth/profile", {"email": "bob@example.test"}, format="json")

    assert response.status_code == 400
    assert "email" in response.json()["error"]["fields"]
