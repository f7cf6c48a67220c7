"""The settings page and the first-run wizard through real URLs (test client).

The browser suite (tests/pages) runs the login test for real against the
demo portal; here the task is replaced so the page's own handling is seen.
"""

from datetime import UTC, datetime

import pytest
from django.test import Client
from rest_framework.test import APIClient

from booker import login_check
from configs import services
from tests.factories import CLUB, SEVEN

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dynamo")]

SLOT = "preferred_slot-error"
ACCOUNT = {"club": CLUB, "portal_username": "101", "portal_password": "pw-portal-1"}


@pytest.fixture
def alice(member):
    client = Client()
    client.force_login(member)
    return client


def test_saving_the_account_and_preferences_keeps_the_password_write_only(alice, member):
    body = ACCOUNT | {"preferred_court": "5", "preferred_slot": SEVEN}
    response = alice.post("/settings/", body, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Saved your settings" in html
    assert "pw-portal-1" not in html
    assert "Saved</span>" in html  # the password is saved, and only that is said
    config = services.get_user_config(str(member.pk), CLUB)
    assert (config.portal_username, config.preferred_court) == ("101", 5)
    assert config.preferred_slots == [SEVEN]
    # An empty password field keeps the saved password.
    alice.post("/settings/", ACCOUNT | {"portal_password": "", "preferred_court": "7"})
    again = services.get_user_config(str(member.pk), CLUB)
    assert again.preferred_court == 7
    assert again.portal_password == "pw-portal-1"


def test_bad_values_are_shown_next_to_their_field_and_nothing_is_saved(alice, member):
    for body, error_id in [
        (ACCOUNT | {"portal_username": ""}, "portal_username-error"),
        (ACCOUNT | {"portal_password": ""}, "portal_password-error"),
        (ACCOUNT | {"portal_username": "x" * 65}, "portal_username-error"),
        (ACCOUNT | {"preferred_court": "6"}, "preferred_court-error"),
        (ACCOUNT | {"preferred_court": "5", "preferred_slot": "De 11:00 PM a 11:30 PM"}, SLOT),
    ]:
        response = alice.post("/settings/", body)
        assert response.status_code == 400, body
        html = response.content.decode()
        box = html[html.index(f'id="{error_id}"') :].split("</p>")[0]
        assert box.split(">", 1)[1].strip(), (body, box)
    assert services.find_user_config(str(member.pk), CLUB) is None


def test_the_login_test_starts_and_reports_through_its_partial(alice, member, monkeypatch):
    started = login_check.LoginCheck("c1", "running", "Logging in…", datetime.now(UTC))
    calls = []

    def fake_start(user_id, club, *, actor):
        calls.append((user_id, club, actor))
        return started

    monkeypatch.setattr(login_check, "start", fake_start)
    alice.post("/settings/", ACCOUNT)
    running = alice.post("/settings/login-test", {"club": CLUB})
    assert calls == [(str(member.pk), CLUB, f"user:{member.pk}")]
    assert b"Logging in to the portal" in running.content
    assert b'hx-trigger="load delay:1s"' in running.content  # it asks again
    done = login_check.LoginCheck(
        "c1", "wrong_password", "The portal refused it.", started.started_at, datetime.now(UTC)
    )
    monkeypatch.setattr(login_check, "read", lambda user_id, club: done)
    finished = alice.get("/settings/login-test", {"club": CLUB})
    assert b"Wrong username or password" in finished.content
    assert b"hx-trigger" not in finished.content  # and stops asking


def test_the_login_test_without_an_account_says_what_to_do(alice):
    response = alice.post("/settings/login-test", {"club": CLUB})
    assert response.status_code == 200
    assert b"save your portal username and password" in response.content.lower()


def test_the_wizard_goes_account_then_test_then_preferences_then_the_form(alice, member):
    first = alice.get("/welcome/")
    assert b"Step 1 of 4" in first.content
    assert b"Skip setup for now" in first.content
    assert alice.get("/welcome/?step=3").content.count(b"Step 1 of 4") == 1  # no account yet
    to_test = alice.post(f"/welcome/?step=1&club={CLUB}", ACCOUNT)
    assert to_test["Location"] == f"/welcome/?step=2&club={CLUB}"
    assert b"Test my login" in alice.get(to_test["Location"]).content
    to_form = alice.post(f"/welcome/?step=3&club={CLUB}", {"club": CLUB, "preferred_court": "7"})
    assert to_form["Location"] == f"/book/?club={CLUB}&welcome=1"
    form = alice.get(to_form["Location"]).content.decode()
    assert "Your first request" in form
    assert '<option value="7" selected>' in form  # the preference starts the form
    assert services.get_user_config(str(member.pk), CLUB).preferred_court == 7


def test_registering_leads_into_the_wizard(client, settings):
    response = client.post(
        "/accounts/register/",
        {
            "username": "dana",
            "email": "dana@example.test",
            "password": "a-long-password-9",
        },
    )
    assert response.status_code == 302, response.content
    assert response["Location"] == "/welcome/"


def test_the_page_and_the_api_share_one_login_test_budget(alice, member, monkeypatch):
    started = login_check.LoginCheck("c1", "running", "Logging in…", datetime.now(UTC))
    monkeypatch.setattr(login_check, "start", lambda user_id, club, *, actor: started)
    alice.post("/settings/", ACCOUNT)
    for _ in range(3):
        assert b"Logging in" in alice.post("/settings/login-test", {"club": CLUB}).content
    api = APIClient()
    api.force_authenticate(member)
    for _ in range(2):
        assert api.post(f"/api/users/me/clubs/{CLUB}/login-check").status_code == 202
    refused = alice.post("/settings/login-test", {"club": CLUB})
    assert b"several times in a minute" in refused.content


def test_posting_to_the_login_test_step_changes_nothing(alice, member):
    alice.post("/settings/", ACCOUNT | {"preferred_court": "5", "email_on_success": "on"})
    response = alice.post(f"/welcome/?step=2&club={CLUB}", {"club": CLUB})
    assert response.status_code == 405
    config = services.get_user_config(str(member.pk), CLUB)
    assert config.preferred_court == 5
    assert config.notifications.email_on_success is True


def test_notification_choices_are_left_to_the_profile(alice, member):
    """The matrix of event types and channels lives on the profile (realtime.preferences)."""
    html = alice.get("/settings/").content.decode()
    assert 'id="notification-choices"' in html
    assert 'href="/accounts/#notifications-title"' in html
    for old_choice in ("email_on_success", "email_on_failure", "live_updates"):
        assert f'name="{old_choice}"' not in html
