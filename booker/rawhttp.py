"""Raw HTTP/1.1 over pre-opened sockets: the fast path's transport.

At the release instant every microsecond spent in a client library is a
microsecond late, so the request bytes are built in advance and the TCP (and
TLS) connection is opened in advance; firing is one ``sendall``. Answers are
read with ``Connection: close`` semantics (or Content-Length), which is all
the portal needs. Used by the clock probes, the form replay and the door.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

MAX_BODY = 2_000_000


class TransportError(Exception):
    """The connection failed or the answer was not HTTP."""


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    sent_ns: int  # wall clock just before sendall
    received_ns: int  # wall clock when the whole answer was read
    first_byte_ns: int = 0

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


@dataclass
class Target:
    """Where requests go: scheme, host, port and the Host header."""

    scheme: str
    host: str
    port: int
    host_header: str = field(default="")

    @classmethod
    def of(cls, url: str) -> Target:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise TransportError(f"not an http(s) URL: {url!r}")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        return cls(parts.scheme, parts.hostname, port, parts.netloc)


def build_request(
    target: Target,
    method: str,
    path: str,
    *,
    form: dict[str, str] | None = None,
    cookies: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> bytes:
    """The request's bytes, ready to send (a urlencoded body when ``form``)."""
    body = urlencode(form).encode() if form is not None else b""
    lines = [
        f"{method} {path} HTTP/1.1",
        f"Host: {target.host_header}",
        "User-Agent: Mozilla/5.0 (X11; Linux x86_64) tennisbook",
        "Accept: */*",
        "Connection: close",
    ]
    if cookies:
        lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items()))
    if form is not None:
        lines.append("Content-Type: application/x-www-form-urlencoded")
        lines.append(f"Content-Length: {len(body)}")
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class Connection:
    """One pre-opened connection, good for exactly one request."""

    def __init__(self, target: Target, timeout: float = 10.0):
        self.target = target
        self.timeout = timeout
        try:
            raw = socket.create_connection((target.host, target.port), timeout=timeout)
        except OSError as exc:
            raise TransportError(f"cannot connect to {target.host}:{target.port}: {exc}") from exc
        try:
            raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if target.scheme == "https":
                context = ssl.create_default_context()
                raw = context.wrap_socket(raw, server_hostname=target.host)
        except OSError as exc:  # ssl.SSLError and a handshake timeout are OSErrors too
            raw.close()
            what = "TLS handshake" if target.scheme == "https" else "socket setup"
            raise TransportError(f"{what} with {target.host}:{target.port} failed: {exc}") from exc
        self.sock = raw
        self.opened_ns = time.time_ns()

    def send(self, request: bytes) -> int:
        """Send now; returns the wall-clock instant just before sending."""
        sent = time.time_ns()
        try:
            self.sock.sendall(request)
        except OSError as exc:
            self.close()
            raise TransportError(f"send failed: {exc}") from exc
        return sent

    def read(self, sent_ns: int) -> Response:
        try:
            return self._read(sent_ns)
        except (OSError, ValueError) as exc:
            raise TransportError(f"bad or no answer: {exc}") from exc
        finally:
            self.close()

    def exchange(self, request: bytes) -> Response:
        return self.read(self.send(request))

    def _read(self, sent_ns: int) -> Response:
        buffer = b""
        first = 0
        while b"\r\n\r\n" not in buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ValueError("connection closed before the headers")
            first = first or time.time_ns()
            buffer += chunk
            if len(buffer) > 65536 * 4:
                raise ValueError("headers too long")
        head, _, body = buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = headers.get("content-length")
        while (length is None or len(body) < int(length)) and len(body) < MAX_BODY:
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            body += chunk
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = _dechunk(body)
        return Response(status, headers, body, sent_ns, time.time_ns(), first)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()


def _dechunk(data: bytes) -> bytes:
    out, rest = b"", data
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out, rest = out + rest[:size], rest[size + 2 :]
    return out


def request(target: Target, raw: bytes, timeout: float = 10.0) -> Response:
    """Open, send, read: for requests that are not timing-critical."""
    return Connection(target, timeout).exchange(raw)
