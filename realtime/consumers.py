"""The live socket: one per page (docs/realtime.md).

``connect`` authenticates (session or bearer JWT) and checks the Origin
(the one check of it: no outer validator), closing with 4401/4403
otherwise; then it joins the member's own stream.
Messages are dispatched by ``type`` to ``resume``, ``watch``, ``unwatch``
and ``ping``; everything they decide is asked of ``access`` and
``broadcast``. Channels hands a consumer its messages one at a time, so a
replay and the live events of its stream never interleave; a live event
that skips ids (two publishers raced to the group) is filled in from the
log first, so a page sees every stream in order.
"""

from __future__ import annotations

import time
from typing import Any

import structlog
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from redis.exceptions import RedisError

from tennisbook.dynamo import DataError

from . import access, broadcast, metrics

log = structlog.get_logger(__name__)

NOT_AUTHENTICATED, ORIGIN_REFUSED, TOO_MANY_REFUSED = 4401, 4403, 4429
MAX_WATCHED = 20  # streams one socket may watch besides the member's own
MAX_REFUSED_WATCHES = access.MAX_REFUSED_WATCHES


class LiveConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        self.streams: dict[str, int] = {}  # stream → the last id this socket was sent
        self.accepted = False
        self.refused_watches = 0
        found = await database_sync_to_async(access.authenticate)(self.scope)
        refused = None
        if found is None:
            refused = ("unauthenticated", NOT_AUTHENTICATED)
        elif not access.origin_allowed(self.scope, found[1]):
            refused = ("origin", ORIGIN_REFUSED)
        elif await sync_to_async(access.refused_too_often, thread_sensitive=False)(found[0].pk):
            refused = ("too_many_refused", TOO_MANY_REFUSED)
        if refused is not None:
            # A close before the accept reaches the page as a bare 403; accepted
            # first, the page reads the code (and stops retrying), sent nothing.
            metrics.CONNECTS.labels(outcome=refused[0]).inc()
            await self.accept()
            await self.close(code=refused[1])
            return
        self.user, self.how = found
        await self.accept()
        self.accepted = True
        metrics.CONNECTS.labels(outcome="accepted").inc()
        metrics.OPEN_SOCKETS.inc()
        own = broadcast.member_stream(self.user.pk)
        await self._join(own)
        latest = await _latest([own])
        self.streams[own] = latest[own]
        await self.send_json({"type": "hello", "streams": latest})

    async def disconnect(self, code: int) -> None:
        if self.accepted:
            metrics.OPEN_SOCKETS.dec()
            metrics.DISCONNECTS.inc()
        for stream in list(self.streams):
            try:
                await self.channel_layer.group_discard(
                    broadcast.group_name(stream), self.channel_name
                )
            except (RedisError, OSError):
                # The group forgets the channel when its membership expires.
                log.warning("live.discard_failed", stream=stream, exc_info=True)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        kind = content.get("type") if isinstance(content, dict) else None
        if not isinstance(kind, str):
            kind = None  # {"type": []} is as bad as no type
        handler = {
            "resume": self.resume,
            "watch": self.watch,
            "unwatch": self.unwatch,
            "ping": self.ping,
        }.get(kind)
        if handler is None:
            await self._error("bad_message", "messages are JSON objects with a known type")
            return
        await handler(content)

    async def decode_json(self, text_data: str) -> Any:
        try:
            return await super().decode_json(text_data)
        except ValueError:
            return None  # answered as a bad message, the socket stays open

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        if text_data is None:
            await self._error("bad_message", "messages are JSON text, not binary")
            return
        await self.receive_json(await self.decode_json(text_data))

    # --- what a page asks ----------------------------------------------------------

    async def resume(self, content: dict) -> None:
        """Send what the member's own stream (or a watched one) published after ``after``."""
        stream, after = await self._stream_and_after(content)
        if stream is None:
            return
        if stream not in self.streams:
            await self._error("not_watching", f"watch {stream} first", stream=stream)
            return
        await self._replay(stream, after)

    async def watch(self, content: dict) -> None:
        stream, after = await self._stream_and_after(content)
        if stream is None:
            return
        if stream not in self.streams:
            if len(self.streams) > MAX_WATCHED:
                await self._error(
                    "too_many", f"at most {MAX_WATCHED} streams per socket", stream=stream
                )
                return
            try:
                allowed = await self._may_watch(stream)
            except DataError:
                await self._error("unavailable", "cannot check that now; try again", stream=stream)
                return
            if not allowed:
                await self._error("forbidden", "you may not watch this", stream=stream)
                self.refused_watches += 1
                counted = await sync_to_async(access.count_refused_watch, thread_sensitive=False)(
                    self.user.pk
                )
                if max(self.refused_watches, counted or 0) >= MAX_REFUSED_WATCHES:
                    log.warning("live.too_many_refused_watches", user_id=str(self.user.pk))
                    await self._error(
                        "too_many_refused",
                        f"{MAX_REFUSED_WATCHES} watches refused: closing this socket; "
                        f"new ones are refused for up to {access.REFUSED_WINDOW_S // 60} minutes",
                    )
                    await self.close(code=TOO_MANY_REFUSED)
                return
            await self._join(stream)
            self.streams[stream] = after
        await self._replay(stream, after)
        await self.send_json({"type": "watching", "stream": stream, "last": self.streams[stream]})

    async def unwatch(self, content: dict) -> None:
        stream, _after = await self._stream_and_after({"stream": content.get("stream")})
        if stream is None or stream == broadcast.member_stream(self.user.pk):
            return
        if stream not in self.streams:
            return
        del self.streams[stream]
        await self.channel_layer.group_discard(broadcast.group_name(stream), self.channel_name)

    async def ping(self, content: dict) -> None:
        # A page pings every 25 s: the moment to notice a session that expired
        # or a token that ran out since the handshake.
        current = await database_sync_to_async(access.still_valid)(self.scope, self.how, self.user)
        if current is None:
            await self.close(code=NOT_AUTHENTICATED)
            return
        self.user = current
        # And each watched stream: a share withdrawn, a partner removed or an
        # operator limited since the watch began stops its events here.
        own = broadcast.member_stream(self.user.pk)
        for stream in [s for s in self.streams if s != own]:
            try:
                allowed = await self._may_watch(stream)
            except DataError:
                continue  # cannot tell now: the next ping asks again
            if not allowed:
                del self.streams[stream]
                await self.channel_layer.group_discard(
                    broadcast.group_name(stream), self.channel_name
                )
                await self._error("forbidden", "you may no longer watch this", stream=stream)
        await self.send_json({"type": "pong"})

    # --- what the group sends ------------------------------------------------------

    async def dispatch(self, message: dict) -> None:
        # Channels runs close_old_connections on its one database thread
        # before every handler; a live event touches no database, so it skips
        # that hop instead of queueing behind other sockets' handshakes.
        if message.get("type") == broadcast.GROUP_MESSAGE:
            await self.live_event(message)
            return
        await super().dispatch(message)

    async def live_event(self, message: dict) -> None:
        event = message["event"]
        stream = event["stream"]
        last = self.streams.get(stream)
        if last is None or event["id"] <= last:
            return  # not watched (any more), or already sent by a replay
        if event["id"] > last + 1:
            await self._replay(stream, last)  # an earlier event is still on its way: take the log's
            return
        self.streams[stream] = event["id"]
        await self.send_json(event)
        metrics.EVENTS_SENT.labels(how="live").inc()
        metrics.EVENT_LATENCY.observe(max(0.0, time.time() * 1000 - event["sent_at"]))

    async def live_session_ended(self, message: dict) -> None:
        """The member logged out: close the sockets of that session (not their other devices)."""
        session = self.scope.get("session")
        key = session.session_key if session is not None else None
        if self.how == "session" and key == message["session_key"]:
            await self.close(code=NOT_AUTHENTICATED)

    # --- helpers --------------------------------------------------------------------

    async def _may_watch(self, stream: str) -> bool:
        if access.reads_the_database(stream):
            return await database_sync_to_async(access.may_watch)(self.user, stream)
        # A request's watchers are decided by its DynamoDB item alone: read on
        # any thread, not queued on channels' one database thread behind
        # every other socket's handshake.
        return await sync_to_async(access.may_watch, thread_sensitive=False)(self.user, stream)

    async def _join(self, stream: str) -> None:
        await self.channel_layer.group_add(broadcast.group_name(stream), self.channel_name)

    async def _stream_and_after(self, content: dict) -> tuple[str | None, int]:
        stream, after = content.get("stream"), content.get("after", 0)
        try:
            broadcast.check_stream(stream)
        except broadcast.BadStream as exc:
            await self._error("bad_message", str(exc))
            return None, 0
        if isinstance(after, bool) or not isinstance(after, int) or after < 0:
            await self._error("bad_message", "after must be a whole number ≥ 0", stream=stream)
            return None, 0
        return stream, after

    async def _replay(self, stream: str, after: int) -> None:
        try:
            replay = await sync_to_async(broadcast.event_log().after, thread_sensitive=False)(
                stream, after
            )
        except (RedisError, OSError):
            log.warning("live.replay_failed", stream=stream, exc_info=True)
            await self._error("unavailable", "cannot replay now; reload", stream=stream)
            return
        if replay.reload:
            metrics.RELOADS.inc()
            self.streams[stream] = replay.latest
            await self.send_json({"type": "reload", "stream": stream, "last": replay.latest})
            return
        for event in replay.events:
            await self.send_json(event)
            metrics.EVENTS_SENT.labels(how="replay").inc()
        self.streams[stream] = max(after, replay.latest)

    async def _error(self, code: str, message: str, **extra: Any) -> None:
        await self.send_json({"type": "error", "code": code, "message": message, **extra})


async def _latest(streams: list[str]) -> dict[str, int]:
    try:
        return await sync_to_async(broadcast.event_log().latest, thread_sensitive=False)(streams)
    except (RedisError, OSError):
        log.warning("live.latest_failed", exc_info=True)
        return dict.fromkeys(streams, 0)
