"""The grid's URL map, its attempt route and its static files.

Static files (``/static/grid.css``, ``/static/grid.js``, ``/favicon.ico``)
are answered by ``static`` before the app adds latency or faults: a real
deployment serves them from the front web server, while the pages pay for
the application's work.
"""

from __future__ import annotations

from importlib import resources

from democlub.grid import book, views
from democlub.wsgi import Request, Response

ROUTES = {
    ("GET", "/"): views.home,
    ("GET", "/login"): views.login_page,
    ("POST", "/login"): views.login,
    ("GET", "/logout"): views.logout,
    ("GET", "/day"): views.day_view,
    ("GET", "/book"): book.book_form,
    ("POST", "/book"): book.book,
    ("GET", "/bookings"): views.bookings_page,
    ("GET", "/bookings.json"): views.bookings_json,
    ("POST", "/cancel"): views.cancel,
}

_STATIC_DIR = resources.files("democlub") / "static" / "grid"
_STATIC = {
    "/static/grid.css": ("grid.css", "text/css; charset=utf-8"),
    "/static/grid.js": ("grid.js", "text/javascript; charset=utf-8"),
}
_CACHE = ("Cache-Control", "public, max-age=3600")


def is_attempt(request: Request) -> bool:
    """Whether the request logs a booking attempt itself (so a 500 is decided inside)."""
    return request.method == "POST" and request.path == "/book"


def static(request: Request) -> Response | None:
    """The static file the request asks for, or None (a dynamic route)."""
    if request.method != "GET":
        return None
    if request.path == "/favicon.ico":
        return Response(b"", 204, "image/x-icon", [_CACHE])
    known = _STATIC.get(request.path)
    if known is None:
        return None
    name, content_type = known
    return Response(_read(name), 200, content_type, [_CACHE])


_FILES: dict[str, bytes] = {}


def _read(name: str) -> bytes:
    # Read once: the files are package data and do not change while we run.
    if name not in _FILES:
        _FILES[name] = (_STATIC_DIR / name).read_bytes()
    return _FILES[name]
