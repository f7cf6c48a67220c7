"""``Idempotency-Key`` on the booking API: a repeated create or cancel does nothing twice.

Through the real URLs with the test client (bearer tokens, and the session
with its CSRF token as the member pages' offline queue sends it).
"""

import threading

import pytest
from rest_framework.test import APIClient

from bookings import idempotency
from bookings.serializers import BookingCreateSerializer
from tests.api.fixtures import PASSWORDS
from tests.bookings.conftest import EIGHT, SEVEN, in_days
from tests.factories import CLUB

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dynamo")]

CREDENTIALS = {"portal_username": "101", "portal_password": "pw-portal-1"}
KEY = "0b6c4a1e-2f1d-4c55-9c1e-offline-1"


def wish(**overrides):
    return {"court_id": 5, "date": in_days(10), "time_slot": SEVEN} | overrides


def post(client, body, key=KEY):
    return client.post("/api/bookings", body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def count(client) -> int:
    return client.get("/api/bookings").json()["count"]


@pytest.fixture
def alice(as_member):
    assert as_member.post("/api/users/me/config", CREDENTIALS, format="json").status_code == 201
    return as_member


@pytest.fixture
def bob(as_other_member):
    assert (
        as_other_member.post("/api/users/me/config", CREDENTIALS, format="json").status_code == 201
    )
    return as_other_member


def test_the_same_key_twice_makes_one_request_and_answers_the_original(alice):
    first = post(alice, wish(notes="Singles"))
    again = post(alice, wish(notes="Singles"))

    assert first.status_code == 201, first.json()
    assert "Idempotent-Replayed" not in first
    assert again.status_code == 200, again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert count(alice) == 1


def test_the_request_id_comes_from_the_member_and_the_key(alice, member):
    created = post(alice, wish()).json()

    assert created["request_id"] == idempotency.request_id_for(str(member.pk), KEY)


def test_a_repeat_spelled_differently_is_the_same_body(alice):
    assert post(alice, wish(alternatives=[{"court_id": 7, "time_slot": EIGHT}])).status_code == 201
    respelled = wish(
        court_id="5",
        time_slot=SEVEN.lower().replace(" ", "  "),
        alternatives=[{"court_id": "7", "time_slot": EIGHT.lower()}],
        notes=None,
        partners=[],
    )

    again = post(alice, respelled)

    assert again.status_code == 200, again.json()
    assert count(alice) == 1


def test_concurrent_creates_with_one_key_make_one_request(alice, member):
    # The service the view calls, from two threads at once (the test database
    # is one in-memory SQLite, which the API's token check cannot share).
    body = BookingCreateSerializer(data=wish())
    assert body.is_valid(), body.errors
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def create():
        barrier.wait()
        try:
            item, replayed = idempotency.create(
                str(member.pk), body.validated_data, club=CLUB, by="member:alice", key=KEY
            )
            outcomes.append((item.request_id, replayed))
        except Exception as exc:  # reported by the assertion below
            outcomes.append(repr(exc))

    threads = [threading.Thread(target=create) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not any(thread.is_alive() for thread in threads)
    request_id = idempotency.request_id_for(str(member.pk), KEY)
    assert sorted(outcomes, key=str) == [(request_id, False), (request_id, True)]
    assert count(alice) == 1


def test_the_same_key_with_another_body_answers_422_naming_the_fields(alice):
    first = post(alice, wish()).json()

    other = post(alice, wish(date=in_days(11), time_slot=EIGHT))

    assert other.status_code == 422
    error = other.json()["error"]
    assert error["code"] == "idempotency_key_reused"
    assert error["differs"] == ["date", "time_slot"]
    assert error["request_id"] == first["request_id"]
    assert "Idempotency-Key" in error["message"]
    assert "date, time_slot" in error["message"]
    assert count(alice) == 1


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        ("", "must not be empty"),
        ("   ", "must not be empty"),
        ("k" * 256, "at most 255 characters (got 256)"),
        ("tab\there", "printable ASCII"),
        ("caf\u00e9", "printable ASCII"),
    ],
)
def test_a_malformed_key_answers_400_naming_the_header(alice, key, problem):
    response = post(alice, wish(), key=key)

    assert response.status_code == 400
    error = response.json()["error"]
    assert problem in error["fields"]["Idempotency-Key"][0]
    assert error["message"].startswith("Idempotency-Key:")
    assert count(alice) == 0


def test_the_longest_key_is_accepted(alice):
    assert post(alice, wish(), key="k" * 255).status_code == 201


def test_keys_are_per_member(alice, bob):
    mine = post(alice, wish())
    theirs = post(bob, wish(court_id=7))

    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json()["request_id"] != theirs.json()["request_id"]
    assert count(alice) == 1
    assert count(bob) == 1


def test_a_refused_create_is_not_remembered(alice, bob):
    held = post(bob, wish(), key="bob-1")
    refused = post(alice, wish(on_conflict="suggest"))
    assert (held.status_code, refused.status_code) == (201, 409)
    assert bob.delete(f"/api/bookings/{held.json()['request_id']}").status_code == 200

    again = post(alice, wish(on_conflict="suggest"))

    assert again.status_code == 201, again.json()


def test_cancel_with_a_key_is_idempotent(alice):
    created = post(alice, wish()).json()
    url = f"/api/bookings/{created['request_id']}"

    first = alice.delete(url, HTTP_IDEMPOTENCY_KEY="cancel-1")
    again = alice.delete(url, HTTP_IDEMPOTENCY_KEY="cancel-1")
    without_key = alice.delete(url)

    assert first.status_code == 200
    assert "Idempotent-Replayed" not in first
    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["status"] == "cancelled"
    statuses = [entry["to_status"] for entry in again.json()["history"]]
    assert statuses == ["pending", "cancelled"]
    assert without_key.status_code == 409


def test_cancel_refused_for_another_reason_stays_a_409(alice, as_operator):
    created = post(alice, wish()).json()
    url = f"/api/bookings/{created['request_id']}"
    moved = as_operator.put(f"{url}/status", {"status": "processing"}, format="json")
    assert moved.status_code == 200

    refused = alice.delete(url, HTTP_IDEMPOTENCY_KEY="cancel-1")

    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "transition_refused"


def test_cancel_with_a_malformed_key_answers_400(alice):
    created = post(alice, wish()).json()

    response = alice.delete(f"/api/bookings/{created['request_id']}", HTTP_IDEMPOTENCY_KEY="")

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["error"]["fields"]
    assert alice.get(f"/api/bookings/{created['request_id']}").json()["status"] == "pending"


def test_another_members_request_cannot_be_cancelled_with_a_key(alice, bob):
    created = post(alice, wish()).json()

    response = bob.delete(f"/api/bookings/{created['request_id']}", HTTP_IDEMPOTENCY_KEY=KEY)

    assert response.status_code == 404


def test_the_page_session_with_its_csrf_token_may_send_a_keyed_create(alice, member):
    session = APIClient(enforce_csrf_checks=True)
    session.login(username="alice", password=PASSWORDS["alice"])
    token = session.get("/book/").cookies["csrftoken"].value

    refused = post(session, wish())
    sent = session.post(
        "/api/bookings",
        wish(),
        format="json",
        HTTP_IDEMPOTENCY_KEY=KEY,
        HTTP_X_CSRFTOKEN=token,
    )

    assert refused.status_code == 403
    assert sent.status_code == 201, sent.json()


def test_the_schema_documents_the_key_and_the_replay(anon):
    schema = anon.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    create = schema["paths"]["/api/bookings"]["post"]
    cancel = schema["paths"]["/api/bookings/{request_id}"]["delete"]

    for operation in (create, cancel):
        headers = [p for p in operation["parameters"] if p["in"] == "header"]
        assert [p["name"] for p in headers] == ["Idempotency-Key"]
        assert "Idempotent-Replayed" in operation["responses"]["200"]["headers"]
    assert {"200", "201", "409", "422"} <= set(create["responses"])
    assert "another body" in create["responses"]["422"]["description"]
