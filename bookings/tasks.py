"""Celery tasks of the bookings app: housekeeping, and (defined in
``bookings.notify``, beside what they call) event delivery.

The event tasks live there so that ``bookings.events`` can queue them
without importing this module, which imports the workflow through
``maintenance``; they are imported here so that workers find them.
"""

from celery import shared_task

from . import maintenance, series
from .notify import deliver_status_event, email_status

__all__ = ["deliver_status_event", "email_status", "plan_series", "release_stale_claims"]


@shared_task(name="bookings.release_stale_claims", soft_time_limit=120, time_limit=150)
def release_stale_claims() -> int:
    """Housekeeping: stale slot claims, and requests left queued behind a booking."""
    return maintenance.release_stale_claims() + maintenance.fail_requests_left_behind()


@shared_task(name="bookings.plan_series", soft_time_limit=240, time_limit=280)
def plan_series() -> dict[str, int]:
    """Create the requests of recurring series whose dates are due (``bookings.series``)."""
    from django.utils import timezone

    return series.plan(timezone.now())
