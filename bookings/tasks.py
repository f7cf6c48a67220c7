"""Celery tasks of the bookings app: housekeeping and event delivery.

Event tasks take the event's payload (a snapshot of the transition, so a
late delivery still tells what happened then) and run on the default
queue, never behind a booking batch.
"""

from smtplib import SMTPException

from celery import shared_task
from redis.exceptions import RedisError

from tennisbook.dynamo import Unavailable

from . import maintenance, notify


@shared_task(name="bookings.release_stale_claims", soft_time_limit=120, time_limit=150)
def release_stale_claims() -> int:
    """Housekeeping: stale slot claims, and requests left queued behind a booking."""
    return maintenance.release_stale_claims() + maintenance.fail_requests_left_behind()


@shared_task(
    name="bookings.deliver_status_event",
    ignore_result=True,
    autoretry_for=(OSError, RedisError),
    max_retries=3,
    default_retry_delay=1,
    soft_time_limit=10,
    time_limit=20,
)
def deliver_status_event(payload: dict) -> None:
    """Relay a status event to the member's open pages (stale after a while)."""
    notify.to_group(payload)


@shared_task(
    name="bookings.email_status",
    ignore_result=True,
    acks_late=True,
    # The mail server, or DynamoDB for the member's preferences, is down.
    autoretry_for=(OSError, SMTPException, Unavailable),
    # A mail server outage of up to about a day loses no notification; the
    # backoff stays under the Redis visibility timeout (an hour).
    retry_backoff=30,
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=60,
    soft_time_limit=60,
    time_limit=90,
)
def email_status(payload: dict) -> bool:
    """E-mail the member that their request ended, as their preferences say."""
    return notify.by_email(payload)
