"""The users admin: no password in clear, tokens revocable."""

from __future__ import annotations

import pytest

from tests.api.fixtures import bearer, login

pytestmark = pytest.mark.django_db


def test_the_user_page_never_shows_the_password(superuser_client, member):
    response = superuser_client.get(f"/admin/accounts/user/{member.pk}/change/")

    assert response.status_code == 200
    assert b"alice-password-1" not in response.content
    assert member.password.encode() not in response.content
    assert b"tokens valid after" in response.content.lower()


def test_an_operator_revokes_a_members_api_tokens(superuser_client, member):
    access = login("alice")["access"]

    superuser_client.post(
        "/admin/accounts/user/",
        {"action": "revoke_api_tokens", "_selected_action": [str(member.pk)]},
    )

    assert bearer(access).get("/api/auth/profile").status_code == 401
