"""Tiny request/response helpers over raw WSGI (no framework on purpose)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

MAX_BODY = 1_000_000

_REASONS = {
    200: "OK",
    204: "No Content",
    302: "Found",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    500: "Internal Server Error",
}


class Request:
    """The parts of a WSGI environ the portal reads."""

    def __init__(self, environ: dict[str, Any]):
        self.environ = environ
        self.method = environ.get("REQUEST_METHOD", "GET").upper()
        self.path = environ.get("PATH_INFO", "/") or "/"
        self.query = _flat(parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True))
        self.remote_addr = environ.get("REMOTE_ADDR", "")
        self._body: bytes | None = None

    @property
    def received_ns(self) -> int:
        return self.environ["democlub.received_ns"]

    def body(self) -> bytes:
        if self._body is None:
            try:
                length = int(self.environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            self._body = self.environ["wsgi.input"].read(min(length, MAX_BODY)) if length else b""
        return self._body

    def form(self) -> dict[str, str]:
        """POSTed urlencoded fields (first value of each)."""
        text = self.body().decode("utf-8", errors="replace")
        return _flat(parse_qs(text, keep_blank_values=True))

    def params(self) -> dict[str, str]:
        """Query string and form body together (the body wins), as PHP's $_REQUEST."""
        return {**self.query, **(self.form() if self.method == "POST" else {})}

    def json(self) -> Any:
        """The JSON body; raises ``ValueError`` when it is not JSON."""
        raw = self.body()
        return json.loads(raw.decode("utf-8")) if raw.strip() else {}

    def cookie(self, name: str) -> str | None:
        jar = SimpleCookie()
        try:
            jar.load(self.environ.get("HTTP_COOKIE", ""))
        except Exception:  # a malformed Cookie header is just "no cookie"
            return None
        morsel = jar.get(name)
        return morsel.value if morsel else None

    def header(self, name: str) -> str:
        return self.environ.get("HTTP_" + name.upper().replace("-", "_"), "")


def _flat(values: dict[str, list[str]]) -> dict[str, str]:
    return {key: items[0] for key, items in values.items()}


@dataclass
class Response:
    """Status, headers and a body, rendered by ``__call__`` for WSGI."""

    body: bytes | str = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)

    def status_line(self) -> str:
        return f"{self.status} {_REASONS.get(self.status, 'Unknown')}"

    def encoded(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


def html(body: str, status: int = 200) -> Response:
    return Response(body, status)


def json_response(data: Any, status: int = 200) -> Response:
    text = json.dumps(data, ensure_ascii=False, indent=None, default=str)
    return Response(text, status, "application/json; charset=utf-8")


def redirect(location: str, headers: list[tuple[str, str]] | None = None) -> Response:
    return Response(
        b"", 302, "text/html; charset=utf-8", [("Location", location), *(headers or [])]
    )


def not_found() -> Response:
    return Response("<h1>404 Not Found</h1>", 404)
