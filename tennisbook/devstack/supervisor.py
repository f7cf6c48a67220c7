"""``make run``: start the whole stack in order, watch it, stop it cleanly.

Order matters: Redis and the emulator first (everything else talks to
them), then the two demo portals (``DEMOCLUB_PORTALS``: the default club's
and the second demo club's), then the preparation steps (migrate, tables,
seed, the demo bookings, which ask each portal for its demo release, static
files), then the other processes of the Procfile (``procfile.py``: the one
place their commands are written), then wait for ``/readyz``. The demo
bookings are made before any worker or beat runs, so a request left by an
earlier run is moved to its portal's release before anything can fire it.
Stopping goes the other way: the site processes first, so a worker can still
acknowledge its task to Redis and the emulator still takes the last writes,
and the emulator's final snapshot last but one.

One stack per var dir (``lock.py``). If a child fails, at start or later,
everything stops and the exit status is non-zero: nothing is skipped.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from . import environment, procfile
from . import redis as embedded_redis
from .config import ConfigError, Endpoint, StackConfig
from .emulator import EmulatorProcess
from .lock import AlreadyRunning, InstanceLock
from .ports import port_is_free, wait_for_port
from .procs import Child, Console, group_alive, stop_all

READY_TIMEOUT = 120.0
# The Procfile's demo portals, started in this order before the setup steps:
# the DEMOCLUB_KIND one (DEMOCLUB_URL), then the other kind (DEMOCLUB_SECOND_URL).
DEMOCLUB_PORTALS = ("democlub", "democlub2")
MAX_RESTARTS = 10  # per run: a child that keeps dying stops the stack after all
DEMO_LOGINS = (
    ("operator", "operator", "tennisbook-operator"),
    ("member", "member", "tennisbook-member"),
)


class StartFailed(Exception):
    """The stack cannot start; the message is the line to print."""

    exit_code = 1


class PortInUse(StartFailed):
    exit_code = 2


class Supervisor:
    def __init__(self, config: StackConfig, console: Console | None = None):
        self.cfg = config
        self.out = console or Console()
        self.stop_requested = threading.Event()
        self.infra: list[Child] = []  # redis, emulator: stopped last
        self.apps: list[Child] = []  # the Procfile's processes: stopped first
        self.env: dict[str, str] = {}
        self.restarts = 0

    # --- entry point ---------------------------------------------------------
    def run(self) -> int:
        lock = InstanceLock(self.cfg.run_dir / "devstack.lock")
        try:
            lock.acquire()
        except AlreadyRunning as exc:
            pid = f" as pid {exc.pid}" if exc.pid else ""
            self.out.say(
                f"tennisbook is already running{pid} for {self.cfg.var_dir} "
                f"({self.cfg.site.url}); stop it with Ctrl-C in its terminal"
                + (f" or `kill {exc.pid}`" if exc.pid else "")
            )
            return 2
        self._install_signal_handlers()
        try:
            if lock.stale_pid:
                self.out.say(f"taking over the lock of pid {lock.stale_pid} (a run that crashed)")
                self._stop_leftovers()
            self._start()
            self._banner()
            return self._watch()
        except StartFailed as exc:
            self.out.say(f"ERROR: {exc}")
            return exc.exit_code
        except KeyboardInterrupt:
            return 0
        finally:
            self._shutdown()
            lock.release()

    # --- start ---------------------------------------------------------------
    def _start(self) -> None:
        cfg = self.cfg
        started = time.monotonic()
        try:
            processes = procfile.load()
        except ConfigError as exc:
            raise StartFailed(str(exc)) from None
        for needed in ("web", *DEMOCLUB_PORTALS):
            if needed not in processes:
                raise StartFailed(f"the Procfile has no {needed} process; make run needs one")
        ports = self._check_ports()
        for sub in ("run", "redis", "emulator", *DEMOCLUB_PORTALS, "run/prometheus"):
            (cfg.var_dir / sub).mkdir(parents=True, exist_ok=True)
        # Metrics files of a previous run describe dead processes.
        for stale in (cfg.var_dir / "run" / "prometheus").glob("*.db"):
            stale.unlink()

        choice = embedded_redis.choose(cfg.redis_url, cfg.var_dir / "redis", avoid=ports)
        self.out.say(choice.note)
        if choice.server is not None:
            self._spawn(choice.server.child_process(), infra=True)
            self._wait_for("redis", choice.server.port)

        if cfg.run_emulator:
            assert cfg.dynamodb is not None
            emulator = EmulatorProcess(cfg.var_dir / "emulator", cfg.dynamodb.port)
            self._spawn(emulator.child_process(environment.base_env()), infra=True)
            self._wait_for("emulator", cfg.dynamodb.port)
        elif cfg.dynamodb is None:
            self.out.say("DYNAMODB_ENDPOINT_URL is empty: using real AWS DynamoDB and KMS")
        else:
            self.out.say(f"using the DynamoDB endpoint {cfg.dynamodb.url}")

        self.env = environment.child_env(cfg, choice.url)
        self._write_stack_env()
        try:
            commands = {name: p.argv(self.env) for name, p in processes.items()}
        except ConfigError as exc:
            raise StartFailed(str(exc)) from None

        # One after the other: a portal that cannot start stops the stack before the next.
        for name, endpoint in zip(DEMOCLUB_PORTALS, self._demo_portals(), strict=True):
            self._spawn(Child(name, commands.pop(name), env=self.env))
            self._wait_for(name, endpoint.port)
        self._run_setup()
        for name, argv in commands.items():
            self._spawn(Child(name, argv, env=self.env))
        self._wait_ready()
        self.out.say(f"ready in {time.monotonic() - started:.1f} s")

    def _demo_portals(self) -> tuple[Endpoint, Endpoint]:
        """Where the ``DEMOCLUB_PORTALS`` listen, in the same order."""
        return (self.cfg.democlub, self.cfg.democlub_second)

    def _run_setup(self) -> None:
        """Migrate, tables, keys, demo data and the demo booking, in one child."""
        setup = self._spawn(
            Child("setup", [sys.executable, "-m", "tennisbook.devstack", "prepare",
                            "--demo-booking"], env=self.env),
        )  # fmt: skip
        while setup.poll() is None:
            if self.stop_requested.wait(0.1):
                raise KeyboardInterrupt
        if setup.poll() != 0:
            raise StartFailed(f"the setup steps failed (status {setup.poll()}); see above")
        self.apps.remove(setup)
        self._record_children()  # the one-shot is gone: a later takeover must not look for it

    def _check_ports(self) -> set[int]:
        """The stack's own ports, once each is free; ``PortInUse`` names those that are not."""
        wanted: list[tuple[str, Endpoint]] = [("web", self.cfg.site)]
        if self.cfg.run_emulator:
            assert self.cfg.dynamodb is not None
            wanted.append(("DynamoDB/KMS emulator", self.cfg.dynamodb))
        for name, endpoint in zip(DEMOCLUB_PORTALS, self._demo_portals(), strict=True):
            if endpoint.local:
                wanted.append((name, endpoint))
        problems = [
            f"port {ep.port} ({what}) is already in use by another program; stop it or set "
            f"{ep.variable}=http://127.0.0.1:<another port>"
            for what, ep in wanted
            if not port_is_free(ep.port)
        ]
        if problems:
            raise PortInUse("; ".join(problems))
        return {ep.port for _, ep in wanted}

    def _spawn(self, child: Child, infra: bool = False) -> Child:
        child.cwd = child.cwd or self.cfg.root
        child.start(sink=self.out.line)
        (self.infra if infra else self.apps).append(child)
        self._record_children()
        return child

    def _wait_for(self, name: str, port: int, timeout: float = 30.0) -> None:
        child = next(c for c in self.infra + self.apps if c.name == name)
        ok = wait_for_port(
            port,
            timeout=timeout,
            keep_waiting=lambda: child.running() and not self.stop_requested.is_set(),
        )
        if self.stop_requested.is_set():
            raise KeyboardInterrupt
        if not ok:
            status = child.poll()
            why = f"exited with status {status}" if status is not None else "did not listen"
            raise StartFailed(f"{name} {why} (port {port}); see its lines above")

    def _wait_ready(self) -> None:
        url = self.cfg.site.url.rstrip("/") + "/readyz"
        deadline = time.monotonic() + READY_TIMEOUT
        last = "no answer"
        while time.monotonic() < deadline:
            dead = [c for c in self.apps + self.infra if c.poll() is not None]
            if dead:
                child = dead[0]
                raise StartFailed(
                    f"{child.name} exited with status {child.poll()} during start-up; "
                    "see its lines above"
                )
            status, body = http_get(url)
            if status == 200:
                return
            if status is not None:
                last = f"{status} {body[:300]}"
            if self.stop_requested.wait(0.5):
                raise KeyboardInterrupt
        raise StartFailed(f"{url} not ready after {READY_TIMEOUT:.0f} s (last answer: {last})")

    # --- environment -----------------------------------------------------------
    @property
    def stack_env_path(self) -> Path:
        return self.cfg.run_dir / "stack.env"

    def _write_stack_env(self) -> None:
        environment.write_stack_env(self.stack_env_path, self.env, self.cfg.run_emulator)

    # --- leftovers of a crashed run --------------------------------------------
    @property
    def children_path(self) -> Path:
        return self.cfg.run_dir / "children.json"

    def _record_children(self) -> None:
        records = [
            {"name": c.name, "pid": c.pid, "started": proc_start_time(c.pid)}
            for c in self.infra + self.apps
            if c.pid
        ]
        self.children_path.write_text(json.dumps(records))

    def _stop_leftovers(self) -> None:
        """Stop the process groups a killed supervisor left running.

        Only a process with the same pid *and* start time as the one we
        started is touched: a pid reused by something else is left alone.
        """
        try:
            records = json.loads(self.children_path.read_text())
        except (OSError, ValueError):
            return
        for record in records:
            pid = record.get("pid")
            if not pid or record.get("started") is None:
                continue
            if proc_start_time(pid) != record["started"]:
                continue
            self.out.say(f"stopping {record['name']} (pid {pid}) left over from that run")
            try:
                os.killpg(pid, signal.SIGTERM)
            except (ProcessLookupError, PermissionError):
                continue
            deadline = time.monotonic() + 10
            while group_alive(pid) and time.monotonic() < deadline:
                time.sleep(0.1)
            if group_alive(pid):
                os.killpg(pid, signal.SIGKILL)
        self.children_path.unlink(missing_ok=True)

    # --- running ---------------------------------------------------------------
    def _banner(self) -> None:
        site = self.cfg.site.url.rstrip("/")
        say = self.out.say
        say("")
        say(f"tennisbook is running at {site}/")
        rows = [
            ("admin", f"{site}/admin/"),
            ("API docs", f"{site}/api/docs/"),
            ("demo club", f"{self.cfg.democlub.url.rstrip('/')}/  ({self.cfg.democlub_kind})"),
            (
                "demo club 2",
                f"{self.cfg.democlub_second.url.rstrip('/')}/  ({self.cfg.democlub_second_kind})",
            ),
        ]
        rows += [(f"{role} login", f"{user} / {password}") for role, user, password in DEMO_LOGINS]
        env_file = display_path(self.stack_env_path)
        rows.append(("endpoints", f"{env_file}  (set -a; . {env_file}; set +a)"))
        for label, value in rows:
            say(f"  {label:<15} {value}")
        say("Press Ctrl-C to stop.")

    def _watch(self) -> int:
        while not self.stop_requested.wait(0.2):
            for child in self.infra + self.apps:
                if child.poll() is None:
                    continue
                if child.name in self.cfg.restart and self.restarts < MAX_RESTARTS:
                    self._restart(child)
                    continue
                self.out.say(f"{child.name} exited with status {child.poll()}; stopping everything")
                return 1
        return 0

    def _restart(self, child: Child) -> None:
        """Start a dead child again with the same command (opt-in, for fault tests)."""
        self.restarts += 1
        delay = self.cfg.restart_delay
        status = child.poll()
        self.out.say(f"{child.name} exited with status {status}; restarting it in {delay:g} s")
        child.stop(timeout=5)  # what is left of its group: pool processes, browsers
        if self.stop_requested.wait(delay):
            return
        child.start(sink=self.out.line)
        self._record_children()

    def _install_signal_handlers(self) -> None:
        def handler(signum: int, _frame: object) -> None:
            if not self.stop_requested.is_set():
                self.out.say(f"{signal.Signals(signum).name} received; stopping")
            self.stop_requested.set()

        signal.signal(signal.SIGINT, handler)
        signal.signal(signal.SIGTERM, handler)
        signal.signal(signal.SIGHUP, handler)

    def _shutdown(self) -> None:
        if self.apps:
            stop_all(self.apps, timeout=10)
        for child in reversed(self.infra):  # emulator (final snapshot), then redis
            child.stop(timeout=15)
        stopped = self.apps + list(reversed(self.infra))
        if stopped:
            self.out.say("stopped " + ", ".join(c.name for c in stopped))
        self.stack_env_path.unlink(missing_ok=True)
        self.children_path.unlink(missing_ok=True)


def http_get(url: str, timeout: float = 2.0) -> tuple[int | None, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - our URL
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError):
        return None, ""


def display_path(path: Path) -> Path:
    """``path`` relative to the working directory when it is inside it."""
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def proc_start_time(pid: int) -> int | None:
    """The process' start time in clock ticks since boot (Linux), or None.

    With the pid it identifies a process for good; pids alone get reused.
    """
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(fields[19])  # field 22 of stat; fields[0] is field 3


def run(config: StackConfig) -> int:
    return Supervisor(config).run()


def main_from_args(args: object) -> int:
    try:
        config = StackConfig.from_env(
            var_dir=getattr(args, "var_dir", None),
            web_port=getattr(args, "web_port", None),
            emulator_port=getattr(args, "emulator_port", None),
            democlub_port=getattr(args, "democlub_port", None),
            democlub_second_port=getattr(args, "democlub_second_port", None),
        )
    except ConfigError as exc:
        Console().say(f"ERROR: {exc}")
        return 2
    return run(config)
