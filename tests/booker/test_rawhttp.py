"""The raw HTTP transport against loopback servers that misbehave."""

from __future__ import annotations

import socket
import threading

import pytest

from booker.rawhttp import Connection, Target, TransportError


class LoopbackServer:
    """Accepts one TCP client, answers it with ``reply`` (plain bytes, no TLS).

    ``client_closed`` is set when the client closes its socket (the server
    reads end-of-stream or a reset); a leaked socket leaves it unset.
    """

    def __init__(self, reply: bytes):
        self.reply = reply
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.client_closed = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        peer, _ = self.listener.accept()
        with peer:
            peer.settimeout(5)
            if self.reply:
                peer.sendall(self.reply)
            try:
                while peer.recv(65536):
                    pass  # the TLS client's hello (and alerts), until it closes
            except TimeoutError:
                return  # still open after 5 s: leaked
            except OSError:
                pass  # reset: closed with our bytes unread
            self.client_closed.set()

    def close(self) -> None:
        self.listener.close()
        self._thread.join(timeout=6)


@pytest.fixture
def plain_server(request):
    server = LoopbackServer(request.param)
    yield server
    server.close()


@pytest.mark.parametrize(
    "plain_server",
    [b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", b"\x00garbage\xff" * 20],
    indirect=True,
    ids=["plain-http", "garbage"],
)
def test_a_tls_handshake_with_a_plain_server_is_a_transport_error_and_closes_the_socket(
    plain_server,
):
    target = Target.of(f"https://127.0.0.1:{plain_server.port}/")
    with pytest.raises(TransportError, match="TLS"):
        Connection(target, timeout=2.0)
    # Still inside the test, the failed call's frames are alive: the socket is
    # closed only if the transport closed it itself.
    assert plain_server.client_closed.wait(3), "the TLS client's socket was left open"


@pytest.mark.parametrize("plain_server", [b""], indirect=True, ids=["silent"])
def test_a_tls_handshake_that_times_out_is_a_transport_error_and_closes_the_socket(
    plain_server,
):
    target = Target.of(f"https://127.0.0.1:{plain_server.port}/")
    with pytest.raises(TransportError, match="TLS"):
        Connection(target, timeout=0.3)
    assert plain_server.client_closed.wait(3), "the TLS client's socket was left open"


def _answer(raw: bytes, request: bytes = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"):
    server = LoopbackServer(raw)
    try:
        return Connection(Target("http", "127.0.0.1", server.port, "x")).exchange(request)
    finally:
        server.close()


def test_a_chunked_answer_with_repeated_headers_is_read_by_the_standard_parser():
    answer = _answer(
        b"HTTP/1.1 302 Found\r\nLocation: /day\r\nSet-Cookie: a=1; Path=/\r\n"
        b"Set-Cookie: b=2; Path=/\r\nTransfer-Encoding: chunked\r\n"
        b"Content-Type: text/html; charset=utf-8\r\n\r\n"
        b"5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\n\r\n"
    )
    assert answer.status == 302
    assert answer.header("LOCATION") == "/day"
    assert answer.header_all("set-cookie") == ["a=1; Path=/", "b=2; Path=/"]
    assert answer.text == "hello, world"
    assert answer.first_byte_ns >= answer.sent_ns


def test_a_head_answer_has_no_body_whatever_its_length_says():
    answer = _answer(
        b"HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n", b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n"
    )
    assert (answer.status, answer.body) == (200, b"")


def test_a_body_cut_short_is_a_transport_error_naming_it():
    with pytest.raises(TransportError, match="IncompleteRead"):
        _answer(b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nonly this")


def test_a_close_delimited_body_is_read_to_the_end():
    answer = _answer(b"HTTP/1.0 200 OK\r\n\r\nuntil the server closes")
    assert answer.text == "until the server closes"


def test_a_connection_times_its_tcp_connect():
    server = LoopbackServer(b"HTTP/1.1 204 No Content\r\n\r\n")
    try:
        conn = Connection(Target("http", "127.0.0.1", server.port, "x"))
        assert 0 < conn.connect_ns < 1_000_000_000
        conn.close()
    finally:
        server.close()


def test_interim_answers_are_skipped_to_the_final_one():
    answer = _answer(
        b"HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n"
        b"HTTP/1.1 302 Found\r\nLocation: /day\r\nContent-Length: 0\r\n\r\n"
    )
    assert (answer.status, answer.header("location")) == (302, "/day")


class CountingServer:
    """Counts the requests it reads; answers each with ``reply`` then closes."""

    def __init__(self, reply: bytes):
        self.reply, self.requests = reply, 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.listener.settimeout(3)
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                peer, _ = self.listener.accept()
            except OSError:
                return
            with peer:
                peer.settimeout(2)
                try:
                    if peer.recv(65536):
                        self.requests += 1
                        peer.sendall(self.reply)
                except OSError:
                    pass

    def close(self) -> None:
        self.listener.close()
        self._thread.join(timeout=5)


def test_a_broken_answer_is_never_sent_again_even_on_an_idle_connection(monkeypatch):
    from booker.submit import WarmPool, exchange

    server = CountingServer(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
    try:
        pool = WarmPool(Target("http", "127.0.0.1", server.port, "x"), size=1)
        pool.warm()
        pool._ready[0].opened_ns -= 5_000_000_000  # idle for 5 s: the stale-socket case
        with pytest.raises(TransportError) as caught:
            exchange(pool, b"POST /book HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        assert caught.value.answered
        assert server.requests == 1  # the server may have booked: one POST only
    finally:
        server.close()
