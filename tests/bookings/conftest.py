"""Booking test constants, and the API personas for tests/bookings/test_api.py."""

from tests.api.fixtures import (  # noqa: F401 - API personas for tests/bookings/test_api.py
    _fresh_limits,
    anon,
    as_member,
    as_operator,
    as_other_member,
)
from tests.factories import EIGHT, SEVEN, in_days  # noqa: F401 - re-exported for the tests
