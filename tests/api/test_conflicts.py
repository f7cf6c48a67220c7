"""Refusals render through the shared exception handler, each with its own code.

A view raises ``bookings.errors``' conflicts and does not catch them: the
answer is 409 with the refusal's code, its message and its data (a held
slot's ``suggestions``), in the one error format. A bare data-layer
``Conflict`` (a conditional write lost) keeps the generic ``conflict``: its
message names tables.
"""

from __future__ import annotations

import pytest

from tests.api.conflict_urls import SUGGESTIONS
from tests.factories import EIGHT, SEVEN, in_days

pytestmark = pytest.mark.django_db

RAISING = "/api/test/conflicts"


@pytest.mark.urls("tests.api.conflict_urls")
def test_a_held_slot_answers_409_with_its_code_message_and_suggestions(anon):
    response = anon.post(f"{RAISING}/slot_claimed")

    assert response.status_code == 409
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "error": {
            "code": "slot_claimed",
            "message": "Another member holds court 5.",
            "fields": {},
            "suggestions": SUGGESTIONS,
        }
    }


@pytest.mark.urls("tests.api.conflict_urls")
@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("duplicate_request", "You already have a request then."),
        ("quota_reached", "You have reached the club's limit."),
        ("transition_refused", "A completed request cannot change."),
    ],
)
def test_each_refusal_answers_409_with_its_own_code_and_message(anon, kind, message):
    response = anon.post(f"{RAISING}/{kind}")

    assert response.status_code == 409
    assert response.json() == {"error": {"code": kind, "message": message, "fields": {}}}


@pytest.mark.urls("tests.api.conflict_urls")
def test_a_lost_conditional_write_is_the_generic_conflict_without_table_names(anon):
    response = anon.post(f"{RAISING}/lost_write")

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "conflict"
    assert "booking-requests" not in error["message"]
    assert set(error) == {"code", "message", "fields"}


@pytest.mark.urls("tests.api.conflict_urls")
def test_a_refusal_is_json_even_for_a_browser(anon):
    response = anon.post(f"{RAISING}/quota_reached", HTTP_ACCEPT="text/html")

    assert response.status_code == 409
    assert response["Content-Type"] == "application/json"


# --- through the booking API ---------------------------------------------------

CREDENTIALS = {"portal_username": "101", "portal_password": "pw-portal-1"}


def wish(**overrides):
    return {"court_id": 5, "date": in_days(10), "time_slot": SEVEN} | overrides


@pytest.fixture
def alice(dynamo, as_member):
    assert as_member.post("/api/users/me/config", CREDENTIALS, format="json").status_code == 201
    return as_member


@pytest.fixture
def bob(dynamo, as_other_member):
    response = as_other_member.post("/api/users/me/config", CREDENTIALS, format="json")
    assert response.status_code == 201
    return as_other_member


@pytest.fixture
def booking(alice):
    response = alice.post("/api/bookings", wish(), format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_the_booking_api_refuses_a_held_slot_with_suggestions(booking, bob):
    response = bob.post("/api/bookings", wish(), format="json")

    assert response.status_code == 409
    error = response.json()["error"]
    assert set(error) == {"code", "message", "fields", "suggestions"}
    assert error["code"] == "slot_claimed"
    assert "court 5" in error["message"]
    assert error["fields"] == {}
    assert {"court_id": 5, "date": in_days(10), "time_slot": EIGHT} in error["suggestions"]


def test_the_booking_api_refuses_a_duplicate(alice, booking):
    response = alice.post("/api/bookings", wish(court_id=7), format="json")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "duplicate_request"


def test_the_booking_api_refuses_past_the_quota(alice, as_operator):
    limits = {"max_active_requests": 1, "max_alternatives": 3, "horizon_days": 30}
    changed = as_operator.post(
        "/api/system/config", {"key": "limits", "value": limits}, format="json"
    )
    assert changed.status_code == 200, changed.json()
    assert alice.post("/api/bookings", wish(), format="json").status_code == 201

    response = alice.post("/api/bookings", wish(date=in_days(11)), format="json")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "quota_reached"


def test_the_booking_api_refuses_a_status_change_a_member_may_not_make(alice, booking):
    url = f"/api/bookings/{booking['request_id']}/status"

    response = alice.put(url, {"status": "completed"}, format="json")

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "transition_refused"
    assert "cancelled" in error["message"]  # what is allowed instead


def test_a_request_that_kept_changing_is_a_503_that_says_so():
    from bookings.errors import Contended
    from tennisbook.api.exceptions import UNAVAILABLE_RETRY_AFTER, exception_handler

    response = exception_handler(Contended("The request kept changing; try again."), {})
    assert response.status_code == 503
    assert response.data["error"]["code"] == "contended"
    assert response.data["error"]["message"] == "The request kept changing; try again."
    assert response["Retry-After"] == str(UNAVAILABLE_RETRY_AFTER)
