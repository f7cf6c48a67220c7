"""The WSGI application: routing plus what every member request goes through.

Member requests (web pages and the condo's HTTP door) get the configured
latency and injected 500s (``error_mode``: before an attempt is decided, or
after it booked); control requests and the grid's static files never do.
Every response carries a ``Date`` header from the portal's clock, the only
public view of it (PORTAL.md). The kind of portal (``Settings.kind``) picks
its member side, a ``WebLayer``.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from wsgiref.handlers import format_date_time

from democlub import door, pages, web
from democlub.booking import INJECT_500
from democlub.control import PREFIX, ControlApi
from democlub.grid import pages as grid_pages
from democlub.grid import routes as grid_routes
from democlub.portal import Portal
from democlub.wsgi import Request, Response, html, not_found

log = logging.getLogger(__name__)

Handler = Callable[[Portal, Request], Response]


@dataclass(frozen=True)
class WebLayer:
    """What the app needs to know of one kind's member side."""

    handler: Callable[[Request], Handler | None]  # None: no route (404, or 405 if known path)
    known_paths: frozenset[str]
    is_attempt: Callable[[Request], bool]  # routes that log an attempt (and decide a 500) inside
    static: Callable[[Request], Response | None]  # answered at once: no latency, no faults
    server_error: str


def _condo_handler(request: Request) -> Handler | None:
    if request.path == door.PATH:
        return door.poster
    return web.ROUTES.get((request.method, request.path))


def _condo_attempt(request: Request) -> bool:
    if request.path == door.PATH:
        return request.params().get("app_action") == "add_reservation"
    return request.path in web.ATTEMPT_ROUTES


LAYERS = {
    "condo": WebLayer(
        handler=_condo_handler,
        known_paths=frozenset({path for _, path in web.ROUTES} | {door.PATH}),
        is_attempt=_condo_attempt,
        static=lambda request: None,
        server_error=pages.SERVER_ERROR,
    ),
    "grid": WebLayer(
        handler=lambda request: grid_routes.ROUTES.get((request.method, request.path)),
        known_paths=frozenset(path for _, path in grid_routes.ROUTES),
        is_attempt=grid_routes.is_attempt,
        static=grid_routes.static,
        server_error=grid_pages.SERVER_ERROR,
    ),
}


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
        layer = LAYERS[self.portal.settings.kind]
        try:
            if request.path == PREFIX or request.path.startswith(PREFIX + "/"):
                response = self.control(request)
            else:
                response = layer.static(request) or self._member(layer, request)
        except Exception:
            log.exception("unhandled error on %s %s", request.method, request.path)
            response = html(layer.server_error, 500)
        body = response.encoded()
        cache = [] if any(k == "Cache-Control" for k, _ in response.headers) else ["no-store"]
        headers = [
            ("Content-Type", response.content_type),
            ("Content-Length", str(len(body))),
            ("Date", format_date_time(self.portal.now_ns() / 1e9)),
            *(("Cache-Control", value) for value in cache),
            *response.headers,
        ]
        start_response(response.status_line(), headers)
        return [body]

    def _member(self, layer: WebLayer, request: Request) -> Response:
        settings = self.portal.settings
        delay_ms = settings.latency_ms
        if settings.latency_jitter_ms:
            delay_ms += self._random.uniform(0, settings.latency_jitter_ms)
        if delay_ms > 0:
            time.sleep(delay_ms / 1000)
        inject = settings.error_rate > 0 and self._random.random() < settings.error_rate
        handler = layer.handler(request)
        if handler is None:
            if request.path in layer.known_paths:
                return Response("<h1>405 Method Not Allowed</h1>", 405)
            return not_found()
        if inject and layer.is_attempt(request):
            # Attempt routes log the attempt themselves, then answer 500 (see INJECT_500).
            request.environ[INJECT_500] = settings.error_mode
        elif inject and settings.error_mode == "before":
            return html(layer.server_error, 500)
        return handler(self.portal, request)
