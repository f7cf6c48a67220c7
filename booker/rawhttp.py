"""Raw HTTP/1.1 over pre-opened sockets: the fast path's transport.

At the release instant every microsecond spent in a client library is a
microsecond late, so the request bytes are built in advance and the TCP (and
TLS) connection is opened in advance; firing is one ``sendall``. Answers are
read by the standard library's HTTP parser (``http.client.HTTPResponse`` on
the same socket): status line, repeated headers, chunked or length-delimited
or close-delimited bodies. Anything that goes wrong on the wire (refused,
reset, TLS, a malformed answer, a timeout) is a ``TransportError``. Used by
the clock probes, the form replay and the door.
"""

from __future__ import annotations

import contextlib
import http.client
import selectors
import socket
import ssl
import time
from dataclasses import dataclass, field
from email.message import Message
from urllib.parse import urlencode, urlsplit

MAX_BODY = 2_000_000


class TransportError(Exception):
    """The connection failed or the answer was not HTTP.

    ``answered``: some of the answer had arrived (the server had the request
    and may have acted on it), as opposed to nothing at all.
    """

    def __init__(self, message: str, *, answered: bool = False):
        super().__init__(message)
        self.answered = answered


class _Answer(http.client.HTTPResponse):
    """``HTTPResponse`` that skips every interim 1xx answer (103 Early Hints...), not only 100."""

    def _read_status(self):
        while True:
            version, status, reason = super()._read_status()
            if not 100 <= status < 200 or status == 101:
                return version, status, reason
            while self.fp.readline(65537) not in (b"\r\n", b"\n", b""):
                pass  # the interim answer's headers


@dataclass
class Response:
    status: int
    headers: Message | dict  # a parsed answer's are case-insensitive, repeats kept
    body: bytes
    sent_ns: int  # wall clock just before sendall
    received_ns: int  # wall clock when the whole answer was read
    first_byte_ns: int = 0

    @property
    def text(self) -> str:
        charset = "utf-8"
        if isinstance(self.headers, Message):
            charset = self.headers.get_content_charset() or charset
        try:
            return self.body.decode(charset, errors="replace")
        except LookupError:  # a charset Python does not know
            return self.body.decode("utf-8", errors="replace")

    def header(self, name: str) -> str:
        return self.headers.get(name, "") or ""

    @property
    def charset(self) -> str | None:
        """The charset the ``Content-Type`` header names, if it names one."""
        if isinstance(self.headers, Message):
            return self.headers.get_content_charset()
        return None

    def header_all(self, name: str) -> list[str]:
        if isinstance(self.headers, Message):
            return list(self.headers.get_all(name) or [])
        value = self.header(name)
        return [value] if value else []


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
        self.method = "GET"
        self._got_bytes = False
        try:
            family, kind, proto, _, address = socket.getaddrinfo(
                target.host, target.port, type=socket.SOCK_STREAM
            )[0]
            raw = socket.socket(family, kind, proto)
        except OSError as exc:
            raise TransportError(f"cannot connect to {target.host}:{target.port}: {exc}") from exc
        raw.settimeout(timeout)
        started = time.perf_counter_ns()
        try:
            raw.connect(address)
        except OSError as exc:
            raw.close()
            raise TransportError(f"cannot connect to {target.host}:{target.port}: {exc}") from exc
        # One round trip (SYN, SYN-ACK): the network's share of any exchange, never the
        # server's work (the name lookup is left out). A proxy that answers the SYN
        # itself makes it shorter, never longer.
        self.connect_ns = time.perf_counter_ns() - started
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
        self.method = request[: request.find(b" ")].decode("latin-1") or "GET"
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
        except ssl.SSLError as exc:
            message = f"TLS error while reading the answer: {exc}"
            raise TransportError(message, answered=self._got_bytes) from exc
        except TimeoutError:
            message = f"no answer within {self.timeout:g} s"
            raise TransportError(message, answered=self._got_bytes) from None
        except (OSError, ValueError, http.client.HTTPException) as exc:
            message = f"bad or no answer ({type(exc).__name__}: {exc})"
            raise TransportError(message, answered=self._got_bytes) from exc
        finally:
            self.close()

    def exchange(self, request: bytes) -> Response:
        return self.read(self.send(request))

    def _read(self, sent_ns: int) -> Response:
        # The first byte's arrival, before the parser buffers anything (poll, not
        # select: a busy worker's descriptors may be numbered past 1024).
        with selectors.DefaultSelector() as waiting:
            waiting.register(self.sock, selectors.EVENT_READ)
            if not waiting.select(self.timeout):
                raise TimeoutError
        first = time.time_ns()
        answer = _Answer(self.sock, method=self.method)
        try:
            if isinstance(self.sock, ssl.SSLSocket):
                self._got_bytes = True  # a TLS record arrived (TLS sockets cannot peek)
            else:  # end of stream or a reset at once: the server dropped the request unread
                self._got_bytes = bool(self.sock.recv(1, socket.MSG_PEEK))
            answer.begin()
            self._got_bytes = True
            length = answer.length
            if length is not None and length > MAX_BODY:
                raise ValueError(f"answer of {length} bytes, more than {MAX_BODY}")
            body = answer.read(MAX_BODY + 1)
            if answer.length:  # Content-Length promised more than arrived before the close
                raise http.client.IncompleteRead(body, answer.length)
        finally:
            answer.close()
        if len(body) > MAX_BODY:
            raise ValueError(f"answer larger than {MAX_BODY} bytes")
        return Response(answer.status, answer.msg, body, sent_ns, time.time_ns(), first)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()


def request(target: Target, raw: bytes, timeout: float = 10.0) -> Response:
    """Open, send, read: for requests that are not timing-critical."""
    return Connection(target, timeout).exchange(raw)
