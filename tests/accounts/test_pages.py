"""The account pages: sessions, the same lockout, reset by e-mail."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client

pytestmark = pytest.mark.django_db


def test_a_member_logs_in_and_out_with_a_session(member):
    client = Client()

    response = client.post(
        "/accounts/login/", {"username": "alice", "password": "alice-password-1"}
    )

    assert response.status_code == 302
    assert client.get("/accounts/").status_code == 200
    assert client.get("/api/auth/profile").json()["username"] == "alice"
    assert client.post("/accounts/logout/").status_code == 200
    assert client.get("/accounts/").status_code == 302


def test_the_login_page_shows_an_error_for_a_wrong_password(member):
    response = Client().post("/accounts/login/", {"username": "alice", "password": "nope"})

    assert response.status_code == 200
    assert b"incorrect" in response.content
    assert b'role="alert"' in response.content


def test_the_login_page_is_locked_like_the_api(member, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = timedelta(minutes=5)
    client = Client()
    for _ in range(2):
        client.post("/accounts/login/", {"username": "alice", "password": "nope"})

    response = client.post(
        "/accounts/login/", {"username": "alice", "password": "alice-password-1"}
    )

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert b"locked" in response.content


def test_a_visitor_registers_and_is_logged_in(db):
    client = Client()

    response = client.post(
        "/accounts/register/",
        {"username": "dana", "email": "dana@example.test", "password": "dana-court-booker-9"},
    )

    assert response.status_code == 302
    assert client.get("/accounts/").status_code == 200


def test_registration_errors_are_shown_on_the_field(member):
    response = Client().post(
        "/accounts/register/",
        {"username": "alice", "email": "x@example.test", "password": "dana-court-booker-9"},
    )

    assert response.status_code == 200
    assert b"already exists" in response.content


def test_a_member_resets_their_password_through_the_pages(member):
    client = Client()
    client.post("/accounts/password/reset/", {"email": "alice@example.test"})
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)

    form = client.get(link, follow=True)
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "fresh-secret-pass-8", "new_password2": "fresh-secret-pass-8"},
    )

    assert done.status_code == 302
    assert Client().login(username="alice", password="fresh-secret-pass-8")


def test_the_password_change_page_keeps_the_session(member):
    client = Client()
    client.force_login(member)

    response = client.post(
        "/accounts/password/change/",
        {
            "old_password": "alice-password-1",
            "new_password1": "fresh-secret-pass-8",
            "new_password2": "fresh-secret-pass-8",
        },
    )

    assert response.status_code == 302
    assert client.get("/accounts/").status_code == 200


def test_pages_render_with_the_base_template(db):
    for url in ("/accounts/login/", "/accounts/register/", "/accounts/password/reset/"):
        response = Client().get(url)
        assert response.status_code == 200
        assert b'name="viewport"' in response.content
        assert b'<main id="main"' in response.content
