"""The world of bench/ws.py: its environment, members and daphne processes, and /proc readings.

Everything on loopback and in the run's own directory: the settings of the
web (``tennisbook.settings.local`` with DEBUG off, a fresh secret key, the
run's var dir, sqlite database and Redis), members made in one transaction,
daphne started as the Procfile starts it (``python -m tennisbook.web``) in
a process group of its own (``tennisbook.devstack.procs.Child``: stopped by
its pid's group), what /proc says of a process, and what Redis and
channels_redis say (channels left in groups, messages dropped over capacity).
"""

from __future__ import annotations

import http.client
import logging
import os
import re
import resource
import secrets
import sys
import time
from collections import Counter
from pathlib import Path

from _django import ROOT

sys.path.insert(0, str(ROOT))
from tennisbook.devstack.ports import LOOPBACK, free_port
from tennisbook.devstack.procs import Child

PASSWORD = "bench-ws-password-1"  # noqa: S105 - throwaway members of a throwaway database


def world_env(var: Path, redis_url: str) -> dict[str, str]:
    nowhere = f"http://{LOOPBACK}:{free_port()}"  # no emulator: never another stack's
    return {
        "DJANGO_SETTINGS_MODULE": "tennisbook.settings.local",
        "TENNISBOOK_VAR_DIR": str(var),
        "DATABASE_URL": f"sqlite:///{var / 'db.sqlite3'}",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(40),
        "DJANGO_DEBUG": "false",  # as deployed
        "REDIS_URL": redis_url,
        "JWT_ACCESS_MINUTES": "60",  # outlives any run
        "DYNAMODB_ENDPOINT_URL": nowhere,
        "KMS_ENDPOINT_URL": nowhere,
        "PROMETHEUS_MULTIPROC_DIR": str(var / "prometheus"),  # as make run and production
        "PYTHONUNBUFFERED": "1",
    }


def make_members(count: int) -> tuple[list[str], list[str]]:
    """``count`` members in one transaction (one password hash for all) and their access tokens."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from accounts.tokens import issue_tokens

    user_model, hashed = get_user_model(), make_password(PASSWORD)
    users = [
        user_model(username=f"ws-{i}", email=f"ws-{i}@example.org", password=hashed)
        for i in range(count)
    ]
    with transaction.atomic():
        user_model.objects.bulk_create(users, batch_size=500)
        tokens = [issue_tokens(user)["access"] for user in users]
    return [str(user.pk) for user in users], tokens


def start_daphne(name: str, app: str, env: dict, logs: Path) -> tuple[Child, int]:
    port = free_port()
    argv = [sys.executable, "-m", "tennisbook.web", "-b", LOOPBACK, "-p", str(port), app]
    return Child(name, argv, env=env, cwd=ROOT).start(log_file=logs / f"{name}.log"), port


def wait_answers(child: Child, port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise RuntimeError(f"{child.name} exited with status {child.poll()} (see its log)")
        conn = http.client.HTTPConnection(LOOPBACK, port, timeout=1)
        try:
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except (OSError, http.client.HTTPException):
            time.sleep(0.1)
        finally:
            conn.close()
    raise TimeoutError(f"{child.name} did not answer on port {port} within {timeout:.0f} s")


def proc_field(pid: int, name: str, prefix: str) -> int:
    """A number from /proc/<pid>/<name>: the first after ``prefix`` on its line."""
    for line in Path(f"/proc/{pid}/{name}").read_text().splitlines():
        if line.startswith(prefix):
            return int(line[len(prefix) :].split()[0])
    raise LookupError(f"{prefix} not in /proc/{pid}/{name}")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def raise_fd_limit(needed: int) -> int:
    """The soft limit on open files, raised towards ``needed`` (children inherit it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        soft = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    return soft


def log_problems(path: Path) -> Counter:
    """The log's warning and error lines, without their time stamps, and how often each."""
    found: Counter = Counter()
    for line in path.read_text(errors="replace").splitlines():
        if re.search(r"\[(warning|error|critical)\s*\]|Traceback", line):
            found[re.sub(r"^\S*\d\d:\d\d:\d\d\S*\s*", "", line)[:140]] += 1
    return found


def stale_members(streams: list[str], wait: float = 10.0) -> int:
    """Channels still in these streams' groups (their sockets closed): 0 once each left."""
    import redis
    from channels.layers import get_channel_layer
    from django.conf import settings

    from realtime.broadcast import group_name

    prefix, client = get_channel_layer().prefix, redis.Redis.from_url(settings.REDIS_URL)
    deadline = time.monotonic() + wait
    while True:
        pipe = client.pipeline(transaction=False)
        for stream in streams:
            pipe.zcard(f"{prefix}:group:{group_name(stream)}")
        left = sum(pipe.execute())
        if left == 0 or time.monotonic() > deadline:
            client.close()
            return left
        time.sleep(0.5)


class OverCapacity(logging.Handler):
    """Counts the messages channels_redis drops, by side: it only says so at INFO, here."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.dropped: Counter = Counter()
        self.logger = logging.getLogger("channels_redis.core")
        self.saved = self.logger.level, self.logger.propagate
        self.logger.setLevel(logging.INFO)
        self.logger.propagate = False
        self.logger.addHandler(self)

    def emit(self, record: logging.LogRecord) -> None:
        if "over capacity" in str(record.msg):  # "%s of %s channels over capacity in group %s"
            group = str(record.args[2])
            self.dropped["floor" if group.startswith("floor.") else "ours"] += record.args[0]

    def stop(self) -> None:
        self.logger.removeHandler(self)
        self.logger.setLevel(self.saved[0])
        self.logger.propagate = self.saved[1]
