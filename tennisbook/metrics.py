"""``/metrics`` for Prometheus: this process, or every process of the host.

With ``PROMETHEUS_MULTIPROC_DIR`` set (``make run`` sets it for every
process), the samples of the web server, the workers and beat are added up;
otherwise this process's registry is served. Answered to loopback callers,
and to any caller presenting ``METRICS_TOKEN`` as a bearer token. Loopback is
judged on the client address every limit uses (``client_ip``, honouring
``CLIENT_IP_META_KEY``): behind a proxy on this host ``REMOTE_ADDR`` is the
proxy's loopback address for every client of the internet.
"""

from __future__ import annotations

import hmac
import ipaddress
import os

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

import booker.metrics  # noqa: F401 - registers the pipeline's metrics in this process
from tennisbook.api.ratelimit import client_ip


def is_loopback(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:  # "unknown", a Unix socket's empty address
        return False
    mapped = getattr(ip, "ipv4_mapped", None)  # ::ffff:127.0.0.1 on a dual-stack socket
    return (mapped or ip).is_loopback


def _has_token(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    if not token:
        return False
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    return hmac.compare_digest(given.encode(), token.encode())


def _allowed(request: HttpRequest) -> bool:
    return is_loopback(client_ip(request)) or _has_token(request)


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
