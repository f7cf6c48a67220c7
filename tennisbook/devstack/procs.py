"""Child processes with prefixed output, stopped together with their children.

Every child starts in a session (and so a process group) of its own, for two
reasons: Ctrl-C in the terminal reaches only the supervisor, which then stops
the children in order, and a signal sent to the group also reaches the
grandchildren (Celery's pool processes, chromedriver and Chromium).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO

Sink = Callable[[str, str], None]

_COLOURS = ("36", "33", "32", "35", "34", "91", "96", "93", "92", "95")


class Console:
    """Writes ``name | line`` the way honcho does, one whole line at a time."""

    def __init__(self, stream: IO[str] | None = None, width: int = 9):
        self.stream = stream or sys.stdout
        self.width = width
        self._lock = threading.Lock()
        self._colour_of: dict[str, str] = {}
        self._colour = hasattr(self.stream, "isatty") and self.stream.isatty()

    def line(self, name: str, text: str) -> None:
        prefix = f"{name:<{self.width}} |"
        if self._colour:
            code = self._colour_of.setdefault(name, _COLOURS[len(self._colour_of) % len(_COLOURS)])
            prefix = f"\033[{code}m{prefix}\033[0m"
        with self._lock:
            self.stream.write(f"{prefix} {text}\n")
            self.stream.flush()

    def say(self, text: str) -> None:
        """A line from the supervisor itself."""
        self.line("devstack", text)


class Child:
    """One supervised process (its whole process group, in fact)."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
    ):
        self.name = name
        self.argv = list(argv)
        self.env = dict(env) if env is not None else None
        self.cwd = cwd
        self.proc: subprocess.Popen[bytes] | None = None
        self._reader: threading.Thread | None = None
        self._watchers: list[Callable[[str], None]] = []

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def start(self, sink: Sink | None = None, log_file: Path | None = None) -> Child:
        """Start the process; its output goes to ``sink`` line by line, or to
        ``log_file``, or nowhere."""
        stdout: int | IO[bytes] = subprocess.DEVNULL
        handle = None
        if sink is not None:
            stdout = subprocess.PIPE
        elif log_file is not None:
            handle = open(log_file, "ab")  # noqa: SIM115 - closed below, after Popen dups it
            stdout = handle
        try:
            self.proc = subprocess.Popen(  # noqa: S603 - argv built by us, no shell
                self.argv,
                stdin=subprocess.DEVNULL,
                stdout=stdout,
                stderr=subprocess.STDOUT,
                env=self.env,
                cwd=self.cwd,
                start_new_session=True,
            )
        finally:
            if handle is not None:
                handle.close()
        if sink is not None:
            self._reader = threading.Thread(
                target=self._pump, args=(sink,), name=f"out-{self.name}", daemon=True
            )
            self._reader.start()
        return self

    def watch(self, callback: Callable[[str], None]) -> None:
        """Call ``callback(line)`` for every output line (e.g. a ready banner)."""
        self._watchers.append(callback)

    def _pump(self, sink: Sink) -> None:
        assert self.proc is not None
        assert self.proc.stdout is not None
        for raw in iter(self.proc.stdout.readline, b""):
            text = raw.decode("utf-8", "replace").rstrip("\r\n")
            sink(self.name, text)
            for callback in list(self._watchers):
                callback(text)
        self.proc.stdout.close()

    def poll(self) -> int | None:
        return self.proc.poll() if self.proc else None

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def signal_group(self, signum: int) -> bool:
        """Send ``signum`` to the child's whole group; False if none is left."""
        if self.proc is None:
            return False
        try:
            os.killpg(self.proc.pid, signum)
        except (ProcessLookupError, PermissionError):
            return False
        return True

    def stop(self, timeout: float = 10.0) -> int | None:
        """SIGTERM the group, wait up to ``timeout``, then SIGKILL what is left.

        Waits for the group to be empty, not only the leader: a Celery pool
        process outliving its parent would otherwise keep running.
        """
        if self.proc is None:
            return None
        self.signal_group(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.proc.poll()
            if self.proc.returncode is not None and not group_alive(self.proc.pid):
                break
            time.sleep(0.05)
        else:
            self.signal_group(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)
        # Anything still in the group at this point ignored SIGTERM.
        self.signal_group(signal.SIGKILL)
        if self._reader is not None:
            self._reader.join(timeout=2)
        return self.proc.returncode


def group_alive(pgid: int) -> bool:
    """Whether any process (not a zombie we could reap) remains in group ``pgid``."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # killpg(0) also succeeds for zombies; on Linux, look closer.
    proc = Path("/proc")
    if not proc.is_dir():
        return True
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        state, pgrp = fields[0], int(fields[2])
        if pgrp == pgid and state != "Z":
            return True
    return False


def stop_all(children: Sequence[Child], timeout: float = 10.0) -> None:
    """Stop several children at once (their shutdowns overlap)."""
    for child in children:
        if child.proc is not None:
            child.signal_group(signal.SIGTERM)
    threads = [
        threading.Thread(target=child.stop, args=(timeout,), daemon=True) for child in children
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout + 10)
