"""Publishing live events: number them, keep them, send them to a group.

A stream (``user:<id>``, ``request:<id>``, ``template:<id>``) has an
increasing event id and a bounded log (docs/realtime.md). ``publish``
appends the event to the log and sends it to the stream's channel-layer
group in that order, so an event a socket can receive is always already in
the log: a consumer that sees a gap reads the log and never loses one.

The log is Redis in the running system (one Lua script numbers, stores and
trims atomically, whichever process publishes); ``REALTIME_LOG_BACKEND =
"memory"`` keeps it in this process for unit tests, as the in-memory
channel layer does for groups.

``publish`` raises when Redis or the channel layer fails (``RedisError``,
``OSError``) so a Celery task can retry; callers on a hot path catch.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import threading
import time
from collections import deque
from functools import cache
from typing import Any

import redis
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings

from . import metrics

GROUP_MESSAGE = "live.event"  # the consumer's handler: ``live_event``
STREAM_KINDS = ("user", "request", "template")
_STREAM = re.compile(r"^(user|request|template):[0-9A-Za-z-]{1,64}$")


class BadStream(ValueError):
    """A stream name that is not one of ours."""


def member_stream(user_id: object) -> str:
    return f"user:{user_id}"


def request_stream(request_id: object) -> str:
    return f"request:{request_id}"


def template_stream(template_id: object) -> str:
    return f"template:{template_id}"


def check_stream(stream: object) -> str:
    """``stream`` if it is a well-formed stream name; ``BadStream`` otherwise."""
    if not isinstance(stream, str) or not _STREAM.match(stream):
        raise BadStream(f"not a stream: {str(stream)[:80]!r}")
    return stream


def group_name(stream: str) -> str:
    """The channel-layer group of a stream (group names allow no colon)."""
    return check_stream(stream).replace(":", ".", 1)


def publish(stream: str, kind: str, data: dict[str, Any]) -> int:
    """Number, keep and send one event; returns its id in the stream."""
    event = event_log().append(check_stream(stream), kind, data)
    _group_send(group_name(stream), {"type": GROUP_MESSAGE, "event": event})
    metrics.EVENTS_PUBLISHED.labels(kind=kind).inc()
    return event["id"]


def _group_send(group: str, message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:  # called from async code (tests): asgiref hands it to a thread as before
        async_to_sync(layer.group_send)(group, message)
        return
    # From sync code (workers, views): a fresh event loop per call would also
    # mean a fresh Redis connection pool per event, ~7x the CPU of a send on
    # a loop that stays (bench/ws.py). One loop per process runs in a thread.
    future = asyncio.run_coroutine_threadsafe(layer.group_send(group, message), _sender_loop())
    try:
        future.result(timeout=SEND_TIMEOUT_S)
    except TimeoutError:
        future.cancel()  # nothing left running on the loop for a send given up
        raise


SEND_TIMEOUT_S = 5.0
_sender = {"pid": None, "loop": None}
_sender_lock = threading.Lock()


def _sender_loop() -> asyncio.AbstractEventLoop:
    """This process's sending loop, started on first use (and again in a forked child)."""
    with _sender_lock:
        if _sender["pid"] != os.getpid() or _sender["loop"] is None:
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="live-sender", daemon=True).start()
            _sender.update(pid=os.getpid(), loop=loop)
        return _sender["loop"]


def end_session(user_id: object, session_key: str) -> None:
    """Close the member's sockets opened with ``session_key`` (they logged out).

    A control message, not an event: nothing is numbered or kept.
    """
    _group_send(
        group_name(member_stream(user_id)),
        {"type": "live.session_ended", "session_key": session_key},
    )


# --- the log ---------------------------------------------------------------------


def _event(stream: str, event_id: int, kind: str, data: dict, sent_at: float) -> dict[str, Any]:
    return {
        "type": "event",
        "stream": stream,
        "id": event_id,
        "kind": kind,
        "data": data,
        "sent_at": sent_at,
    }


class Replay:
    """What a stream holds after an id: ``events`` in order, or ``reload``.

    ``reload`` is true when events after ``after`` were already dropped from
    the log (or the stream's numbering started again): the page must fetch
    its data instead. ``latest`` is the stream's newest id (0: none yet).
    """

    __slots__ = ("events", "latest", "reload")

    def __init__(self, events: list[dict], latest: int, reload: bool) -> None:
        self.events, self.latest, self.reload = events, latest, reload


# KEYS: sequence, log. ARGV: body (JSON: kind, data, sent_at), size, seconds.
# The member is "<id>|<body>": unique even when two bodies are alike.
_APPEND = """
local id = redis.call('INCR', KEYS[1])
redis.call('ZADD', KEYS[2], id, id .. '|' .. ARGV[1])
redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -(tonumber(ARGV[2]) + 1))
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[3])
return id
"""


class RedisLog:
    """The log in Redis: ``live:<stream>:seq`` and ``live:<stream>:log`` (a sorted set)."""

    def __init__(self, url: str, size: int, seconds: int) -> None:
        self.size, self.seconds = size, seconds
        self.client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._append = self.client.register_script(_APPEND)

    @staticmethod
    def _keys(stream: str) -> tuple[str, str]:
        return f"live:{stream}:seq", f"live:{stream}:log"

    def append(self, stream: str, kind: str, data: dict) -> dict[str, Any]:
        sent_at = round(time.time() * 1000, 1)
        body = json.dumps({"kind": kind, "data": data, "sent_at": sent_at}, separators=(",", ":"))
        event_id = int(self._append(keys=self._keys(stream), args=[body, self.size, self.seconds]))
        return _event(stream, event_id, kind, data, sent_at)

    def latest(self, streams: list[str]) -> dict[str, int]:
        values = self.client.mget([self._keys(stream)[0] for stream in streams])
        return {stream: int(value or 0) for stream, value in zip(streams, values, strict=True)}

    def after(self, stream: str, after: int) -> Replay:
        seq, log_key = self._keys(stream)
        with self.client.pipeline(transaction=True) as pipe:
            pipe.get(seq)
            pipe.zrange(log_key, 0, 0, withscores=True)
            pipe.zrangebyscore(log_key, f"({after}", "+inf")
            latest, oldest, members = pipe.execute()
        latest = int(latest or 0)
        oldest_id = int(oldest[0][1]) if oldest else latest + 1
        if after > latest or after < oldest_id - 1:
            return Replay([], latest, reload=after != latest)
        events = []
        for member in members:
            raw_id, _, body = member.decode().partition("|")
            stored = json.loads(body)
            events.append(
                _event(stream, int(raw_id), stored["kind"], stored["data"], stored["sent_at"])
            )
        return Replay(events, latest, reload=False)


class MemoryLog:
    """The same log in this process (unit tests): ids, a bounded window, no expiry."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._seq: dict[str, int] = {}
        self._events: dict[str, deque] = {}

    def append(self, stream: str, kind: str, data: dict) -> dict[str, Any]:
        # A JSON round trip, as Redis does: a page never sees a live object.
        data = json.loads(json.dumps(data))
        with self._lock:
            event_id = self._seq.get(stream, 0) + 1
            self._seq[stream] = event_id
            event = _event(stream, event_id, kind, data, round(time.time() * 1000, 1))
            self._events.setdefault(stream, deque(maxlen=self.size)).append(event)
        return event

    def latest(self, streams: list[str]) -> dict[str, int]:
        with self._lock:
            return {stream: self._seq.get(stream, 0) for stream in streams}

    def after(self, stream: str, after: int) -> Replay:
        with self._lock:
            latest = self._seq.get(stream, 0)
            kept = list(self._events.get(stream, ()))
        oldest_id = kept[0]["id"] if kept else latest + 1
        if after > latest or after < oldest_id - 1:
            return Replay([], latest, reload=after != latest)
        return Replay([e for e in kept if e["id"] > after], latest, reload=False)

    def clear(self) -> None:
        with self._lock:
            self._seq.clear()
            self._events.clear()


@cache
def event_log() -> RedisLog | MemoryLog:
    """This process's log, as the settings say (built once)."""
    if settings.REALTIME_LOG_BACKEND == "memory":
        return MemoryLog(settings.REALTIME_LOG_SIZE)
    return RedisLog(settings.REDIS_URL, settings.REALTIME_LOG_SIZE, settings.REALTIME_LOG_SECONDS)
