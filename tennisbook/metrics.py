"""``/metrics`` for Prometheus: this process, or every process of the host.

With ``PROMETHEUS_MULTIPROC_DIR`` set (``make run`` sets it for every
process), the samples of the web server, the workers and beat are added up;
otherwise this process's registry is served. Answered to loopback callers,
or to callers presenting ``METRICS_TOKEN`` as a bearer token.
"""

from __future__ import annotations

import hmac
import os

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

import booker.metrics  # noqa: F401 - registers the pipeline's metrics in this process

_LOOPBACK = {"127.0.0.1", "::1"}


def _allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        return hmac.compare_digest(given, token)
    return request.META.get("REMOTE_ADDR") in _LOOPBACK


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        return HttpResponse("metrics are served to loopback or with METRICS_TOKEN\n", status=403)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
