"""Periodic housekeeping of booking requests (Celery beat)."""

from celery import shared_task

from . import maintenance


@shared_task(name="bookings.release_stale_claims", soft_time_limit=120, time_limit=150)
def release_stale_claims() -> int:
    return maintenance.release_stale_claims()
