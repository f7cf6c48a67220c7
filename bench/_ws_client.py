"""The client side of bench/ws.py: sockets in a process of their own, driven over a pipe.

``ClientProcess`` forks (before the bench sets Django up or starts a thread)
a process whose asyncio loop holds socket sets by label (``websockets``,
no compression, no proxy, no client pings: daphne's keepalive pings are
answered by the library). Commands: ``open`` (in concurrent batches, each
socket waiting for its ``hello``), ``alive``, ``stats`` and ``close``. Each
socket reads in a task of its own and stamps every event on arrival
(``time.time()``, the machine's one clock): latency from the event's
``data.t0`` (the bench's clock before the call) and its ``sent_at``, ids
missing (lost), ids not larger than the last one seen (out of order).
Events with ``data.r == 0`` (warm-up) are checked but not timed.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import signal
import time
from collections import Counter
from contextlib import suppress


def describe(exc: BaseException) -> str:
    from websockets.exceptions import ConnectionClosed, InvalidStatus

    if isinstance(exc, InvalidStatus):
        return f"HTTP {exc.response.status_code}"
    if isinstance(exc, ConnectionClosed):
        return f"closed {exc.rcvd.code if exc.rcvd else 'without a close frame'}"
    return type(exc).__name__


class Fleet:
    """Socket sets by label, in this process's one event loop."""

    def __init__(self, conn):
        self.conn = conn
        self.socks: dict[str, list[dict]] = {}
        self.seen: dict[str, dict] = {}

    async def serve(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                name, *args = await loop.run_in_executor(None, self.conn.recv)
            except (EOFError, OSError):
                return  # the bench is gone
            if name == "quit":
                return
            self.conn.send(await getattr(self, name)(*args))

    async def open(self, label: str, targets: list, batch: int, timeout: float) -> dict:
        from websockets.asyncio.client import connect

        socks = self.socks.setdefault(label, [])
        seen = self.seen.setdefault(
            label, {"lat": [], "sent": [], "disorder": 0, "dropped": 0, "other": Counter()}
        )
        failed: Counter = Counter()

        async def one(url: str, headers: dict) -> None:
            ws = None
            try:
                ws = await connect(
                    url,
                    additional_headers=headers,
                    proxy=None,
                    compression=None,
                    ping_interval=None,
                    open_timeout=timeout,
                )
                hello = json.loads(await asyncio.wait_for(ws.recv(), timeout))
                if hello.get("type") != "hello":
                    raise ValueError(f"first message {hello.get('type')!r}")
            except Exception as exc:  # counted by kind, the run goes on
                failed[describe(exc)] += 1
                if ws is not None:
                    await ws.close()
                return
            sock = {"ws": ws, "ids": set(), "last": 0, "closing": False}
            sock["task"] = asyncio.create_task(self.read(sock, seen))
            socks.append(sock)

        started, before = time.monotonic(), len(socks)
        for i in range(0, len(targets), batch):
            await asyncio.gather(*(one(url, headers) for url, headers in targets[i : i + batch]))
        return {
            "connected": len(socks) - before,
            "seconds": time.monotonic() - started,
            "failed": dict(failed),
        }

    async def read(self, sock: dict, seen: dict) -> None:
        from websockets.exceptions import ConnectionClosed

        with suppress(ConnectionClosed):
            async for raw in sock["ws"]:
                now = time.time() * 1000
                message = json.loads(raw)
                if message.get("type") != "event":
                    seen["other"][message.get("type")] += 1
                    continue
                if message["data"]["r"] > 0:  # round 0 warms up
                    seen["lat"].append((message["data"]["r"], now - message["data"]["t0"]))
                    seen["sent"].append(now - message["sent_at"])
                if message["id"] <= sock["last"]:
                    seen["disorder"] += 1
                sock["last"] = max(sock["last"], message["id"])
                sock["ids"].add(message["id"])
        if not sock["closing"]:
            seen["dropped"] += 1

    async def alive(self, label: str) -> dict:
        from websockets.protocol import State

        socks = self.socks.get(label, [])
        return {
            "open": sum(s["ws"].state is State.OPEN for s in socks),
            "dropped": self.seen[label]["dropped"],
            "events": sum(len(s["ids"]) for s in socks),
        }

    async def stats(self, label: str, events: int) -> dict:
        seen, socks, wanted = self.seen[label], self.socks[label], set(range(1, events + 1))
        return {
            "lat": seen["lat"],
            "sent": seen["sent"],
            "disorder": seen["disorder"],
            "lost": sum(len(wanted - s["ids"]) for s in socks),
            "extra": sum(len(s["ids"] - wanted) for s in socks),
            "dropped": seen["dropped"],
            "other": dict(seen["other"]),
        }

    async def close(self, label: str, batch: int) -> int:
        socks = self.socks.pop(label, [])
        for sock in socks:
            sock["closing"] = True
        for i in range(0, len(socks), batch):
            await asyncio.gather(*(s["ws"].close() for s in socks[i : i + batch]))
        await asyncio.gather(*(s["task"] for s in socks), return_exceptions=True)
        return len(socks)


def fleet_main(conn, limit: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the bench stops us, in order
    signal.alarm(limit)  # a backstop: SIGALRM's default action ends this process
    asyncio.run(Fleet(conn).serve())


class ClientProcess:
    def __init__(self, limit: int):
        context = multiprocessing.get_context("fork")  # before Django or any thread exists
        self.conn, theirs = context.Pipe()
        self.proc = context.Process(target=fleet_main, args=(theirs, limit), daemon=True)
        self.proc.start()
        theirs.close()

    def ask(self, timeout: float, *command):
        self.conn.send(command)
        if not self.conn.poll(timeout):
            raise TimeoutError(f"the client process did not answer {command[0]!r} in {timeout} s")
        return self.conn.recv()

    def stop(self) -> None:
        with suppress(OSError):
            self.conn.send(("quit",))
        self.proc.join(15)
        if self.proc.is_alive():
            self.proc.kill()  # our own child, by its pid
            self.proc.join(5)
