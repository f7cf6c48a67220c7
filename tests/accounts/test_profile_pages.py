"""The account pages through real URLs (test client): profile, deletion, login and its ``next``.

The browser suite (tests/pages/test_accounts.py, test_profile.py) clicks
through the same pages; here each rule is pinned down where a browser
cannot easily reach it: a foreign ``next``, an address lockout, DynamoDB
away, a link built by ``accounts.services.reset_link``.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.db.models import F
from django.test import Client

from accounts import services
from bookings import services as booking_services
from bookings.choices import RequestStatus
from configs import services as config_services
from tennisbook.dynamo import Unavailable
from tests.factories import CLUB

pytestmark = pytest.mark.django_db

PASSWORD = "alice-password-1"


@pytest.fixture
def alice(member):
    client = Client()
    client.force_login(member)
    return client


@pytest.fixture
def configured(dynamo, member):
    """alice with a portal account saved at the default club; returns its configuration."""
    config, _created = config_services.update_user_config(
        str(member.pk),
        CLUB,
        portal_username="101",
        portal_password="pw-portal-1",
        preferred_court=5,
    )
    return config


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run what the code defers to the commit, as a real request would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def html_of(response) -> str:
    return response.content.decode()


def error_box(html: str, box_id: str) -> str:
    """The text of the element with ``box_id`` (an error next to its field)."""
    match = re.search(rf'id="{re.escape(box_id)}"[^>]*>(.*?)</div>', html, re.S)
    assert match, f"no #{box_id} in the page"
    return re.sub(r"<[^>]+>", " ", match.group(1)).strip()


# --- the profile --------------------------------------------------------------------


def test_the_profile_asks_a_visitor_to_log_in_first(db):
    response = Client().get("/accounts/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/"


def test_the_profile_shows_the_members_details_and_choices(alice, configured):
    html = html_of(alice.get("/accounts/"))

    assert "<title>Your profile · tennisbook</title>" in html
    assert 'value="alice@example.test"' in html
    assert '<option value="" selected>' in html  # no display zone chosen: the club's
    assert '<option value="Asia/Tokyo">Asia/Tokyo</option>' in html
    assert 'name="pref.booked.email"' in html  # tests/realtime/test_notification_pages.py
    assert 'href="/accounts/password/change/"' in html
    assert 'href="/accounts/delete/"' in html


def test_a_member_changes_their_names_and_email(alice, member):
    response = alice.post(
        "/accounts/",
        {
            "section": "details",
            "first_name": "Alice",
            "last_name": "Court",
            "email": "Alice.New@Example.TEST",
        },
        follow=True,
    )

    member.refresh_from_db()
    assert (member.first_name, member.last_name) == ("Alice", "Court")
    assert member.email == "Alice.New@example.test"  # the domain is normalised
    assert "Saved your name and e-mail address." in html_of(response)


def test_an_email_another_account_uses_is_refused_on_the_field(alice, member, other_member):
    response = alice.post(
        "/accounts/",
        {"section": "details", "first_name": "A", "last_name": "", "email": "BOB@example.test"},
    )

    assert response.status_code == 400
    html = html_of(response)
    assert "already exists" in error_box(html, "id_email_error")
    assert 'aria-describedby="details-errors"' in html  # the form is described by its summary
    assert 'id="details-errors"' in html
    member.refresh_from_db()
    assert (member.email, member.first_name) == ("alice@example.test", "")  # nothing saved


def test_a_malformed_email_is_refused_with_the_reason(alice, member):
    response = alice.post("/accounts/", {"section": "details", "email": "not-an-address"})

    assert response.status_code == 400
    assert "valid email" in error_box(html_of(response), "id_email_error")
    member.refresh_from_db()
    assert member.email == "alice@example.test"


def test_a_member_chooses_a_display_zone_and_every_page_carries_it(alice, member):
    response = alice.post(
        "/accounts/", {"section": "zone", "display_time_zone": "Asia/Tokyo"}, follow=True
    )

    member.refresh_from_db()
    assert member.display_time_zone == "Asia/Tokyo"
    assert "Your own times are now shown in Asia/Tokyo." in html_of(response)
    assert 'data-member-zone="Asia/Tokyo"' in html_of(alice.get("/accounts/"))
    assert '<option value="Asia/Tokyo" selected>' in html_of(alice.get("/accounts/"))

    alice.post("/accounts/", {"section": "zone", "display_time_zone": ""})

    member.refresh_from_db()
    assert member.display_time_zone == ""
    assert "data-member-zone" not in html_of(alice.get("/accounts/"))


def test_a_zone_that_does_not_exist_is_refused(alice, member):
    response = alice.post("/accounts/", {"section": "zone", "display_time_zone": "Mars/Olympus"})

    assert response.status_code == 400
    message = error_box(html_of(response), "id_display_time_zone_error")
    assert "Mars/Olympus is not a time zone" in message
    member.refresh_from_db()
    assert member.display_time_zone == ""


def test_the_service_refuses_an_unknown_zone_whoever_calls_it(member):
    with pytest.raises(services.exceptions.ValidationError) as refused:
        services.update_profile(member, display_time_zone="Europe/Atlantis")

    assert "display_time_zone" in refused.value.detail
    with pytest.raises(TypeError):
        services.update_profile(member, is_staff=True)


def test_the_profile_works_while_dynamodb_is_away(alice, dynamo, monkeypatch):
    def down(*args, **kwargs):
        raise Unavailable("DynamoDB at test cannot be reached.")

    monkeypatch.setattr(config_services, "member_configs", down)

    response = alice.get("/accounts/")

    assert response.status_code == 200
    html = html_of(response)
    assert "Your notification choices cannot be read right now." in html
    assert 'value="alice@example.test"' in html  # the rest still works


def test_a_form_the_page_does_not_have_is_refused(alice, dynamo):
    response = alice.post("/accounts/", {"section": "is_staff"})

    assert response.status_code == 400
    assert "That form is not part of this page; nothing was saved." in html_of(response)


# --- deleting the account ---------------------------------------------------------


def test_the_deletion_page_says_what_will_happen(alice, configured, member, make_request):
    make_request(str(member.pk))

    html = html_of(alice.get("/accounts/delete/"))

    assert "This cannot be undone." in html
    assert "Your club portal username and password are erased" in html
    assert "Your 1 request still waiting or under way is cancelled" in html
    assert "Courts already booked for you stay booked at the club" in html
    assert "for 180 days after each request finished" in html
    assert 'autocomplete="current-password"' in html


def test_a_wrong_password_deletes_nothing(alice, configured, member):
    response = alice.post("/accounts/delete/", {"password": "not-my-password"})

    assert response.status_code == 400
    assert services.DELETION_REFUSED in error_box(html_of(response), "id_password_error")
    assert get_user_model().objects.filter(pk=member.pk).exists()
    assert config_services.find_user_config(str(member.pk), CLUB) is not None
    assert alice.get("/accounts/").status_code == 200  # still logged in


def test_an_empty_password_is_asked_for(alice, dynamo, member):
    response = alice.post("/accounts/delete/", {"password": ""})

    assert response.status_code == 400
    assert "Enter your password" in error_box(html_of(response), "id_password_error")
    assert get_user_model().objects.filter(pk=member.pk).exists()


def test_deleting_the_account_logs_out_and_says_it_is_done(
    alice, configured, member, make_request, on_commit
):
    user_id = str(member.pk)
    pending = make_request(user_id)

    with on_commit():
        response = alice.post("/accounts/delete/", {"password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/deleted/"
    deleted = alice.get("/accounts/deleted/")
    assert "Your account is deleted" in html_of(deleted)
    assert "Log in" in html_of(deleted)  # the header is a visitor's
    assert not get_user_model().objects.filter(pk=user_id).exists()
    assert config_services.find_user_config(user_id, CLUB) is None
    again = booking_services.get_request(user_id, pending.request_id)
    assert again.status == RequestStatus.CANCELLED
    assert alice.get("/accounts/").status_code == 302  # the session is gone


def test_the_deleted_page_is_only_for_the_browser_that_deleted(db):
    response = Client().get("/accounts/deleted/")

    assert response.status_code == 302
    assert response["Location"] == "/"


# --- logging in: the lockout, the session that ended, next --------------------------


def let_time_pass(delta: timedelta) -> None:
    """Move every recorded login attempt ``delta`` into the past, as waiting would."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - delta)


def log_in(client: Client, password: str, **extra):
    return client.post("/accounts/login/", {"username": "alice", "password": password, **extra})


def test_a_locked_account_is_told_on_the_login_page_and_may_log_in_after_waiting(member, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    client = Client()
    assert [log_in(client, "wrong").status_code for _ in range(3)] == [200] * 3

    locked = log_in(client, PASSWORD)

    assert locked.status_code == 429
    assert 14 * 60 < int(locked["Retry-After"]) <= 15 * 60
    summary = error_box(html_of(locked), "form-errors")
    assert "This account is locked after 3 failed logins." in summary
    assert "Try again in 15 minutes" in summary
    assert "the link we e-mail you unlocks the account" in summary
    assert "<h1" in html_of(locked)  # the login page itself, not a bare error

    let_time_pass(timedelta(minutes=16))

    assert log_in(client, PASSWORD).status_code == 302


def test_a_password_reset_lifts_the_accounts_lock(member, settings):
    settings.AXES_FAILURE_LIMIT = 2
    client = Client()
    for _ in range(2):
        log_in(client, "wrong")
    assert log_in(client, PASSWORD).status_code == 429

    link = services.reset_link(member).split("testserver", 1)[-1]
    form = client.get(link, follow=True)
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "fresh-secret-pass-8", "new_password2": "fresh-secret-pass-8"},
    )

    assert done["Location"] == "/accounts/reset/done/"
    assert log_in(client, "fresh-secret-pass-8").status_code == 302


def test_an_address_lock_is_told_without_the_reset_advice(member, settings):
    settings.AXES_FAILURE_LIMIT = 100
    settings.LOGIN_IP_FAILURES = 2
    settings.LOGIN_IP_WINDOW_SECONDS = 24 * 60 * 60
    client = Client()
    for name in ("u1", "u2"):
        client.post("/accounts/login/", {"username": name, "password": "wrong"})

    locked = log_in(client, PASSWORD)

    assert locked.status_code == 429
    summary = error_box(html_of(locked), "form-errors")
    assert "Too many failed logins from your network address." in summary
    assert "unlocks the account" not in summary


def test_the_login_page_says_the_session_ended_only_when_it_has_somewhere_to_return(db):
    plain = html_of(Client().get("/accounts/login/"))
    interrupted = html_of(Client().get("/accounts/login/?next=/book/%3Fclub%3Ddefault"))

    assert "Your session ended" not in plain
    assert "Your session ended; log in again to continue." in interrupted
    assert 'name="next" value="/book/?club=default"' in interrupted


def test_after_logging_in_the_member_lands_where_they_were(member):
    response = log_in(Client(), PASSWORD, next="/book/?club=default")

    assert response.status_code == 302
    assert response["Location"] == "/book/?club=default"


@pytest.mark.parametrize(
    "foreign",
    ["https://evil.example/", "//evil.example/book/", "http://testserver@evil.example/", "\\\\x"],
)
def test_a_next_off_the_site_is_dropped(member, foreign):
    page = html_of(Client().get("/accounts/login/", {"next": foreign}))
    response = log_in(Client(), PASSWORD, next=foreign)

    assert "Your session ended" not in page
    assert 'name="next" value=""' in page
    assert response["Location"] == "/"


# --- a session that ended, met by a partial or a form --------------------------------


def test_a_poll_after_the_session_ended_sends_the_whole_page_to_login(db):
    response = Client().get(
        "/bookings/requests",
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/",
    )

    assert response.status_code == 200  # htmx does not follow a redirect it is told about
    assert response["HX-Redirect"] == "/accounts/login/?next=%2F"


def test_a_request_pages_poll_returns_to_the_request_page(db):
    page = f"/bookings/{uuid.uuid4()}/"
    response = Client().get(
        f"{page}status", HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=f"http://testserver{page}"
    )

    assert response["HX-Redirect"] == f"/accounts/login/?next={page.replace('/', '%2F')}"


def test_a_poll_naming_a_foreign_page_goes_to_login_without_next(db):
    response = Client().get(
        "/bookings/requests",
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="https://evil.example/phish",
    )

    assert response["HX-Redirect"] == "/accounts/login/"


def test_a_form_posted_after_the_session_ended_returns_to_its_page(db):
    page = f"/bookings/{uuid.uuid4()}/"
    response = Client().post(f"{page}cancel", HTTP_REFERER=f"http://testserver{page}")

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={page.replace('/', '%2F')}"


def test_a_form_posted_from_a_foreign_page_goes_to_login_without_next(db):
    response = Client().post(
        f"/bookings/{uuid.uuid4()}/cancel", HTTP_REFERER="https://evil.example/"
    )

    assert response["Location"] == "/accounts/login/"


def test_a_link_opened_after_the_session_ended_keeps_djangos_next(db):
    response = Client().get("/book/?club=default")

    assert response["Location"] == "/accounts/login/?next=/book/%3Fclub%3Ddefault"


# --- the other account pages ----------------------------------------------------------


def test_a_reset_link_that_is_wrong_says_so_and_offers_a_new_one(member):
    link = services.reset_link(member).split("testserver", 1)[-1]
    broken = link.rstrip("/")[:-3] + "xyz/"

    response = Client().get(broken, follow=True)

    html = html_of(response)
    assert "This link no longer works" in html
    assert 'href="/accounts/password/reset/"' in html


def test_a_used_reset_link_no_longer_works(member):
    client = Client()
    link = services.reset_link(member).split("testserver", 1)[-1]
    form = client.get(link, follow=True)
    client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "fresh-secret-pass-8", "new_password2": "fresh-secret-pass-8"},
    )

    again = Client().get(link, follow=True)

    assert "This link no longer works" in html_of(again)


def test_the_reset_done_page_says_how_long_the_link_works(db, settings):
    settings.PASSWORD_RESET_TIMEOUT = 60 * 60

    html = html_of(Client().get("/accounts/password/reset/done/"))

    assert "The link works once, for 60 minutes." in html


def test_opening_the_logout_url_asks_a_member_and_tells_a_visitor(alice):
    asked = html_of(alice.get("/accounts/logout/"))
    assert "Log out?" in asked
    assert alice.get("/accounts/").status_code == 200  # a GET logs nobody out

    alice.post("/accounts/logout/")

    assert "You are logged out" in html_of(alice.get("/accounts/logout/"))
