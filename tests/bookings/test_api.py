"""The booking API through real URLs: create, list, read, status, cancel, stats, exports."""

import pytest

from tests.bookings.conftest import EIGHT, SEVEN, in_days

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dynamo")]

CREDENTIALS = {"portal_username": "101", "portal_password": "pw-portal-1"}


def wish(**overrides):
    return {"court_id": 5, "date": in_days(10), "time_slot": SEVEN} | overrides


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


@pytest.fixture
def booking(alice):
    response = alice.post("/api/bookings", wish(), format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_a_member_creates_a_request_and_sees_it_with_its_history(alice, booking):
    assert booking["status"] == "pending"
    assert booking["time_slot"] == SEVEN
    assert booking["allowed_transitions"] == ["cancelled"]
    assert booking["history"][0]["to_status"] == "pending"
    assert alice.get(f"/api/bookings/{booking['request_id']}").json() == booking
    listing = alice.get("/api/bookings").json()
    assert listing["count"] == 1
    assert listing["results"][0]["request_id"] == booking["request_id"]


def test_bad_input_names_the_field(alice):
    for body, field in [
        (wish(time_slot="7am"), "time_slot"),
        (wish(date="2026-02-30"), "date"),
        (wish(court_id=6), "court_id"),
        (wish(alternatives=[{"court_id": 7}]), "alternatives[0].time_slot"),
        ({"court_id": "x"}, "court_id"),
    ]:
        response = alice.post("/api/bookings", body, format="json")
        assert response.status_code == 400, body
        assert field in response.json()["error"]["fields"], response.json()
    assert alice.get("/api/bookings").json()["count"] == 0


def test_a_slot_held_by_another_member_answers_409_with_suggestions(booking, bob):
    response = bob.post("/api/bookings", wish(), format="json")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "slot_claimed"
    assert {"court_id": 7, "date": in_days(10), "time_slot": SEVEN} in error["suggestions"]
    assert {"court_id": 5, "date": in_days(10), "time_slot": EIGHT} in error["suggestions"]


def test_a_duplicate_of_ones_own_request_is_a_409(alice, booking):
    response = alice.post("/api/bookings", wish(court_id=7), format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "duplicate_request"


def test_without_portal_credentials_the_member_is_told_what_to_do(as_member):
    response = as_member.post("/api/bookings", wish(), format="json")
    assert response.status_code == 400
    assert "portal_credentials" in response.json()["error"]["fields"]


def test_cancel_keeps_the_request_in_history_and_retry_brings_it_back(alice, booking):
    url = f"/api/bookings/{booking['request_id']}"
    cancelled = alice.delete(url)
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert alice.get("/api/bookings", {"status": "cancelled"}).json()["count"] == 1
    retried = alice.put(f"{url}/status", {"status": "pending"}, format="json")
    assert retried.status_code == 200
    assert [h["to_status"] for h in retried.json()["history"]] == [
        "pending",
        "cancelled",
        "pending",
    ]


def test_members_cannot_set_engine_states_but_operators_can(alice, booking, as_operator):
    url = f"/api/bookings/{booking['request_id']}/status"
    refused = alice.put(url, {"status": "completed"}, format="json")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "transition_refused"
    moved = as_operator.put(url, {"status": "processing", "message": "by hand"}, format="json")
    assert moved.status_code == 200
    assert moved.json()["history"][-1]["actor"] == "operator:charlie"
    assert alice.delete(f"/api/bookings/{booking['request_id']}").status_code == 409


def test_another_member_sees_nothing_of_a_request(booking, bob, anon):
    url = f"/api/bookings/{booking['request_id']}"
    assert bob.get(url).status_code == 404
    assert bob.delete(url).status_code == 404
    assert bob.put(f"{url}/status", {"status": "cancelled"}, format="json").status_code == 404
    assert bob.get("/api/bookings").json()["count"] == 0
    for path in (url, "/api/bookings", "/api/bookings/stats", "/api/bookings/export.csv"):
        assert anon.get(path).status_code == 401
    assert bob.get("/api/bookings/not-a-request").status_code == 404


def test_listing_filters_sorts_and_paginates(alice):
    for n, court in ((3, 5), (4, 7), (5, 5)):
        assert (
            alice.post(
                "/api/bookings", wish(date=in_days(n), court_id=court), format="json"
            ).status_code
            == 201
        )
    dates = [r["date"] for r in alice.get("/api/bookings", {"ordering": "-date"}).json()["results"]]
    assert dates == [in_days(5), in_days(4), in_days(3)]
    assert alice.get("/api/bookings", {"court_id": 7}).json()["count"] == 1
    window = alice.get("/api/bookings", {"date_from": in_days(4), "date_to": in_days(5)}).json()
    assert window["count"] == 2
    page = alice.get("/api/bookings", {"page_size": 1, "page": 2}).json()
    assert len(page["results"]) == 1
    assert page["count"] == 3
    bad = alice.get("/api/bookings", {"date_from": in_days(5), "date_to": in_days(3)})
    assert bad.status_code == 400


def test_stats_and_exports_describe_the_members_bookings(alice, booking):
    stats = alice.get("/api/bookings/stats").json()
    assert stats["total"] == 1
    assert stats["by_status"]["pending"] == 1
    csv_response = alice.get("/api/bookings/export.csv")
    assert csv_response["Content-Type"].startswith("text/csv")
    assert booking["request_id"] in csv_response.content.decode()
    ics = alice.get("/api/bookings/calendar.ics")
    assert ics["Content-Type"].startswith("text/calendar")
    assert f"UID:{booking['request_id']}@tennisbook" in ics.content.decode()


def test_partners_notes_and_the_conflict_choice_are_kept_with_the_request(alice):
    body = wish(partners=[" Ana Mora ", "Luis"], notes="Bring balls\nand water")
    body["on_conflict"] = "queue"
    response = alice.post("/api/bookings", body, format="json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["partners"] == ["Ana Mora", "Luis"]
    assert created["notes"] == "Bring balls\nand water"
    assert created["on_conflict"] == "queue"


def test_bad_partners_notes_or_conflict_choice_name_the_field(alice):
    for body, field in [
        (wish(partners=["a", "b", "c", "d"]), "partners"),
        (wish(partners=[""]), "partners"),
        (wish(partners=["x" * 65]), "partners"),
        (wish(notes="x" * 501), "notes"),
        (wish(on_conflict="fight"), "on_conflict"),
    ]:
        response = alice.post("/api/bookings", body, format="json")
        assert response.status_code == 400, body
        assert any(name.startswith(field) for name in response.json()["error"]["fields"]), body
    assert alice.get("/api/bookings").json()["count"] == 0


def test_a_member_who_chooses_to_queue_waits_behind_the_holder(booking, bob):
    response = bob.post("/api/bookings", wish(on_conflict="queue"), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["queued"] is True


def test_choosing_suggest_refuses_even_where_the_club_queues(booking, bob):
    from configs import services as config_services

    config_services.set_system_value("conflict_policy", "queue", actor="test", club="default")
    response = bob.post("/api/bookings", wish(on_conflict="suggest"), format="json")
    assert response.status_code == 409
    assert response.json()["error"]["suggestions"]


def test_a_fetched_request_posts_back_as_it_came(alice):
    created = alice.post("/api/bookings", wish(), format="json").json()
    assert created["notes"] is None
    again = {key: created[key] for key in ("club", "court_id", "time_slot", "notes", "partners")}
    again["date"] = in_days(11)
    assert alice.post("/api/bookings", again, format="json").status_code == 201
