"""The live socket on the real stack: daphne, Redis, a booking worker and the demo portal.

An API client connects with its token, watches its request, and receives
the attempt's steps in order as the worker takes them, then the status
change on its own stream; a second connection resumes from an old id and
gets exactly what it missed. ``/metrics`` counts the sockets; a socket
from another site's page is closed with 4403.
"""

from __future__ import annotations

import json
import struct
import time

import pytest
import requests
import websocket

from realtime.broadcast import request_stream
from tests.integration.booking_stack import booking_stack  # noqa: F401

pytestmark = [pytest.mark.integration, pytest.mark.browser]


def open_socket(club, origin: str | None = None) -> websocket.WebSocket:
    url = club.site.replace("http://", "ws://") + "/ws/live/"
    headers = [f"Authorization: {club.member.headers['Authorization']}"]
    socket = websocket.create_connection(
        url, header=headers, origin=origin, suppress_origin=origin is None, timeout=30
    )
    return socket


def receive(socket) -> dict:
    return json.loads(socket.recv())


def events_until(club, socket, done, timeout: float) -> list[dict]:
    got, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        socket.settimeout(max(0.1, deadline - time.monotonic()))
        text = socket.recv()
        if not text:
            pytest.fail(f"the socket closed after {got}\n{club.tail()}")
        message = json.loads(text)
        got.append(message)
        if done(message):
            return got
    pytest.fail(f"not done within {timeout:.0f} s; got {got}\n{club.tail()}")


def test_a_watched_booking_arrives_step_by_step_then_as_a_status(booking_stack):  # noqa: F811
    club = booking_stack()
    release = club.schedule_release(seconds_ahead=14)
    created = club.create_request(release)
    request_id = created["request_id"]
    socket = open_socket(club)
    hello = receive(socket)
    own = next(iter(hello["streams"]))
    assert hello["type"] == "hello"
    assert own.startswith("user:")
    stream = request_stream(request_id)
    socket.send(json.dumps({"type": "watch", "stream": stream, "after": 0}))

    def finished(message):
        return (
            message.get("kind") == "booking.status"
            and message["data"]["status"]
            in (
                "completed",
                "failed",
            )
            and message["stream"] == stream
        )

    got = events_until(club, socket, finished, timeout=90)
    done = club.wait_for_status(request_id, {"completed", "failed"}, timeout=30)
    assert done["status"] == "completed", club.describe(request_id, release)
    events = [m for m in got if m["type"] == "event"]
    on_request = [m for m in events if m["stream"] == stream]
    assert [m["id"] for m in on_request] == list(range(1, len(on_request) + 1))
    steps = [m["data"]["step"] for m in on_request if m["kind"] == "booking.step"]
    wanted = [
        "attempt",
        "login",
        "form",
        "clock_sync",
        "wait",
        "submit",
        "reply",
        "verify",
        "finished",
    ]
    # Each step in the order an attempt meets them (a form step comes once per path).
    assert list(dict.fromkeys(s for s in steps if s in wanted)) == wanted, steps
    by_step = {m["data"]["step"]: m["data"] for m in on_request if m["kind"] == "booking.step"}
    assert by_step["submit"]["ms_after_release"] >= 0
    assert "±" in by_step["clock_sync"]["detail"]
    assert by_step["finished"]["label"] == "Booked"
    statuses = [m["data"]["status"] for m in events if m["stream"] == own]
    assert statuses[-1] == "completed", got
    socket.close()

    # A page that saw only the first event of its stream gets the rest, in order.
    again = open_socket(club)
    receive(again)
    again.send(json.dumps({"type": "watch", "stream": stream, "after": 1}))
    replayed = events_until(club, again, lambda m: m.get("type") == "watching", timeout=10)
    assert [m["id"] for m in replayed[:-1]] == [m["id"] for m in on_request[1:]]
    metrics = requests.get(f"{club.site}/metrics", timeout=10).text
    assert "tennisbook_live_sockets" in metrics
    assert 'tennisbook_live_connects_total{outcome="accepted"}' in metrics
    again.close()

    # A page of another site may not ride the member's credentials.
    socket = open_socket(club, origin="http://evil.example")
    frame = socket.recv_frame()  # accepted, then closed before a word was sent
    assert frame.opcode == websocket.ABNF.OPCODE_CLOSE
    assert struct.unpack("!H", frame.data[:2])[0] == 4403
    socket.close()
