"""The whole stack in the background, for integration tests and benchmarks.

``BackgroundStack`` runs ``python -m tennisbook.devstack run`` as a child
process on free loopback ports with its own var dir, waits for the banner
(printed once ``/readyz`` answered) and stops it with SIGINT, as a developer's
Ctrl-C would; ``kill_everything`` is the last resort for what is left. As a
context manager it starts, waits and always stops. The child's output is kept
in ``lines``, to explain a failure.

The environment is built from scratch: the caller may carry another
environment's variables (the test settings' empty DYNAMODB_ENDPOINT_URL would
mean real AWS). ``extra_env`` adds to it, e.g. raised rate limits.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from .config import ROOT
from .ports import free_port

READY_LINE = "Press Ctrl-C to stop."
KEPT_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "USER")


class StackError(Exception):
    """The background stack did not start or stop as expected (output included)."""


def read_stack_env(path: Path) -> dict[str, str]:
    """The ``KEY=value`` lines of a stack's ``run/stack.env`` (values shell-quoted)."""
    values = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#") and "=" in line:
            key, raw = line.split("=", 1)
            values[key.strip()] = " ".join(shlex.split(raw))
    return values


class BackgroundStack:
    def __init__(self, var_dir: Path, extra_env: dict[str, str] | None = None):
        self.var_dir = Path(var_dir)
        # Four distinct ports (none is bound until the stack starts).
        taken: list[int] = []
        for _ in range(4):
            taken.append(free_port(avoid=taken))
        self.web_port, self.emulator_port, self.democlub_port = taken[:3]
        self.democlub_second_port = taken[3]  # the second demo club's portal
        self.extra_env: dict[str, str] = dict(extra_env or {})
        self.proc: subprocess.Popen[str] | None = None
        self.lines: list[str] = []
        self._reader: threading.Thread | None = None

    @property
    def site_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    @property
    def emulator_url(self) -> str:
        return f"http://127.0.0.1:{self.emulator_port}"

    @property
    def stack_env_path(self) -> Path:
        return self.var_dir / "run" / "stack.env"

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def env(self) -> dict[str, str]:
        env = {name: os.environ[name] for name in KEPT_ENV if name in os.environ}
        env["TENNISBOOK_VAR_DIR"] = str(self.var_dir)
        env.update(self.extra_env)
        return env

    def argv(self) -> list[str]:
        return [
            sys.executable, "-m", "tennisbook.devstack", "run",
            "--var-dir", str(self.var_dir),
            "--web-port", str(self.web_port),
            "--emulator-port", str(self.emulator_port),
            "--democlub-port", str(self.democlub_port),
            "--democlub-second-port", str(self.democlub_second_port),
        ]  # fmt: skip

    def start(self) -> BackgroundStack:
        self.lines = []
        self.proc = subprocess.Popen(  # noqa: S603 - argv built by us, no shell
            self.argv(),
            cwd=ROOT,
            env=self.env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        return self

    def _read(self) -> None:
        assert self.proc is not None
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_ready(self, timeout: float = 90.0) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise StackError(f"the stack exited with {self.proc.returncode}:\n{self.output}")
            if any(READY_LINE in line for line in self.lines):
                return
            time.sleep(0.1)
        raise StackError(f"the stack was not ready within {timeout:.0f} s:\n{self.output}")

    def wait_exit(self, timeout: float = 60.0) -> int:
        assert self.proc is not None
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise StackError(
                f"the stack did not exit within {timeout:.0f} s:\n{self.output}"
            ) from None
        if self._reader is not None:
            self._reader.join(timeout=5)
        return code

    def children(self) -> list[dict]:
        """The supervised children as recorded in var/run/children.json."""
        return json.loads((self.var_dir / "run" / "children.json").read_text())

    def interrupt(self) -> int:
        """Ctrl-C, as a developer would; returns the exit status."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGINT)
        return self.wait_exit()

    def kill_everything(self) -> None:
        """Last-resort cleanup: the supervisor and the process groups it started."""
        if self.proc is None:
            return
        pgids = []
        with contextlib.suppress(OSError, ValueError):
            pgids = [child["pid"] for child in self.children()]
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        for pgid in pgids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pgid, signal.SIGKILL)

    def stop(self) -> None:
        """Ctrl-C; if the stack does not stop by itself, kill what is left."""
        if self.proc is None:
            return
        try:
            if self.proc.poll() is None:
                self.interrupt()
        except StackError:
            self.kill_everything()

    def __enter__(self) -> BackgroundStack:
        try:
            self.start().wait_ready()
        except BaseException:
            self.kill_everything()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
