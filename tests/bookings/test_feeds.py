"""The member's calendar feed: a secret, revocable URL, stored only as its hash.

The services (``bookings.feeds``), then the feed's URL and the calendar
page's create / regenerate / stop buttons through the test client, and what
the feed holds (parsed back with the ``icalendar`` package).
"""

import hashlib
from datetime import datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.test import Client

from bookings import feeds, workflow
from bookings.choices import RequestStatus
from bookings.lifecycle import Actor
from tests.bookings.conftest import finish
from tests.factories import in_days

pytestmark = pytest.mark.django_db

ZONE = ZoneInfo("America/Costa_Rica")


def test_a_token_is_stored_only_as_its_sha256(member):
    token = feeds.make_token(member)
    member.refresh_from_db()
    assert len(token) == 43
    assert member.calendar_token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in member.calendar_token_hash
    assert member.calendar_token_created is not None
    assert feeds.find_member(token) == member


def test_making_a_second_token_is_refused_so_a_subscribed_url_keeps_working(member):
    token = feeds.make_token(member)
    with pytest.raises(feeds.FeedError, match="regenerate"):
        feeds.make_token(member)
    assert feeds.find_member(token) == member


def test_rotating_replaces_the_hash_and_the_old_token_finds_nobody(member):
    old = feeds.make_token(member)
    new = feeds.rotate_token(member)
    assert new != old
    assert feeds.find_member(old) is None
    assert feeds.find_member(new) == member


def test_rotating_without_a_feed_is_refused(member):
    with pytest.raises(feeds.FeedError, match="create one first"):
        feeds.rotate_token(member)
    member.refresh_from_db()
    assert member.calendar_token_hash is None


def test_revoking_clears_the_hash_and_says_whether_there_was_a_feed(member):
    token = feeds.make_token(member)
    assert feeds.revoke_token(member) is True
    member.refresh_from_db()
    assert (member.calendar_token_hash, member.calendar_token_created) == (None, None)
    assert feeds.find_member(token) is None
    assert feeds.revoke_token(member) is False


def test_a_stale_user_object_cannot_make_a_second_live_token(member, django_user_model):
    # Two tabs: each holds the member as loaded before either clicked.
    other_tab = django_user_model.objects.get(pk=member.pk)
    first = feeds.make_token(member)
    with pytest.raises(feeds.FeedError):
        feeds.make_token(other_tab)
    assert feeds.find_member(first) == member


def test_find_member_refuses_anything_but_a_live_token_of_an_active_member(member, other_member):
    token = feeds.make_token(member)
    feeds.make_token(other_member)
    for wrong in ("", None, 42, token[:-1], token + "x", token.upper(), "a" * 43, "../" * 15):
        assert feeds.find_member(wrong) is None, wrong
    member.is_active = False
    member.save()
    assert feeds.find_member(token) is None


# --- the feed's URL and the calendar page's buttons ------------------------------------


def test_a_new_password_ends_a_feed_made_before_it(member, django_user_model):
    token = feeds.make_token(member)
    assert feeds.find_member(token) == member

    fresh = django_user_model.objects.get(pk=member.pk)
    fresh.set_password("another-long-password-9")
    fresh.save()  # every session and API token ends; the feed too

    assert feeds.find_member(token) is None
    again = feeds.rotate_token(django_user_model.objects.get(pk=member.pk))
    assert feeds.find_member(again) == member  # a link made after it works


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def booked(dynamo, alice, make_request):
    """alice's booked court 7 (an alternative), a pending and a cancelled request."""
    request = make_request(alice, court=5, day=in_days(10))
    done = finish(
        request,
        RequestStatus.COMPLETED,
        result={"choice": {"court": 7, "slot": "De 06:00 PM a 07:00 PM"}},
    )
    make_request(alice, day=in_days(11))
    workflow.cancel(make_request(alice, day=in_days(12)), actor=Actor.MEMBER, by="alice")
    return done


def alice_user(django_user_model):
    return django_user_model.objects.get(username="alice-id")


def test_the_feed_holds_the_booked_courts_on_the_clubs_clock(booked, django_user_model):
    user = alice_user(django_user_model)
    token = feeds.make_token(user)

    response = Client().get(f"/calendar/{token}.ics")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "no-cache" in response["Cache-Control"]
    feed = icalendar.Calendar.from_ical(response.content)
    (event,) = feed.walk("VEVENT")
    assert str(event["UID"]) == f"{booked.request_id}@tennisbook"
    start = event.decoded("DTSTART")
    day = datetime.fromisoformat(in_days(10)).date()
    assert start == datetime.combine(day, datetime.min.time().replace(hour=18), ZONE)
    assert str(event["DTSTART"].params["TZID"]) == "America/Costa_Rica"
    assert "Cancha de Tenis 2" in str(event["SUMMARY"])  # the alternative the engine booked
    assert str(event["STATUS"]) == "CONFIRMED"
    (zone,) = feed.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "America/Costa_Rica"
    assert str(feed["X-WR-TIMEZONE"]) == "America/Costa_Rica"


def test_an_unknown_revoked_or_replaced_token_is_a_bare_404(booked, django_user_model):
    user = alice_user(django_user_model)
    old = feeds.make_token(user)
    new = feeds.rotate_token(user)
    anonymous = Client()
    for token in (old, "x" * 43, "short"):
        response = anonymous.get(f"/calendar/{token}.ics")
        assert response.status_code == 404
        assert response.content == b"Not found.\n"
    assert anonymous.get(f"/calendar/{new}.ics").status_code == 200
    feeds.revoke_token(user)
    assert anonymous.get(f"/calendar/{new}.ics").status_code == 404


def test_the_calendar_page_makes_shows_once_regenerates_and_stops_the_feed(
    booked, django_user_model
):
    user = alice_user(django_user_model)
    page = logged_in(user)
    assert b"Create my calendar link" in page.get("/calendar/").content

    made = page.post("/calendar/feed", {"action": "make"}, headers={"HX-Request": "true"})
    assert made.status_code == 200
    user.refresh_from_db()
    url = made.context["feed_url"]
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert hashlib.sha256(token.encode()).hexdigest() == user.calendar_token_hash
    assert url.encode() in made.content
    assert b"<html" not in made.content  # htmx gets the section alone
    assert made["Cache-Control"] == "no-store"
    assert url.encode() not in page.get("/calendar/").content  # shown once only

    again = page.post("/calendar/feed", {"action": "make"}, headers={"HX-Request": "true"})
    assert again.status_code == 409
    assert b"already have a calendar link" in again.content

    rotated = page.post("/calendar/feed", {"action": "rotate"})  # no JavaScript: the whole page
    assert rotated.status_code == 200
    assert b"<html" in rotated.content
    assert rotated.context["feed_url"] != url
    assert Client().get(url).status_code == 404

    stopped = page.post("/calendar/feed", {"action": "revoke"}, headers={"HX-Request": "true"})
    assert b"The feed is stopped" in stopped.content
    assert Client().get(rotated.context["feed_url"]).status_code == 404
    assert page.post("/calendar/feed", {"action": "revoke"}).status_code == 409
    assert page.post("/calendar/feed", {"action": "burn"}).status_code == 400


def test_another_member_cannot_see_or_change_the_feed_of_the_first(
    booked, django_user_model, portal_member
):
    alice = alice_user(django_user_model)
    token = feeds.make_token(alice)
    bob = django_user_model.objects.get(pk=portal_member("bob-id"))
    bobs_page = logged_in(bob)

    bobs_page.post("/calendar/feed", {"action": "revoke"})
    made = bobs_page.post("/calendar/feed", {"action": "make"})

    assert feeds.find_member(token) == alice  # bob's clicks touched his own feed only
    bobs_feed = icalendar.Calendar.from_ical(Client().get(made.context["feed_url"]).content)
    assert bobs_feed.walk("VEVENT") == []
    assert booked.request_id.encode() not in Client().get(made.context["feed_url"]).content


def test_changing_the_feed_needs_a_login_and_a_post(client, member):
    response = client.post("/calendar/feed", {"action": "make"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert logged_in(member).get("/calendar/feed").status_code == 405
