"""Liveness and readiness.

``/healthz`` says the process answers. ``/readyz`` checks what a request
needs, DynamoDB (the tables exist), Redis and the Django database, each with
a short timeout, and answers 503 naming what is down and what to do.

``degraded`` means DynamoDB is the problem (down, or just back with booking
results still waiting in this host's outbox): attempts already under way
go on and their results are written when DynamoDB answers.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from tennisbook.dynamo.tables import missing_tables


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


CHECKS: dict[str, Callable[[], str | None]] = {
    "database": check_database,
    "redis": check_redis,
    "dynamodb": check_dynamodb,
}


def run_checks() -> dict[str, dict]:
    results = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            problem = check()
        except Exception as exc:
            problem = str(exc) or type(exc).__name__
        elapsed = round((time.perf_counter() - started) * 1000, 1)
        results[name] = {"ok": problem is None, "ms": elapsed}
        if problem:
            results[name]["error"] = problem
    return results


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def readiness() -> tuple[dict, int]:
    """The readiness body and HTTP status."""
    from booker import outbox

    checks = run_checks()
    down = [name for name, result in checks.items() if not result["ok"]]
    waiting = outbox.depth()
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
    body, status = readiness()
    return JsonResponse(body, status=status)
