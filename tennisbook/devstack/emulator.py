"""The DynamoDB + KMS emulator: moto's server, made to remember.

moto keeps its state in memory only. This wrapper serves moto's WSGI app on
loopback and snapshots the DynamoDB and KMS backends to one file after
writes, at most once a second, restoring it at start: a restart keeps all
data and a crash loses at most the last second of writes.

Every request runs under one lock, which the snapshot also takes, so a
snapshot never sees half a request. The lock has a second benefit: moto does
not lock its own backends, so without it two concurrent conditional writes
could both succeed; serialized, the emulator enforces our invariants the way
DynamoDB does. At a few hundred requests a second on loopback the lock costs
nothing a developer would notice.

moto is imported lazily: the supervisor and the test fixtures import this
module only to start the emulator as a child process.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from tennisbook.settings import defaults

from .config import Endpoint
from .procs import Child

STATE_FILE = "state.pickle"

# X-Amz-Target actions that never change state; anything else marks the
# state dirty. Erring towards "dirty" only costs an extra snapshot.
_READ_ONLY_ACTIONS = frozenset(
    {
        # DynamoDB
        "BatchGetItem",
        "DescribeContinuousBackups",
        "DescribeEndpoints",
        "DescribeLimits",
        "DescribeTable",
        "DescribeTimeToLive",
        "GetItem",
        "ListTables",
        "ListTagsOfResource",
        "Query",
        "Scan",
        "TransactGetItems",
        # KMS (Encrypt and GenerateDataKey may create an aws/* default key)
        "Decrypt",
        "GetKeyPolicy",
        "GetKeyRotationStatus",
        "ListAliases",
        "ListKeys",
    }
)


def is_write(environ: dict[str, Any]) -> bool:
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target:
        return target.rsplit(".", 1)[-1] not in _READ_ONLY_ACTIONS
    return environ.get("REQUEST_METHOD", "GET") not in ("GET", "HEAD", "OPTIONS")


class PersistentState:
    """The request lock, the dirty flag and the snapshot file."""

    def __init__(self, state_dir: Path, min_interval: float = 1.0):
        self.path = Path(state_dir) / STATE_FILE
        self.min_interval = min_interval
        self.lock = threading.Lock()
        self._dirty = threading.Event()
        self._write_lock = threading.Lock()
        self._last = 0.0
        self.snapshots = 0
        self.last_duration = 0.0

    def mark_dirty(self) -> None:
        self._dirty.set()

    @property
    def dirty(self) -> bool:
        return self._dirty.is_set()

    def save(self) -> bool:
        """Snapshot now if anything changed; returns whether it wrote."""
        from .snapshot import dump_state, write_atomically

        with self._write_lock:
            started = time.perf_counter()
            with self.lock:
                if not self._dirty.is_set():
                    return False
                data = dump_state()
                # Cleared under the lock: a write after this point is dirty again.
                self._dirty.clear()
            write_atomically(self.path, data)
            self._last = time.monotonic()
            self.snapshots += 1
            self.last_duration = time.perf_counter() - started
            return True

    def run_saver(self, stop: threading.Event) -> None:
        """Background loop: save after writes, never twice in ``min_interval``."""
        while not stop.is_set():
            if not self._dirty.wait(timeout=0.5):
                continue
            wait = self._last + self.min_interval - time.monotonic()
            if wait > 0 and stop.wait(wait):
                break
            try:
                self.save()
            except Exception:
                logging.getLogger(__name__).exception("snapshot failed; will retry")
                self._dirty.set()
                stop.wait(self.min_interval)


class LockedApp:
    """WSGI middleware: one request at a time, body produced inside the lock."""

    def __init__(self, app: Callable[..., Iterable[bytes]], state: PersistentState):
        self.app = app
        self.state = state

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        write = is_write(environ)
        with self.state.lock:
            result = self.app(environ, start_response)
            try:
                body = b"".join(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
            if write:
                self.state.mark_dirty()
        return [body]


def make_app(state: PersistentState) -> LockedApp:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    return LockedApp(DomainDispatcherApplication(create_backend_app), state)


def serve(host: str, port: int, state_dir: Path, *, verbose: bool = False) -> int:
    """Run the emulator until SIGTERM/SIGINT; returns the exit status."""
    from moto.moto_server.werkzeug_app import MotoRequestHandler
    from werkzeug.serving import make_server

    from . import snapshot

    os.environ.setdefault("MOTO_PORT", str(port))  # moto builds some URLs with it
    if not verbose:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    state = PersistentState(state_dir)
    say = _printer()
    try:
        started = time.perf_counter()
        summary = snapshot.restore(state.path)
        if summary is not None:
            elapsed = (time.perf_counter() - started) * 1000
            say(f"restored {summary} from {state.path} in {elapsed:.0f} ms")
        else:
            say(f"no saved state at {state.path}; starting empty")
    except Exception as exc:
        say(f"WARNING: could not restore {state.path} ({exc!r}); it was set aside, starting empty")

    try:
        server = make_server(
            host, port, make_app(state), threaded=True, request_handler=MotoRequestHandler
        )
    except OSError as exc:
        say(f"cannot listen on {host}:{port}: {exc.strerror}")
        return 2

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    serving = threading.Thread(target=server.serve_forever, name="serve", daemon=True)
    saver = threading.Thread(target=state.run_saver, args=(stop,), name="saver", daemon=True)
    serving.start()
    saver.start()
    say(f"emulator listening on http://{host}:{server.server_port} (DynamoDB + KMS)")
    while not stop.wait(0.5):
        if not serving.is_alive():
            say("server thread died")
            break
    server.shutdown()
    saver.join(timeout=5)
    # The final snapshot: nothing written before SIGTERM is lost.
    if state.save():
        say(f"stopped; state saved to {state.path} ({state.last_duration * 1000:.0f} ms)")
    else:
        say("stopped; state unchanged since the last snapshot")
    return 0


class EmulatorProcess:
    """The emulator as a child process: what the supervisor and the tests start.

    ``stop`` is a clean SIGTERM (final snapshot), ``kill`` a crash (SIGKILL):
    both keep ``state_dir``, so ``start`` afterwards restores the data.
    """

    def __init__(self, state_dir: Path, port: int | None = None, host: str = "127.0.0.1"):
        from .ports import free_port

        self.state_dir = Path(state_dir)
        self.host = host
        self.port = port or free_port(host)
        self.child: Child | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def argv(self) -> list[str]:
        return [
            sys.executable, "-m", "tennisbook.devstack", "emulator",
            "--host", self.host, "--port", str(self.port), "--state-dir", str(self.state_dir),
        ]  # fmt: skip

    def child_process(self, env: dict[str, str] | None = None) -> Child:
        from .config import ROOT

        self.child = Child("emulator", self.argv(), env=env, cwd=ROOT)
        return self.child

    def start(self, timeout: float = 30.0, log_file: Path | None = None) -> EmulatorProcess:
        from .ports import wait_for_port

        if self.child is not None and self.child.running():
            return self
        self.state_dir.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        child = self.child_process(env)
        child.start(log_file=log_file or self.state_dir / "emulator.log")
        ready = wait_for_port(
            self.port, host=self.host, timeout=timeout, keep_waiting=child.running
        )
        if not ready:
            status = child.poll()
            child.stop()
            raise RuntimeError(f"emulator did not start on {self.url} (status {status})")
        return self

    def stop(self, timeout: float = 15.0) -> None:
        if self.child is not None:
            self.child.stop(timeout)
            self.child = None

    def kill(self) -> None:
        if self.child is not None and self.child.proc is not None:
            self.child.signal_group(signal.SIGKILL)
            self.child.proc.wait(timeout=10)
            self.child = None


def _printer() -> Callable[[str], None]:
    def say(text: str) -> None:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()

    return say


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tennisbook.devstack emulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=Endpoint(defaults.DYNAMODB_URL, "").port)
    parser.add_argument("--state-dir", type=Path, default=Path("var/emulator"))
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    return serve(args.host, args.port, args.state_dir, verbose=args.verbose)
