"""The notification centre's pages and the profile's choices, through real URLs (test client).

- Every member page's header has the bell with the unread count, in words
  for screen readers; it costs one query.
- ``/notifications/`` lists the member's own, newest first, paginated,
  each linking to its request; one or all are marked read by plain forms
  that come back to the same page. Another member's answers 404.
- The profile shows a choice per event type and channel, saved as ticked;
  anything else posted is refused naming it (400), never a 500, and
  nothing changes. A member who opted out of e-mail before sees it off.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from configs import services as config_services
from configs.dynamo import NotificationSettings
from realtime import notifications, preferences, vapid
from realtime.models import NotificationPreference
from tennisbook.dynamo import Unavailable
from tests.factories import CLUB

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(member):
    client = Client()
    client.force_login(member)
    return client


def tell(member, key: str, title: str = "Court booked", url: str = "/bookings/x/"):
    notice = notifications.Notice("booked", title, "Court 5 tomorrow", url, key)
    return notifications.notify(member, notice)[0]


def html_of(response) -> str:
    return response.content.decode()


def bell_of(html: str) -> str:
    match = re.search(r'<a id="notification-bell".*?</a>', html, re.S)
    assert match, "no bell in the header"
    return match.group(0)


# --- the bell ------------------------------------------------------------------------


def test_the_bell_shows_the_unread_count_in_words_and_number(alice, member, dynamo):
    for key in "abc":
        tell(member, key)
    bell = bell_of(html_of(alice.get("/notifications/")))
    assert 'data-unread="3"' in bell
    assert "Notifications: 3 unread" in bell
    assert re.search(r'class="bell-count"[^>]*aria-hidden="true">3</span>', bell)
    assert 'href="/notifications/"' in bell


def test_a_bell_with_nothing_unread_hides_its_number(alice, dynamo):
    bell = bell_of(html_of(alice.get("/notifications/")))
    assert "Notifications: none unread" in bell
    assert re.search(r'class="bell-count"[^>]*hidden>0</span>', bell)


def test_the_bell_costs_one_query(alice, member, dynamo):
    tell(member, "a")
    with CaptureQueriesContext(connection) as queries:
        html_of(alice.get("/accounts/password/change/"))
    counts = [q["sql"] for q in queries if "realtime_notification" in q["sql"]]
    assert len(counts) == 1
    assert "COUNT" in counts[0].upper()


def test_visitors_have_no_bell(db):
    assert 'id="notification-bell"' not in html_of(Client().get("/accounts/login/"))


# --- the list ----------------------------------------------------------------------


def test_the_list_shows_the_members_own_newest_first_with_links(
    alice, member, other_member, dynamo
):
    tell(member, "a", "Older booking")
    tell(member, "b", "Newer booking", url="/bookings/123/")
    tell(other_member, "c", "Bob's booking")
    html = html_of(alice.get("/notifications/"))
    assert html.index("Newer booking") < html.index("Older booking")
    assert "Bob's booking" not in html
    assert 'href="/bookings/123/"' in html
    assert html.count("Mark as read") == 2
    assert "2 unread" in html


def test_a_member_marks_one_read_and_comes_back_to_the_same_page(alice, member, dynamo):
    note = tell(member, "a")
    response = alice.post(f"/notifications/{note.pk}/read", {"next": "/notifications/?page=1"})
    assert (response.status_code, response["Location"]) == (302, "/notifications/?page=1")
    assert notifications.unread_count(member) == 0
    assert "Mark as read" not in html_of(alice.get("/notifications/"))


def test_a_next_off_the_site_goes_back_to_the_list(alice, member, dynamo):
    note = tell(member, "a")
    response = alice.post(f"/notifications/{note.pk}/read", {"next": "https://evil.example/"})
    assert response["Location"] == "/notifications/"


def test_another_members_notification_cannot_be_marked(alice, other_member, dynamo):
    theirs = tell(other_member, "a")
    assert alice.post(f"/notifications/{theirs.pk}/read").status_code == 404
    assert notifications.unread_count(other_member) == 1


def test_a_member_marks_all_read(alice, member, dynamo):
    tell(member, "a")
    tell(member, "b")
    response = alice.post("/notifications/read-all", follow=True)
    assert "Marked 2 notifications read." in html_of(response)
    assert notifications.unread_count(member) == 0
    again = alice.post("/notifications/read-all", follow=True)
    assert "Every notification was already read." in html_of(again)


def test_the_list_is_paginated_and_a_page_that_is_none_says_so(alice, member, dynamo):
    for i in range(25):
        tell(member, f"k{i}", f"Booking {i:02d}")
    first = html_of(alice.get("/notifications/"))
    assert "Booking 24" in first
    assert "Booking 04" not in first
    assert "Page 1 of 2" in first
    second = html_of(alice.get("/notifications/?page=2"))
    assert "Booking 04" in second
    assert "Booking 24" not in second
    odd = alice.get("/notifications/?page=abc")
    assert odd.status_code == 200
    assert "is not a page number; showing page 1." in html_of(odd)
    assert "There is no page 9; showing page 2." in html_of(alice.get("/notifications/?page=9"))


def test_the_pages_ask_a_visitor_to_log_in(db):
    assert Client().get("/notifications/").status_code == 302
    assert Client().post("/notifications/read-all").status_code == 302


def test_marking_read_by_get_is_not_allowed(alice, member, dynamo):
    note = tell(member, "a")
    assert alice.get(f"/notifications/{note.pk}/read").status_code == 405
    assert notifications.unread_count(member) == 1


# --- the profile's choices ------------------------------------------------------------


def checked(html: str) -> set[str]:
    return set(re.findall(r'name="(pref\.[a-z_.]+)"[^>]*\schecked', html))


def test_the_profile_shows_each_event_and_channel_with_the_defaults(alice, dynamo):
    html = html_of(alice.get("/accounts/"))
    assert "A court is booked" in html
    assert "In the browser" in html
    assert "pref.booked.email" in checked(html)
    assert "pref.booked.browser" not in checked(html)
    assert 'aria-labelledby="event-booked channel-email"' in html
    # Push is off here (no VAPID keys): its boxes say why and cannot change.
    assert re.search(r'name="pref\.booked\.push"[^>]*disabled aria-describedby="push-off"', html)
    assert "Push is off on this site: VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY not set." in html
    assert 'id="enable-browser-notifications"' in html


def test_a_member_who_turned_mail_off_before_sees_it_off(alice, member, dynamo):
    config_services.save_user_config(
        str(member.pk), CLUB, notifications=NotificationSettings(email_on_success=False)
    )
    html = html_of(alice.get("/accounts/"))
    assert "pref.booked.email" not in checked(html)
    assert "pref.failed.email" in checked(html)


def test_a_member_saves_their_choices(alice, member, dynamo):
    response = alice.post(
        "/accounts/",
        {"section": "notifications", "pref.booked.in_app": "on", "pref.failed.browser": "on"},
        follow=True,
    )
    assert "Saved your notification choices." in html_of(response)
    ticked = {name for name in checked(html_of(response)) if not name.endswith(".push")}
    assert ticked == {"pref.booked.in_app", "pref.failed.browser"}
    saved = preferences.preferences_for(member)
    assert saved[("failed", "browser")] is True
    assert saved[("booked", "email")] is False
    assert saved[("booked", "push")] is True  # push is off here: its choice stays as it was


def test_with_push_on_the_member_can_change_it_and_subscribe(alice, member, settings, dynamo):
    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = vapid.generate()
    html = html_of(alice.get("/accounts/"))
    assert f'data-push-key="{settings.VAPID_PUBLIC_KEY}"' in html
    assert 'data-subscriptions="/api/notifications/push-subscriptions"' in html
    assert not re.search(r'name="pref\.booked\.push"[^>]*disabled', html)
    alice.post("/accounts/", {"section": "notifications", "pref.booked.email": "on"})
    assert preferences.preferences_for(member)[("booked", "push")] is False


@pytest.mark.parametrize(
    ("posted", "words"),
    [
        ({"pref.booked.fax": "on"}, "“pref.booked.fax” is not one of the notification choices."),
        ({"pref.booked.email": "yes please"}, "“pref.booked.email” can only be ticked"),
        ({"pref.booked.push": "on"}, "Push to devices cannot be changed on this site now."),
    ],
)
def test_a_choice_the_form_does_not_have_is_refused_and_nothing_changes(
    alice, member, dynamo, posted, words
):
    before = preferences.preferences_for(member)
    response = alice.post("/accounts/", {"section": "notifications", **posted})
    assert response.status_code == 400
    html = html_of(response)
    assert words in html
    assert 'id="notifications-errors"' in html
    assert 'aria-describedby="notifications-errors"' in html
    assert preferences.preferences_for(member) == before


def test_the_profile_works_while_the_choices_cannot_be_seeded(alice, member, dynamo, monkeypatch):
    def down(*args, **kwargs):
        raise Unavailable("DynamoDB at test cannot be reached.")

    monkeypatch.setattr(config_services, "member_configs", down)
    response = alice.get("/accounts/")
    assert response.status_code == 200
    assert "Your notification choices cannot be read right now." in html_of(response)
    saved = alice.post("/accounts/", {"section": "notifications", "pref.booked.email": "on"})
    assert saved.status_code == 503
    assert "<title>Your profile · tennisbook</title>" in html_of(saved)
    assert not NotificationPreference.objects.filter(member=member).exists()


# --- operators -----------------------------------------------------------------------


def test_operators_read_notifications_and_their_deliveries_in_admin(
    superuser_client, member, dynamo
):
    note = tell(member, "a")
    listing = superuser_client.get("/admin/realtime/notification/")
    assert listing.status_code == 200
    assert "Court booked" in html_of(listing)
    detail = html_of(superuser_client.get(f"/admin/realtime/notification/{note.pk}/change/"))
    assert "Deliveries" in detail
    assert superuser_client.get("/admin/realtime/notification/add/").status_code == 403
    assert superuser_client.get("/admin/realtime/pushsubscription/").status_code == 200
