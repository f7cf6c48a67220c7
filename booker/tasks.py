"""Celery tasks of the booking processor: thin, id-taking, idempotent."""

from __future__ import annotations

from celery import shared_task

from . import dispatch, login_check, preflight, processor

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


@shared_task(
    acks_late=False,
    soft_time_limit=login_check.SOFT_LIMIT_S,
    time_limit=login_check.HARD_LIMIT_S,
    ignore_result=True,
)
def check_login(check_id: str, user_id: str, club: str, actor: str) -> str:
    """A member's "Test my login": log in to the club's portal, book nothing, store the outcome.

    On the default queue. Acknowledged on receipt: a check lost with its
    worker is not run again (the member asked seconds ago; ``read`` reports
    it failed once the hard limit has passed).
    """
    check = login_check.run(check_id, user_id, club, actor=actor)
    return check.state if check else "superseded"


@shared_task(ignore_result=True, soft_time_limit=60, time_limit=90)
def sweep_preflights() -> int:
    """Beat: start the pre-flight checks that are due (``booker.preflight``)."""
    if not preflight.enabled():
        return 0
    return preflight.sweep(lambda check_id: run_preflight.apply_async(args=[check_id]))


@shared_task(
    acks_late=False,
    soft_time_limit=preflight.SOFT_LIMIT_S,
    time_limit=preflight.HARD_LIMIT_S,
    ignore_result=True,
)
def run_preflight(check_id: int) -> str | None:
    """One pre-flight check, on the default queue. Acknowledged on receipt: one lost with
    its worker stays "running" on the request, and the release goes ahead regardless."""
    check = preflight.run(check_id)
    return check.state if check is not None else None
