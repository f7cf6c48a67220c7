"""Start a real democlub process for tests and benchmarks.

``start_portal`` launches ``python -m democlub`` on a free port (``--port 0``),
waits for its ready line and returns a ``RunningPortal``; ``stop()`` sends
SIGTERM and waits (then kills). Use it as a context manager::

    with start_portal(tmp_path, demo=True) as portal:
        portal.control.state()

``kind="grid"`` starts the grid portal instead of the condo's.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from democlub.client import ControlClient, DoorClient

_READY = re.compile(r"^democlub listening on (http://\S+)$")


@dataclass
class RunningPortal:
    """A democlub subprocess, its URL and control token."""

    process: subprocess.Popen
    url: str
    token: str
    data_dir: Path
    control: ControlClient = field(init=False)

    def __post_init__(self) -> None:
        self.control = ControlClient(self.url, self.token)

    def door(self, member: str, password: str) -> DoorClient:
        return DoorClient(self.url, member, password)

    def stop(self, timeout: float = 10.0) -> int:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()
        return self.process.returncode

    def __enter__(self) -> RunningPortal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_portal(
    data_dir: Path,
    *,
    kind: str = "condo",
    demo: bool = False,
    config: dict[str, Any] | None = None,
    extra_args: tuple[str, ...] = (),
    ready_timeout: float = 20.0,
) -> RunningPortal:
    """Run democlub of ``kind`` in ``data_dir`` (stderr goes to ``data_dir/democlub.log``)."""
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(16)
    args = [sys.executable, "-m", "democlub", "--kind", kind, "--host", "127.0.0.1", "--port", "0"]
    # "=": a token may start with "-", which argparse would take for an option.
    args += ["--data-dir", str(data_dir), f"--control-token={token}", *extra_args]
    if config is not None:
        path = data_dir / "config.json"
        path.write_text(json.dumps(config), encoding="utf-8")
        args += ["--config", str(path)]
    if demo:
        args.append("--demo")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with open(data_dir / "democlub.log", "ab") as log_file:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            args, stdout=subprocess.PIPE, stderr=log_file, env=env, cwd=_project_root()
        )
    line = _read_line(process, ready_timeout)
    match = _READY.match(line.strip())
    if not match:
        process.kill()
        process.wait()
        log_text = (data_dir / "democlub.log").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"democlub did not start (got {line!r}); log:\n{log_text}")
    return RunningPortal(process=process, url=match.group(1), token=token, data_dir=data_dir)


def _project_root() -> Path:
    return Path(__file__).resolve().parent.parent


def _read_line(process: subprocess.Popen, timeout: float) -> str:
    """The first stdout line, or '' if the process says nothing in time."""
    result: list[str] = []
    reader = threading.Thread(
        target=lambda: result.append(process.stdout.readline().decode(errors="replace")),
        daemon=True,
    )
    reader.start()
    reader.join(timeout)
    return result[0] if result else ""
