"""A threaded wsgiref server that stamps each request's receive time early.

The receive time (portal clock, ``time.time_ns()`` based) is taken as soon
as the request line has been read, before headers are parsed and before any
injected latency, so the attempt log measures arrival, not processing.
"""

from __future__ import annotations

import logging
import socket
import socketserver
from collections.abc import Callable
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

log = logging.getLogger(__name__)


class _Handler(WSGIRequestHandler):
    def parse_request(self) -> bool:
        self.received_ns = self.server.clock_ns()
        return super().parse_request()

    def get_environ(self) -> dict:
        environ = super().get_environ()
        environ["democlub.received_ns"] = self.received_ns
        return environ

    def log_message(self, format: str, *args) -> None:
        log.debug("%s %s", self.address_string(), format % args)


class ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    """One daemon thread per connection; a deep backlog for release-instant bursts."""

    daemon_threads = True
    request_queue_size = 128
    clock_ns: Callable[[], int]


def make_server(host: str, port: int, app, clock_ns: Callable[[], int]) -> ThreadingServer:
    """Bind (port 0 picks a free port) and return the server, not yet serving."""
    server_class = ThreadingServer
    if ":" in host:
        server_class = type(
            "ThreadingServer6", (ThreadingServer,), {"address_family": socket.AF_INET6}
        )
    server = server_class((host, port), _Handler)
    server.clock_ns = clock_ns
    server.set_app(app)
    return server
