"""Liveness and readiness.

``/healthz`` says the process answers. ``/readyz`` checks what a request
needs, DynamoDB (the tables exist), Redis and the Django database, each with
a short timeout, and answers 503 naming what is down and what to do.
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


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    checks = run_checks()
    down = [name for name, result in checks.items() if not result["ok"]]
    body = {"status": "ready" if not down else "unavailable", "checks": checks}
    if down:
        body["down"] = down
    return JsonResponse(body, status=503 if down else 200)
