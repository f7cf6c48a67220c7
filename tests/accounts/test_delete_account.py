"""``accounts.services.delete_account``: a member deletes their own account.

What goes with it comes from the user's ``post_delete`` receivers once the
deletion commits (``configs.signals``: the portal credentials at every club;
``bookings.signals``: every pending or processing request cancelled); the
finished requests stay as the club's history. A wrong password changes
nothing.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from rest_framework.exceptions import ValidationError

from accounts import services
from accounts.models import BookingTemplate
from bookings import services as booking_services
from bookings import workflow
from bookings.choices import RequestStatus
from configs import services as config_services
from tests.bookings.conftest import finish, in_days
from tests.factories import CLUB

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dynamo")]

PASSWORD = "alice-password-1"
LEASE = timedelta(seconds=30)


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run what the code defers to the commit, as a real request would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def alice_id(member, portal_member):
    """alice's id, with portal credentials saved at the default club."""
    return portal_member(str(member.pk))


def statuses(user_id: str) -> dict[str, str]:
    return {r.request_id: r.status for r in booking_services.list_requests(user_id)}


def test_deleting_an_account_erases_its_credentials_and_cancels_its_active_requests(
    member, other_member, alice_id, portal_member, make_request, on_commit
):
    bob_id = portal_member(str(other_member.pk))
    pending = make_request(alice_id)
    processing = workflow.take(make_request(alice_id, day=in_days(11)), "worker-1", LEASE)
    bobs = make_request(bob_id, day=in_days(12))

    with on_commit():
        services.delete_account(member, PASSWORD)

    assert not get_user_model().objects.filter(pk=alice_id).exists()
    assert config_services.find_user_config(alice_id, CLUB) is None
    assert statuses(alice_id) == {
        pending.request_id: RequestStatus.CANCELLED,
        processing.request_id: RequestStatus.CANCELLED,
    }
    assert workflow.renew(processing, "worker-1", LEASE) is None  # its worker stops
    # Nobody else's.
    assert config_services.find_user_config(bob_id, CLUB) is not None
    assert statuses(bob_id) == {bobs.request_id: RequestStatus.PENDING}


def test_finished_requests_stay_as_the_clubs_history(member, alice_id, make_request, on_commit):
    booked = finish(make_request(alice_id), RequestStatus.COMPLETED)

    with on_commit():
        services.delete_account(member, PASSWORD)

    assert statuses(alice_id) == {booked.request_id: RequestStatus.COMPLETED}


def test_the_members_templates_go_with_the_account(member, alice_id, on_commit):
    BookingTemplate.objects.create(
        owner=member, club_id=CLUB, name="Weekday", court_id=5, time_slot="De 07:00 AM a 08:00 AM"
    )

    with on_commit():
        services.delete_account(member, PASSWORD)

    assert not BookingTemplate.objects.exists()


def test_a_wrong_password_deletes_nothing(member, alice_id, make_request, on_commit):
    pending = make_request(alice_id)

    with on_commit(), pytest.raises(ValidationError) as refused:
        services.delete_account(member, "not-the-password")

    assert refused.value.detail == {"password": [services.DELETION_REFUSED]}
    assert get_user_model().objects.filter(pk=alice_id).exists()
    assert config_services.find_user_config(alice_id, CLUB) is not None
    assert statuses(alice_id) == {pending.request_id: RequestStatus.PENDING}


def test_what_the_deletion_would_do_is_read_beforehand(member, alice_id, make_request):
    make_request(alice_id)
    finish(make_request(alice_id, day=in_days(11)), RequestStatus.FAILED)

    consequences = services.deletion_consequences(member)

    assert consequences.active_requests == 1
    assert len(consequences.portal_clubs) == 1
    assert consequences.retention_days == [180]
    assert consequences.templates == 0
