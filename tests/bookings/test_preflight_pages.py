"""Pre-flight results where people look: the request page, the API, the admin and its evidence."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from bookings.models import PreflightCheck
from tests.bookings.page_clients import logged_in, with_credentials
from tests.factories import CLUB, booking_request

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dynamo")]


@pytest.fixture
def checked(member, settings, tmp_path):
    """A pending request of alice's whose day check found a changed page, with evidence."""
    settings.BOOKER_EVIDENCE_DIR = str(tmp_path)
    shot = tmp_path / "preflight.png"
    shot.write_bytes(b"\x89PNG\r\n\x1a\n")
    request = booking_request(user_id=str(member.pk), fire_at=timezone.now() + timedelta(hours=5))
    PreflightCheck.objects.create(
        request_id=request.request_id,
        user_id=str(member.pk),
        club_id=CLUB,
        stage="day",
        fire_at=request.fire_at,
        state="page_changed",
        message="The club's portal page looked different from what tennisbook knows.",
        detail="NoSuchElementException: form#gone",
        evidence={"screenshot": str(shot), "outside": "/etc/hostname"},
        finished_at=timezone.now(),
    )
    return request


def test_the_member_reads_what_the_check_found_without_the_engines_words(member, checked):
    page = with_credentials(member).get(f"/bookings/{checked.request_id}/").content.decode()
    assert "Before the release" in page
    assert "The portal&#x27;s page looked different" in page
    assert "form#gone" not in page


def test_an_operator_of_the_club_reads_the_engines_words_too(operator, checked):
    page = logged_in(operator).get(f"/bookings/{checked.request_id}/").content.decode()
    assert "form#gone" in page


def test_the_api_lists_the_checks_for_their_member_only(member, other_member, checked):
    mine = logged_in(member).get(f"/api/bookings/{checked.request_id}/preflight")
    assert mine.status_code == 200
    assert [(c["stage"], c["state"]) for c in mine.json()] == [("day", "page_changed")]
    assert "detail" not in mine.json()[0]
    theirs = logged_in(other_member).get(f"/api/bookings/{checked.request_id}/preflight")
    assert theirs.status_code == 404


def test_the_admin_shows_the_checks_and_serves_their_evidence_from_its_directory(
    operator, django_user_model, checked
):
    staff = logged_in(operator)
    page = staff.get(f"/admin/bookings/requests/{checked.request_id}/").content.decode()
    assert "Pre-flight checks" in page
    assert "form#gone" in page
    check = PreflightCheck.objects.get()
    base = f"/admin/bookings/requests/{checked.request_id}/preflight/{check.pk}"
    shot = staff.get(f"{base}/screenshot")
    assert shot.status_code == 200
    assert shot["Content-Type"] == "image/png"
    assert b"".join(shot.streaming_content) == Path(check.evidence["screenshot"]).read_bytes()
    assert staff.get(f"{base}/outside").status_code == 404  # not in the evidence directory
    assert staff.get(f"{base}/nothing").status_code == 404
    other_club = django_user_model.objects.create_user(
        "olga", "olga@example.test", "olga-password-1", is_staff=True, operator_clubs=["other"]
    )
    assert logged_in(other_club).get(f"{base}/screenshot").status_code == 404
    assert Client().get(f"{base}/screenshot").status_code == 302  # to the admin's login
