"""Booking test constants; API personas and the real demo portal as fixtures."""

from datetime import timedelta

from bookings import workflow
from tests.api.fixtures import (  # noqa: F401 - API personas for tests/bookings/test_api.py
    _fresh_limits,
    anon,
    as_member,
    as_operator,
    as_other_member,
)
from tests.democlub.conftest import democlub, democlub_server  # noqa: F401 - the real portal
from tests.factories import EIGHT, SEVEN, in_days  # noqa: F401 - re-exported for the tests


def finish(request, status, *, result=None, message="", reason=None, owner="worker-1"):
    """Take ``request`` as a worker and record a final ``status`` with ``result``."""
    workflow.take(request, owner, timedelta(seconds=30))
    return workflow.record_result(
        request.request_id,
        request.user_id,
        owner,
        status,
        message=message,
        reason=reason,
        result=result or {},
    )
