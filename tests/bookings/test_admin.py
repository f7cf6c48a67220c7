"""Operators see and steer booking requests in the admin; members cannot."""

import pytest

from bookings import services
from bookings.choices import RequestStatus
from tests.bookings.conftest import finish

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dynamo")]


@pytest.fixture
def staff_client(client, operator):
    client.force_login(operator)
    return client


@pytest.fixture
def booked(member, portal_member, make_request):
    user_id = portal_member(str(member.pk))
    request = make_request(user_id)
    return finish(
        request,
        RequestStatus.COMPLETED,
        owner="w-1",
        message="Su reservación se ha realizado con éxito",
        result={
            "outcome": "booked",
            "verified": True,
            "message": "Su reservación se ha realizado con éxito",
            "attempts": [
                {
                    "path": "door",
                    "choice": {"court": 5, "slot": request.time_slot},
                    "outcome": "success",
                    "ms_after_release": 1.2,
                    "round_trip_ms": 0.8,
                    "message": "ok",
                }
            ],
            "timings": [{"step": "login", "ms": 310.0}],
            "release_to_confirmation_ms": 2.0,
        },
    )


def test_operators_list_requests_by_status_and_member(staff_client, booked, member):
    page = staff_client.get("/admin/bookings/requests/", {"status": "completed"}).content.decode()
    assert booked.date in page
    assert member.username in page
    assert (
        "No booking requests match"
        in staff_client.get("/admin/bookings/requests/", {"status": "failed"}).content.decode()
    )
    assert (
        booked.date
        in staff_client.get("/admin/bookings/requests/", {"q": member.username}).content.decode()
    )


def test_the_detail_shows_history_result_and_submits(staff_client, booked):
    page = staff_client.get(f"/admin/bookings/requests/{booked.request_id}/").content.decode()
    for expected in ("Su reservación se ha realizado con éxito", "door", "login", "w-1", "2.0 ms"):
        assert expected in page
    assert "Change status" not in page  # nothing an operator may do with a completed request


def test_an_operator_can_cancel_a_pending_request(
    staff_client, member, portal_member, make_request
):
    request = make_request(portal_member(str(member.pk)))
    url = f"/admin/bookings/requests/{request.request_id}/status"
    response = staff_client.post(url, {"status": "cancelled", "message": "member asked by phone"})
    assert response.status_code == 302
    stored = services.get_request(str(member.pk), request.request_id)
    assert stored.status == RequestStatus.CANCELLED
    assert stored.history[-1].actor == "operator:charlie"
    refused = staff_client.post(url, {"status": "completed"}, follow=True).content.decode()
    assert "Not changed" in refused


def test_members_and_strangers_are_sent_to_the_admin_login(client, member, booked):
    assert client.get("/admin/bookings/requests/").status_code == 302
    client.force_login(member)
    assert client.get(f"/admin/bookings/requests/{booked.request_id}/").status_code == 302


def test_an_unknown_request_is_a_404(staff_client):
    assert staff_client.get("/admin/bookings/requests/not-a-uuid/").status_code == 404
