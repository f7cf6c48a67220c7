"""Booking test constants; API personas and the real demo portal as fixtures."""

from tests.api.fixtures import (  # noqa: F401 - API personas for tests/bookings/test_api.py
    _fresh_limits,
    anon,
    as_member,
    as_operator,
    as_other_member,
)
from tests.democlub.conftest import democlub, democlub_server  # noqa: F401 - the real portal
from tests.factories import EIGHT, SEVEN, in_days  # noqa: F401 - re-exported for the tests
