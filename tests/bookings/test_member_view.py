"""What a member sees of a failed attempt: no server paths, no internals, evidence by URL."""

from datetime import timedelta

import pytest

from bookings import workflow
from bookings.choices import RequestStatus
from tests.factories import in_days

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dynamo")]

CREDENTIALS = {"portal_username": "101", "portal_password": "pw-portal-1"}


@pytest.fixture
def failed(member, as_member, settings, tmp_path):
    """alice's request, failed by a worker that kept a screenshot and the page."""
    settings.BOOKER_EVIDENCE_DIR = tmp_path / "evidence"
    run = settings.BOOKER_EVIDENCE_DIR / "run-1"
    run.mkdir(parents=True)
    (run / "slot_taken.png").write_bytes(b"\x89PNG\r\n\x1a\nfake")
    (run / "slot_taken.html").write_text("<p>Espacio no disponible</p><script>x()</script>")
    assert as_member.post("/api/users/me/config", CREDENTIALS, format="json").status_code == 201
    created = as_member.post(
        "/api/bookings",
        {"court_id": 5, "date": in_days(10), "time_slot": "De 07:00 AM a 08:00 AM"},
        format="json",
    ).json()
    request = workflow.take(
        workflow.core.store.get(created["request_id"], str(member.pk)),
        "host-1:4242:abc123",
        timedelta(seconds=30),
    )
    workflow.record_result(
        request.request_id,
        request.user_id,
        "host-1:4242:abc123",
        RequestStatus.FAILED,
        message="Espacio no disponible",
        reason="slot_taken",
        result={
            "outcome": "slot_taken",
            "ok": False,
            "detail": "PageError: /srv/tennisbook/booker/pages/form.py line 40",
            "evidence": {
                "screenshot": str(run / "slot_taken.png"),
                "html": str(run / "slot_taken.html"),
            },
        },
    )
    return created["request_id"]


def test_a_member_sees_no_server_path_nor_internal_detail(as_member, failed, tmp_path):
    body = as_member.get(f"/api/bookings/{failed}").json()
    text = str(body)
    assert str(tmp_path) not in text
    assert "PageError" not in text
    assert "host-1:4242" not in text  # the worker process is named to operators only
    assert {h["actor"] for h in body["history"]} >= {"booking worker"}
    assert body["result"]["evidence"] == {
        "html": f"/api/bookings/{failed}/evidence/html",
        "screenshot": f"/api/bookings/{failed}/evidence/screenshot",
    }


def test_the_evidence_is_served_to_its_member_and_cannot_run_scripts(as_member, failed):
    shot = as_member.get(f"/api/bookings/{failed}/evidence/screenshot")
    assert shot.status_code == 200
    assert shot["Content-Type"] == "image/png"
    assert b"".join(shot.streaming_content).startswith(b"\x89PNG")
    page = as_member.get(f"/api/bookings/{failed}/evidence/html")
    assert page.status_code == 200
    assert page["Content-Security-Policy"].startswith("sandbox")
    assert page["X-Content-Type-Options"] == "nosniff"


def test_another_member_cannot_read_the_evidence(as_other_member, failed):
    answer = as_other_member.get(f"/api/bookings/{failed}/evidence/screenshot")
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"


def test_evidence_outside_the_evidence_directory_is_never_served(
    as_member, failed, member, settings, tmp_path
):
    stored = workflow.core.store.get(failed, str(member.pk))
    stored.update(actions=[type(stored).result["evidence"]["html"].set("/etc/passwd")])
    answer = as_member.get(f"/api/bookings/{failed}/evidence/html")
    assert answer.status_code == 404
    assert as_member.get(f"/api/bookings/{failed}/evidence/nope").status_code == 404


def test_an_operator_sees_which_worker_acted(as_operator, failed):
    body = as_operator.get(f"/api/bookings/{failed}").json()
    assert "host-1:4242:abc123" in {h["actor"] for h in body["history"]}


def test_a_browser_asking_for_an_image_gets_the_screenshot(as_member, failed):
    shot = as_member.get(f"/api/bookings/{failed}/evidence/screenshot", HTTP_ACCEPT="image/*")
    assert shot.status_code == 200
    assert shot["Content-Type"] == "image/png"


def test_a_hand_edited_cursor_without_a_zone_starts_at_the_newest(client, operator, dynamo):
    client.force_login(operator)
    answer = client.get("/admin/bookings/requests/?after=2026-01-01T00:00:00|" + "0" * 32)
    assert answer.status_code == 200
