"""Request-scoped context for logs."""

from __future__ import annotations

import re
import uuid

import structlog

# A caller-supplied id is kept only if it looks like one: it ends up in logs.
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Bind a request id to every log line of the request and echo it back.

    A load balancer's ``X-Request-ID`` is reused when it is well formed, so a
    request can be followed from the edge to the worker.
    """

    header = "X-Request-ID"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(self.header, "")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        try:
            response = self.get_response(request)
        finally:
            structlog.contextvars.unbind_contextvars("request_id")
        response[self.header] = request_id
        return response
