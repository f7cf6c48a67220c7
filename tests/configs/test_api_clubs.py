"""Clubs in the API: listing and managing them, per-club configurations and
settings, bookings at a club, and operators limited to some clubs."""

# ruff: noqa: F811

from __future__ import annotations

import pytest

from bookings import services as booking_services
from configs import clubs
from configs import services as config_services
from configs.system_keys import demo_defaults
from tests.api.fixtures import _fresh_limits, as_member, as_operator, bearer, login  # noqa: F401
from tests.factories import CLUB, SEVEN, in_days

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dynamo")]

RIVERSIDE = "riverside"
GRID_SLOT = "De 08:00 AM a 09:00 AM"


@pytest.fixture
def riverside():
    """A second club on the grid demo portal's courts (1 to 4) and rules."""
    grid = demo_defaults("grid")
    return clubs.create_club(RIVERSIDE, "Riverside Tennis", actor="t", settings_values=grid)


@pytest.fixture
def limited_operator(django_user_model):
    """dana operates the default club only."""
    django_user_model.objects.create_user(
        "dana", "dana@example.test", "dana-password-1", is_staff=True, operator_clubs=[CLUB]
    )
    return bearer(login("dana", "dana-password-1")["access"])


def _credentials(client, club: str, username: str = "101"):
    return client.post(
        f"/api/users/me/clubs/{club}/config",
        {"portal_username": username, "portal_password": "portal-pass"},
        format="json",
    )


def test_everyone_lists_the_clubs_and_operators_see_which_they_operate(
    as_member, limited_operator, riverside
):
    listed = as_member.get("/api/clubs").json()
    assert [(c["id"], c["default"], c["operated"]) for c in listed] == [
        (CLUB, True, False),
        (RIVERSIDE, False, False),
    ]
    assert listed[1]["name"] == "Riverside Tennis"
    assert listed[1]["time_zone"] == demo_defaults("grid")["release_rules"]["time_zone"]
    mine = {c["id"]: c["operated"] for c in limited_operator.get("/api/clubs").json()}
    assert mine == {CLUB: True, RIVERSIDE: False}


def test_an_operator_of_every_club_creates_one_and_bad_ids_are_named(as_operator, as_member):
    body = {"id": "hilltop", "name": "Hilltop", "copy_from": CLUB}
    assert as_member.post("/api/clubs", body, format="json").status_code == 403
    created = as_operator.post("/api/clubs", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["id"] == "hilltop"
    assert config_services.get_courts("hilltop") == config_services.get_courts(CLUB)
    again = as_operator.post("/api/clubs", body, format="json")
    assert again.status_code == 400
    assert "exists already" in str(again.json())
    bad = as_operator.post("/api/clubs", {"id": "Hill Top!", "name": "x"}, format="json")
    assert bad.status_code == 400
    assert "id" in str(bad.json())
    broken = as_operator.post(
        "/api/clubs", {"id": "broken", "name": "B", "settings": {"courts": []}}, format="json"
    )
    assert broken.status_code == 400
    assert "courts" in str(broken.json())
    assert "broken" not in clubs.club_ids()  # nothing half-made is listed


def test_a_limited_operator_cannot_create_clubs(limited_operator):
    response = limited_operator.post("/api/clubs", {"id": "mine", "name": "Mine"}, format="json")
    assert response.status_code == 403


def test_a_disabled_club_takes_no_new_requests(as_operator, as_member, riverside):
    assert _credentials(as_member, RIVERSIDE, "alex").status_code == 201
    response = as_operator.patch(f"/api/clubs/{RIVERSIDE}", {"enabled": False}, format="json")
    assert response.status_code == 200
    assert response.json()["enabled"] is False
    wish = {"club": RIVERSIDE, "court_id": 1, "date": in_days(5), "time_slot": GRID_SLOT}
    refused = as_member.post("/api/bookings", wish, format="json")
    assert refused.status_code == 400
    assert "club" in str(refused.json())


def test_a_member_has_credentials_per_club_and_books_at_each(as_member, member, riverside):
    assert _credentials(as_member, CLUB, "101").status_code == 201
    # No credentials at riverside yet: a request there is refused, naming them.
    wish = {"club": RIVERSIDE, "court_id": 1, "date": in_days(5), "time_slot": GRID_SLOT}
    refused = as_member.post("/api/bookings", wish, format="json")
    assert refused.status_code == 400
    assert "portal_credentials" in str(refused.json())
    assert _credentials(as_member, RIVERSIDE, "alex").status_code == 201

    configs = as_member.get("/api/users/me/clubs").json()
    assert {(c["club"], c["portal_username"]) for c in configs} == {
        (CLUB, "101"),
        (RIVERSIDE, "alex"),
    }
    booked = as_member.post("/api/bookings", wish, format="json")
    assert booked.status_code == 201, booked.content
    assert booked.json()["club"] == RIVERSIDE
    # Court 1 exists only at riverside; court 5 only at the default club.
    at_default = {"court_id": 1, "date": in_days(5), "time_slot": SEVEN}
    assert as_member.post("/api/bookings", at_default, format="json").status_code == 400
    default = as_member.post("/api/bookings", at_default | {"court_id": 5}, format="json")
    assert default.status_code == 201
    assert default.json()["club"] == CLUB
    listed = as_member.get(f"/api/bookings?club={RIVERSIDE}").json()["results"]
    assert [item["club"] for item in listed] == [RIVERSIDE]
    assert as_member.get("/api/bookings?club=nowhere").status_code == 400


def test_claims_and_quotas_are_per_club(as_member, member, riverside, django_user_model):
    """The same court number, date and slot at two clubs are two different slots."""
    config_services.set_system_value(
        "courts", [{"id": 1, "name": "One", "slots": [SEVEN]}], club=CLUB, actor="t"
    )
    config_services.set_system_value(
        "limits",
        {"max_active_requests": 1, "max_alternatives": 3, "horizon_days": 30},
        club=CLUB,
        actor="t",
    )
    _credentials(as_member, CLUB)
    _credentials(as_member, RIVERSIDE, "alex")
    day = in_days(5)
    slot = "De 07:00 AM a 08:00 AM"
    first = as_member.post("/api/bookings", {"court_id": 1, "date": day, "time_slot": slot})
    assert first.status_code == 201
    # The default club's quota of 1 is reached; riverside's own quota is not.
    other_day = {"court_id": 1, "date": in_days(6), "time_slot": slot}
    assert as_member.post("/api/bookings", other_day, format="json").status_code == 409
    there = {"club": RIVERSIDE, "court_id": 1, "date": day, "time_slot": slot}
    assert as_member.post("/api/bookings", there, format="json").status_code == 201
    assert len(booking_services.list_requests(str(member.pk))) == 2


def test_an_operator_limited_to_one_club_cannot_read_or_change_another(
    limited_operator, as_member, member, riverside
):
    _credentials(as_member, RIVERSIDE, "alex")
    wish = {"club": RIVERSIDE, "court_id": 1, "date": in_days(5), "time_slot": GRID_SLOT}
    request_id = as_member.post("/api/bookings", wish, format="json").json()["request_id"]

    # The other club's private settings stay hidden, and cannot be changed.
    settings = limited_operator.get(f"/api/clubs/{RIVERSIDE}/config").json()
    assert all(entry["public"] for entry in settings)
    assert "portal_profile" not in {entry["key"] for entry in settings}
    change = {"key": "conflict_policy", "value": "queue"}
    assert (
        limited_operator.post(f"/api/clubs/{RIVERSIDE}/config", change, format="json").status_code
        == 403
    )
    assert config_services.get_system_value("conflict_policy", club=RIVERSIDE) == "reject"
    rename = limited_operator.patch(f"/api/clubs/{RIVERSIDE}", {"name": "Mine"}, format="json")
    assert rename.status_code == 403
    # Its members' configurations and requests are out of reach.
    member_url = f"/api/users/{member.pk}/clubs/{RIVERSIDE}/config"
    assert limited_operator.get(member_url).status_code == 403
    assert limited_operator.post(member_url, {"portal_username": "x"}).status_code == 403
    assert limited_operator.get(f"/api/users/{member.pk}/clubs").json() == []
    assert limited_operator.get(f"/api/bookings/{request_id}").status_code == 404
    cancel = limited_operator.delete(f"/api/bookings/{request_id}")
    assert cancel.status_code == 404
    status = limited_operator.put(
        f"/api/bookings/{request_id}/status", {"status": "failed"}, format="json"
    )
    assert status.status_code == 404
    assert booking_services.get_request(str(member.pk), request_id).status == "pending"
    # Its own club is fully reachable.
    own = limited_operator.post(f"/api/clubs/{CLUB}/config", change, format="json")
    assert own.status_code == 200


def test_an_unknown_club_in_a_path_is_a_404(as_member):
    assert as_member.get("/api/clubs/nowhere").status_code == 404
    assert as_member.get("/api/clubs/nowhere/config").status_code == 404
    assert as_member.get("/api/users/me/clubs/nowhere/config").status_code == 404
    assert as_member.get("/api/clubs/NOT%20AN%20ID/config").status_code == 404


def test_an_operator_is_a_member_for_their_own_request_at_a_club_they_do_not_operate(
    limited_operator, riverside, django_user_model
):
    dana = django_user_model.objects.get(username="dana")
    _credentials(limited_operator, RIVERSIDE, "alex")
    wish = {"club": RIVERSIDE, "court_id": 1, "date": in_days(5), "time_slot": GRID_SLOT}
    created = limited_operator.post("/api/bookings", wish, format="json").json()
    # Operators may force a pending request to processing; members may not.
    assert "processing" not in created["allowed_transitions"]
    forced = limited_operator.put(
        f"/api/bookings/{created['request_id']}/status", {"status": "processing"}, format="json"
    )
    assert forced.status_code == 409
    assert booking_services.get_request(str(dana.pk), created["request_id"]).status == "pending"


def test_a_disabled_club_takes_no_request_back_by_retry(as_member, member, as_operator, riverside):
    _credentials(as_member, RIVERSIDE, "alex")
    wish = {"club": RIVERSIDE, "court_id": 1, "date": in_days(5), "time_slot": GRID_SLOT}
    request_id = as_member.post("/api/bookings", wish, format="json").json()["request_id"]
    assert as_member.delete(f"/api/bookings/{request_id}").status_code == 200
    as_operator.patch(f"/api/clubs/{RIVERSIDE}", {"enabled": False}, format="json")
    retry = as_member.put(
        f"/api/bookings/{request_id}/status", {"status": "pending"}, format="json"
    )
    assert retry.status_code == 400
    assert "takes no new requests" in str(retry.json())
    assert booking_services.get_request(str(member.pk), request_id).status == "cancelled"
