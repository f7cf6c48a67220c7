"""Liveness and readiness.

``/healthz`` says the process answers. ``/readyz`` checks what a request
needs, DynamoDB (the tables exist), the clubs' data (in its per-club form,
``migrate_clubs`` has run), Redis and the Django database, each with
a short timeout, and this host's outbox of results waiting for DynamoDB; it
answers 503 naming what is down and what to do. It never answers 500: a
check that raises is a check that failed, named with its error.

``degraded`` means DynamoDB is the problem (down, or just back with booking
results still waiting in this host's outbox): attempts already under way
go on and their results are written when DynamoDB answers.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import redis
import structlog
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from tennisbook.dynamo.tables import missing_tables

log = structlog.get_logger(__name__)


def check_database() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return None


def check_redis() -> str | None:
    client = redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1, retry_on_timeout=False
    )
    try:
        client.ping()
    finally:
        client.close()
    return None


def check_dynamodb() -> str | None:
    missing = missing_tables()
    if missing:
        return f"missing tables {', '.join(missing)}: run `python manage.py create_tables`"
    return None


def check_clubs_migrated() -> str | None:
    """A deployment upgraded from one club must move its data to the default club first.

    Its own check, not part of ``dynamodb``'s: DynamoDB answers, so this is
    not the "degraded" of an outage that results wait out, but a step an
    operator must take before anything is served ("unavailable").
    """
    from configs.club_migration import pending_reason

    reason = pending_reason(cached=False)
    if reason is not None:
        return (
            f"{reason}: stop the workers and run `python manage.py migrate_clubs` "
            "(docs/operations.md)"
        )
    return None


CHECKS: dict[str, Callable[[], str | None]] = {
    "database": check_database,
    "redis": check_redis,
    "dynamodb": check_dynamodb,
    "clubs": check_clubs_migrated,
}


def _measure(call: Callable[[], Any]) -> tuple[Any, dict]:
    """``call()``'s value and its check result: ok, milliseconds, the error if it raised."""
    started = time.perf_counter()
    try:
        value, problem = call(), None
    except Exception as exc:
        value, problem = None, str(exc) or type(exc).__name__
    result: dict[str, Any] = {"ok": problem is None}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    if problem:
        result["error"] = problem
    return value, result


def run_checks() -> dict[str, dict]:
    results = {}
    for name, check in CHECKS.items():
        if name == "clubs" and not results.get("dynamodb", {}).get("ok", True):
            # Unreadable while DynamoDB is down: not a second failure to report.
            results[name] = {"ok": True, "ms": 0.0, "skipped": "dynamodb is down"}
            continue
        problem, results[name] = _measure(check)
        if problem:
            results[name].update(ok=False, error=problem)
    return results


def outbox_depth() -> int:
    """Results waiting in this host's outbox; raises naming the file if unreadable."""
    from booker import outbox

    try:
        return outbox.depth()
    except Exception as exc:
        raise RuntimeError(f"cannot read {settings.BOOKER_OUTBOX_PATH}: {exc}") from exc


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def readiness() -> tuple[dict, int]:
    """The readiness body and HTTP status."""
    checks = run_checks()
    waiting, checks["outbox"] = _measure(outbox_depth)
    down = [name for name, result in checks.items() if not result["ok"]]
    if down == ["dynamodb"] or (not down and waiting):
        status = "degraded"
    else:
        status = "unavailable" if down else "ready"
    body = {"status": status, "checks": checks, "outbox_waiting": waiting}
    if down:
        body["down"] = down
    return body, 503 if down else 200


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    try:
        body, status = readiness()
    except Exception as exc:
        # The checks catch their own failures; this is a bug in the code around
        # them. Still "not ready" with the reason, never Django's 500 page.
        log.exception("readyz.failed")
        error = str(exc) or type(exc).__name__
        body, status = {"status": "unavailable", "down": ["readiness"], "error": error}, 503
    return JsonResponse(body, status=status)
