"""The WSGI application: routing plus what every member request goes through.

Member requests (web pages and the HTTP door) get the configured latency and
injected 500s (``error_mode``: before an attempt is decided, or after it
booked); control requests never do. Every response carries a ``Date``
header from the portal's clock, the only public view of it (PORTAL.md).
"""

from __future__ import annotations

import logging
import random
import time
from wsgiref.handlers import format_date_time

from democlub import door, pages, web
from democlub.booking import INJECT_500
from democlub.control import PREFIX, ControlApi
from democlub.portal import Portal
from democlub.wsgi import Request, Response, html, not_found

log = logging.getLogger(__name__)

_KNOWN_PATHS = {path for _, path in web.ROUTES} | {door.PATH}


class PortalApp:
    """``PortalApp(portal, control)(environ, start_response)``."""

    def __init__(self, portal: Portal, control: ControlApi):
        self.portal = portal
        self.control = control
        # Not for security: a reproducible-enough source for latency jitter and 500s.
        self._random = random.Random()

    def __call__(self, environ, start_response):
        # The server stamps the receive time as the request line arrives; stamp
        # here when the app is run by another server (tests, other WSGI hosts).
        environ.setdefault("democlub.received_ns", self.portal.now_ns())
        request = Request(environ)
        try:
            if request.path == PREFIX or request.path.startswith(PREFIX + "/"):
                response = self.control(request)
            else:
                response = self._member(request)
        except Exception:
            log.exception("unhandled error on %s %s", request.method, request.path)
            response = html(pages.SERVER_ERROR, 500)
        body = response.encoded()
        headers = [
            ("Content-Type", response.content_type),
            ("Content-Length", str(len(body))),
            ("Date", format_date_time(self.portal.now_ns() / 1e9)),
            ("Cache-Control", "no-store"),
            *response.headers,
        ]
        start_response(response.status_line(), headers)
        return [body]

    def _member(self, request: Request) -> Response:
        settings = self.portal.settings
        delay_ms = settings.latency_ms
        if settings.latency_jitter_ms:
            delay_ms += self._random.uniform(0, settings.latency_jitter_ms)
        if delay_ms > 0:
            time.sleep(delay_ms / 1000)
        inject = settings.error_rate > 0 and self._random.random() < settings.error_rate
        if request.path == door.PATH:
            handler = door.poster
            attempt_route = request.params().get("app_action") == "add_reservation"
        else:
            handler = web.ROUTES.get((request.method, request.path))
            attempt_route = request.path in web.ATTEMPT_ROUTES
        if handler is None:
            if request.path in _KNOWN_PATHS:
                return Response("<h1>405 Method Not Allowed</h1>", 405)
            return not_found()
        if inject and attempt_route:
            # Attempt routes log the attempt themselves, then answer 500 (see INJECT_500).
            request.environ[INJECT_500] = settings.error_mode
        elif inject and settings.error_mode == "before":
            return html(pages.SERVER_ERROR, 500)
        return handler(self.portal, request)
