"""The notification API through its real URLs: a member's own notifications and devices only.

Another member's notification or subscription answers 404, as if it did
not exist; bad input answers 400 naming the field; push while it is off
answers 409 ``push_off`` with the reason. Every endpoint is in the schema.
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from realtime import notifications, vapid
from realtime.models import Notification, PushSubscription
from tests.api.fixtures import bearer, login
from tests.realtime.test_push_loopback import browser_keys

pytestmark = pytest.mark.django_db

BASE = "/api/notifications"
ENDPOINT = "https://fcm.googleapis.com/fcm/send/device-1"


@pytest.fixture
def as_member(member):
    return bearer(login("alice")["access"])


@pytest.fixture
def as_other_member(other_member):
    return bearer(login("bob")["access"])


def tell(member, key: str, title: str = "Court booked"):
    notice = notifications.Notice("booked", title, "Court 5", "/bookings/x/", key)
    return notifications.notify(member, notice)[0]


@pytest.fixture
def push_on(settings):
    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = vapid.generate()
    return settings.VAPID_PUBLIC_KEY


def subscription_body(endpoint: str = ENDPOINT) -> dict:
    _private, p256dh, auth = browser_keys()
    return {"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}}


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.content
    return response.json()["error"]


def test_a_member_lists_their_notifications_newest_first(as_member, member, other_member, dynamo):
    older, newer = tell(member, "a", "Older"), tell(member, "b", "Newer")
    tell(other_member, "c", "Bob's")
    body = as_member.get(BASE).json()
    assert body["count"] == 2
    assert [item["title"] for item in body["results"]] == ["Newer", "Older"]
    first = body["results"][0]
    assert first["id"] == newer.pk
    assert first["unread"] is True
    assert first["read_at"] is None
    assert set(first) == {
        "id", "kind", "title", "body", "url", "request_id", "created_at", "read_at", "unread"
    }  # fmt: skip
    notifications.mark_read(member, newer.pk)
    unread = as_member.get(BASE, {"unread": "true"}).json()["results"]
    assert [item["id"] for item in unread] == [older.pk]


def test_a_filter_that_is_not_a_boolean_is_refused_naming_it(as_member, dynamo):
    error = error_of(as_member.get(BASE, {"unread": "perhaps"}), 400)
    assert error["fields"]["unread"]


def test_the_unread_count_and_marking_read(as_member, member, dynamo):
    note = tell(member, "a")
    tell(member, "b")
    assert as_member.get(f"{BASE}/unread-count").json() == {"unread": 2}
    marked = as_member.post(f"{BASE}/{note.pk}/read").json()
    assert marked["id"] == note.pk
    assert marked["unread"] is False
    assert marked["read_at"]
    assert as_member.post(f"{BASE}/{note.pk}/read").status_code == 200  # again: still read
    assert as_member.get(f"{BASE}/unread-count").json() == {"unread": 1}
    assert as_member.post(f"{BASE}/read-all").json() == {"marked": 1, "unread": 0}


@pytest.mark.parametrize("notification_id", ["{theirs}", "999999", "abc", "١٢"])
def test_another_members_or_no_notification_answers_404(
    as_member, other_member, dynamo, notification_id
):
    theirs = tell(other_member, "a")
    path = f"{BASE}/{notification_id.format(theirs=theirs.pk)}/read"
    error = error_of(as_member.post(path), 404)
    assert error["message"]
    assert Notification.objects.get(pk=theirs.pk).unread


def test_marking_all_read_leaves_other_members_alone(as_member, member, other_member, dynamo):
    tell(member, "a")
    tell(other_member, "a")
    as_member.post(f"{BASE}/read-all")
    assert notifications.unread_count(other_member) == 1


def test_anonymous_callers_are_refused(dynamo):
    assert APIClient().get(BASE).status_code == 401
    assert APIClient().get(f"{BASE}/unread-count").status_code == 401


# --- push -----------------------------------------------------------------------


def test_push_off_is_said_with_its_reason(as_member, dynamo):
    assert as_member.get(f"{BASE}/push").json() == {
        "enabled": False,
        "public_key": "",
        "reason": "Push is off on this site: VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY not set.",
    }
    error = error_of(
        as_member.post(f"{BASE}/push-subscriptions", subscription_body(), format="json"), 409
    )
    assert error["code"] == "push_off"
    assert "VAPID_PUBLIC_KEY" in error["message"]


def test_wrong_keys_turn_push_off_without_showing_them(as_member, settings, dynamo):
    public, _private = vapid.generate()
    _other_public, other_private = vapid.generate()
    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = public, other_private
    body = as_member.get(f"{BASE}/push").json()
    assert body["enabled"] is False
    assert "the public key is not the private key's" in body["reason"]
    assert other_private not in body["reason"]


def test_a_member_subscribes_a_device_and_stops(as_member, member, push_on, dynamo):
    assert as_member.get(f"{BASE}/push").json()["public_key"] == push_on
    body = subscription_body()
    created = as_member.post(f"{BASE}/push-subscriptions", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["endpoint"] == ENDPOINT
    again = as_member.post(f"{BASE}/push-subscriptions", body, format="json")
    assert again.status_code == 200
    assert again.json()["id"] == created.json()["id"]
    listed = as_member.get(f"{BASE}/push-subscriptions").json()
    assert [item["id"] for item in listed] == [created.json()["id"]]
    assert set(listed[0]) == {"id", "endpoint", "user_agent", "created_at", "last_sent_at"}
    gone = as_member.delete(f"{BASE}/push-subscriptions/{created.json()['id']}")
    assert gone.status_code == 204
    assert not PushSubscription.objects.exists()


def test_another_members_device_answers_404(as_member, other_member, push_on, dynamo):
    _private, p256dh, auth = browser_keys()
    theirs = PushSubscription.objects.create(
        member=other_member, endpoint=ENDPOINT, p256dh=p256dh, auth=auth
    )
    error_of(as_member.delete(f"{BASE}/push-subscriptions/{theirs.pk}"), 404)
    error_of(as_member.delete(f"{BASE}/push-subscriptions/nope"), 404)
    assert PushSubscription.objects.filter(pk=theirs.pk).exists()
    assert as_member.get(f"{BASE}/push-subscriptions").json() == []


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"endpoint": "http://fcm.googleapis.com/x"}, "endpoint", "must be an https URL"),
        ({"endpoint": "https://evil.example/x"}, "endpoint", "is not a push service"),
        ({"endpoint": "https://10.0.0.1/x"}, "endpoint", "is not a push service"),
        ({"endpoint": "http://127.0.0.1:9/x"}, "endpoint", "on this machine are not accepted"),
        ({"endpoint": "not a url"}, "endpoint", "push service's URL"),
        ({"keys": {"p256dh": "AAAA", "auth": "MDEyMzQ1Njc4OWFiY2RlZg"}}, "keys.p256dh", "P-256"),
        ({"keys": {"p256dh": "{p256dh}", "auth": "c2hvcnQ"}}, "keys.auth", "16 bytes"),
        ({"keys": {"p256dh": "{p256dh}"}}, "keys.auth", "required"),
        ({"endpoint": None}, "endpoint", "null"),
    ],
)
def test_a_subscription_a_browser_could_not_have_made_is_refused_naming_the_field(
    as_member, push_on, dynamo, change, field, words
):
    body = subscription_body()
    if "keys" in change:
        change = {
            "keys": {k: v.format(p256dh=body["keys"]["p256dh"]) for k, v in change["keys"].items()}
        }
    error = error_of(
        as_member.post(f"{BASE}/push-subscriptions", body | change, format="json"), 400
    )
    assert field in error["fields"], error
    assert words in " ".join(error["fields"][field])
    assert not PushSubscription.objects.exists()


def test_the_same_browser_subscribed_by_another_member_moves_to_them(
    as_member, as_other_member, member, other_member, push_on, dynamo
):
    body = subscription_body()
    as_member.post(f"{BASE}/push-subscriptions", body, format="json")
    as_other_member.post(f"{BASE}/push-subscriptions", body, format="json")
    assert PushSubscription.objects.get().member == other_member


def test_every_endpoint_is_in_the_schema(dynamo):
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = set(schema["paths"])
    assert {
        f"{BASE}",
        f"{BASE}/unread-count",
        f"{BASE}/read-all",
        f"{BASE}/push",
        f"{BASE}/push-subscriptions",
        f"{BASE}/push-subscriptions/{{subscription_id}}",
        f"{BASE}/{{notification_id}}/read",
    } <= paths
    assert "404" in schema["paths"][f"{BASE}/{{notification_id}}/read"]["post"]["responses"]
