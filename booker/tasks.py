"""Celery tasks of the booking processor: thin, id-taking, idempotent."""

from __future__ import annotations

from celery import shared_task

from . import dispatch, processor

# A batch waits for its release (at most the lead time plus the sweep
# margin), fires, retries within the window and verifies.
_BATCH_SOFT_LIMIT = 600


@shared_task(ignore_result=True, soft_time_limit=60, time_limit=90)
def sweep_due() -> int:
    """Beat: hand due requests to the booking queue."""
    return dispatch.sweep(lambda keys: book_batch.apply_async(args=[keys]))


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=_BATCH_SOFT_LIMIT,
    time_limit=_BATCH_SOFT_LIMIT + 60,
    ignore_result=True,
)
def book_batch(keys: list[list[str]]) -> dict[str, str]:
    """Book requests sharing a release instant. Safe to run twice: leases decide."""
    return processor.run_batch([(request_id, user_id) for request_id, user_id in keys])


@shared_task(ignore_result=True, soft_time_limit=60, time_limit=90)
def flush_outbox() -> None:
    """Beat: write results kept while DynamoDB was unavailable."""
    processor.flush_outbox()
