"""Members with portal credentials, and a helper to create their requests."""

from datetime import UTC, datetime, timedelta

import pytest

from bookings import services
from configs import services as config_services
from tests.api.fixtures import (  # noqa: F401 - API personas for tests/bookings/test_api.py
    _fresh_limits,
    anon,
    as_member,
    as_operator,
    as_other_member,
)

SEVEN = "De 07:00 AM a 08:00 AM"
EIGHT = "De 08:00 AM a 09:00 AM"


def in_days(n: int) -> str:
    return (datetime.now(UTC) + timedelta(days=n)).date().isoformat()


@pytest.fixture
def portal_member(dynamo):
    """A factory: a member id whose portal credentials are configured."""

    def make(user_id: str = "alice-id") -> str:
        config_services.save_user_config(
            user_id, portal_username=user_id[:8], portal_password="portal-pass"
        )
        return user_id

    return make


@pytest.fixture
def alice(portal_member):
    return portal_member("alice-id")


@pytest.fixture
def bob(portal_member):
    return portal_member("bob-id")


@pytest.fixture
def make_request():
    def make(user_id, court=5, day=None, slot=SEVEN, alternatives=()):
        return services.create_request(user_id, court, day or in_days(10), slot, list(alternatives))

    return make
