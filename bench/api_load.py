"""API load: booking create and list under concurrent clients, next to a trivial endpoint.

N member clients (threads, one keep-alive connection each) first call
GET /api/auth/profile (the baseline: authentication and rendering only) for
``--duration`` seconds, then alternate POST /api/bookings (a distinct court,
date and slot per member; when the member holds the club's maximum of active
requests it cancels its oldest with DELETE first) and GET /api/bookings for
as long. Prints requests, errors by status, throughput, p50/p99 latency and
their ratio to the baseline's.

    python bench/api_load.py [--clients 8] [--duration 20] [--requests 0]
    python bench/api_load.py --url http://127.0.0.1:8000 [--var-dir var]

Without ``--url`` it starts its own stack (what ``make run`` starts, on free
loopback ports with a temporary var dir and the rate limits raised) and stops
it at the end. With ``--url`` it uses a running stack and that stack's
``run/stack.env`` to reach its database; its rate limits apply (expect 429s or
403s at the default limits) and the ``bench-*`` members it creates stay.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import math
import os
import signal
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, deque
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from _django import ROOT, setup

sys.path.insert(0, str(ROOT))
from tennisbook.devstack.background import BackgroundStack, read_stack_env

RAISED_LIMITS = {  # per address and per user; the benchmark is one address
    "AUTH_RATE_LOGIN": "100000/m",
    "API_THROTTLE_USER": "1000000/min",
    "API_THROTTLE_ANON": "1000000/min",
}
# The stack's own demo bookings release ~3 minutes after it starts: with the
# usual 2-minute lead their browsers would prepare (and load the cores)
# during the measurement. 10 s ahead, they prepare after it.
QUIET_WORKERS = {"BOOKER_LEAD_TIME_SECONDS": "10"}
PASSWORD = "bench-load-password-1"  # noqa: S105 - throwaway accounts on a throwaway stack
WARMUP = 3  # iterations per client before the clock starts
# Beyond both courts' release (8 and 9 days ahead), so nothing fires meanwhile, and
# past seed_demo's request (10 days ahead in UTC).
FIRST_DAY = 12


class Client:
    """One member on one keep-alive connection; latencies per endpoint."""

    def __init__(self, url: str, token: str = ""):
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.token = token
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        self.reconnects = 0

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, float, dict]:
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            started = time.perf_counter()
            try:
                self.conn.request(method, path, payload, headers)
                response = self.conn.getresponse()
                raw = response.read()
                elapsed = time.perf_counter() - started
                break
            except (http.client.HTTPException, OSError):
                self.conn.close()  # the server closed the kept-alive connection: retry once
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
                self.reconnects += 1
                if attempt == 2:
                    return 0, time.perf_counter() - started, {}
        try:
            data = json.loads(raw) if raw else {}
        except ValueError:
            data = {}
        return response.status, elapsed, data


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.samples: dict[str, list[tuple[float, float]]] = {}  # (when, seconds), 2xx only
        self.errors: dict[str, Counter] = {}
        self.examples: dict[tuple[str, int], dict] = {}  # the first body of each error

    def add(self, endpoint: str, status: int, seconds: float, body: dict) -> None:
        with self.lock:
            if 200 <= status < 300:
                self.samples.setdefault(endpoint, []).append((time.monotonic(), seconds))
            else:
                self.errors.setdefault(endpoint, Counter())[status or "conn"] += 1
                self.examples.setdefault((endpoint, status), body)

    def row(self, endpoint: str, elapsed: float) -> dict:
        latencies = sorted(s for _, s in self.samples.get(endpoint, []))
        errors = self.errors.get(endpoint, Counter())
        enough = len(latencies) >= 2  # else every request failed: no latency to speak of
        cuts = statistics.quantiles(latencies, n=100, method="inclusive") if enough else []
        return {
            "endpoint": endpoint,
            "requests": len(latencies) + sum(errors.values()),
            "errors": ", ".join(f"{code}: {n}" for code, n in sorted(errors.items(), key=str)),
            "rps": len(latencies) / elapsed,
            "p50": statistics.median(latencies) * 1000 if enough else math.nan,
            "p99": cuts[98] * 1000 if enough else math.nan,
        }


def make_members(count: int) -> tuple[list[tuple[str, list[tuple[int, str, str]]]], int]:
    """Members with portal credentials, straight into the stack's database and
    emulator; each gets its own slice of (court, date, slot) to book."""
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from configs import services as config_services

    club = settings.DEFAULT_CLUB_ID  # the API's bodies leave the club out: the default
    courts = config_services.get_system_value("courts", club=club)
    limits = config_services.get_system_value("limits", club=club)
    zone = ZoneInfo(config_services.get_system_value("release_rules", club=club)["time_zone"])
    today = datetime.now(UTC).astimezone(zone).date()
    days = [today + timedelta(days=n) for n in range(FIRST_DAY, limits["horizon_days"])]
    # A member holds one request per date and slot whatever the court: members get
    # disjoint (date, slot) pairs, taken in turn and alternating between courts.
    labels = sorted({label for court in courts for label in court["slots"]})
    pairs = [(day.isoformat(), label) for day in days for label in labels]
    if len(pairs) // count <= limits["max_active_requests"]:
        sys.exit(f"{len(pairs)} dates x slots are too few for {count} members; fewer --clients")

    def space_of(i: int) -> list[tuple[int, str, str]]:
        picks = []
        for k, (day, label) in enumerate(pairs[i::count]):
            offering = [court["id"] for court in courts if label in court["slots"]]
            picks.append((offering[k % len(offering)], day, label))
        return picks

    tag = uuid.uuid4().hex[:6]
    members = []
    for i in range(count):
        username = f"bench-{tag}-{i}"
        user = get_user_model().objects.create_user(username, f"{username}@example.org", PASSWORD)
        config_services.save_user_config(
            str(user.pk), club, portal_username=f"9{i:05d}", portal_password=f"portal-{tag}-{i}"
        )
        members.append((username, space_of(i)))
    return members, limits["max_active_requests"]


def log_in(url: str, username: str) -> str:
    status, _, data = Client(url).call(
        "POST", "/api/auth/login", {"username": username, "password": PASSWORD}
    )
    if status != 200 or "access" not in data:
        sys.exit(f"login of {username} failed with {status}: {data}")
    return data["access"]


def run_phase(clients, step, duration: float, budget: int) -> float:
    """Run ``step(i, client, measure)`` (returns its number of requests) in every
    client's thread: a few unmeasured warm-up rounds, then until ``duration``
    or ``budget`` measured requests. Returns the measured seconds."""
    warm = threading.Barrier(len(clients) + 1)
    stop = threading.Event()
    measured = itertools.count()  # next() is atomic under the GIL

    def work(i: int, client: Client) -> None:
        for _ in range(WARMUP):
            step(i, client, False)
        warm.wait()
        while not stop.is_set():
            done = [next(measured) for _ in range(step(i, client, True))]
            if budget and done[-1] + 1 >= budget:
                stop.set()

    threads = [
        threading.Thread(target=work, args=(i, client), daemon=True)
        for i, client in enumerate(clients)
    ]
    for thread in threads:
        thread.start()
    warm.wait()
    started = time.monotonic()
    stop.wait(duration)
    stop.set()
    for thread in threads:
        thread.join()
    return time.monotonic() - started


def cpu_seconds(var_dir: Path) -> dict[str, float]:
    """CPU time so far of the stack's processes (children.json) and of this one."""
    used = {"bench clients": time.process_time()}
    try:
        children = json.loads((var_dir / "run" / "children.json").read_text())
    except (OSError, ValueError):
        children = []
    for child in children:
        try:
            fields = Path(f"/proc/{child['pid']}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[child["name"]] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return used


def cpu_line(before: dict[str, float], after: dict[str, float], elapsed: float) -> str:
    busy = sorted(((after[k] - before.get(k, 0.0)) / elapsed, k) for k in after)
    return ", ".join(f"{name} {share:.2f}" for share, name in reversed(busy) if share >= 0.01)


def bench(url: str, args: argparse.Namespace, raised: bool) -> None:
    members, max_active = make_members(args.clients)
    clients = [Client(url, log_in(url, username)) for username, _ in members]
    stats = Stats()

    def profile(_i: int, client: Client, measure: bool) -> int:
        status, seconds, body = client.call("GET", "/api/auth/profile")
        if measure:
            stats.add("GET /api/auth/profile", status, seconds, body)
        return 1

    slots = [deque(space) for _, space in members]
    active: list[deque[str]] = [deque() for _ in members]
    listed = Counter()

    def create_and_list(i: int, client: Client, measure: bool) -> int:
        def record(endpoint: str, status: int, seconds: float, body: dict) -> None:
            if measure:
                stats.add(endpoint, status, seconds, body)

        calls = 2
        if len(active[i]) >= max_active:  # the club's limit: make room, as a member would
            status, seconds, data = client.call("DELETE", f"/api/bookings/{active[i].popleft()}")
            record("DELETE /api/bookings/{id}", status, seconds, data)
            calls = 3
        court, day, slot = pick = slots[i][0]
        slots[i].rotate(-1)
        wish = {"court_id": court, "date": day, "time_slot": slot}
        status, seconds, data = client.call("POST", "/api/bookings", wish)
        record("POST /api/bookings", status, seconds, data)
        if status == 201:
            active[i].append(data["request_id"])
        elif data.get("error", {}).get("code") == "slot_claimed":
            slots[i].remove(pick)  # someone else's (a running stack's members): not again
        status, seconds, data = client.call("GET", "/api/bookings")
        record("GET /api/bookings", status, seconds, data)
        listed[i] = max(listed[i], data.get("count", 0))
        return calls

    print(f"{args.clients} clients, {args.duration:g} s a phase after {WARMUP} warm-up rounds each")
    cpu = [cpu_seconds(args.var_dir)]
    base_elapsed = run_phase(clients, profile, args.duration, args.requests)
    cpu.append(cpu_seconds(args.var_dir))
    load_elapsed = run_phase(clients, create_and_list, args.duration, args.requests)
    cpu.append(cpu_seconds(args.var_dir))
    base = stats.row("GET /api/auth/profile", base_elapsed)
    rows = [base] + [
        stats.row(name, load_elapsed)
        for name in ("POST /api/bookings", "GET /api/bookings", "DELETE /api/bookings/{id}")
        if name != "DELETE /api/bookings/{id}" or name in stats.samples or name in stats.errors
    ]
    print(f"{'endpoint':<27}{'requests':>9}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}"
          f"{'p50 x':>7}{'p99 x':>7}  errors")  # fmt: skip
    for r in rows:
        ratios = f"{r['p50'] / base['p50']:>6.1f}x{r['p99'] / base['p99']:>6.1f}x"
        print(f"{r['endpoint']:<27}{r['requests']:>9}{r['rps']:>8.1f}{r['p50']:>9.1f}"
              f"{r['p99']:>9.1f}{ratios}  {r['errors'] or '-'}")  # fmt: skip
    for (endpoint, status), body in stats.examples.items():
        print(f"  first {status or 'connection error'} of {endpoint}: {json.dumps(body)[:200]}")
    load_rps = sum(r["rps"] for r in rows[1:])
    create, listing = rows[1], rows[2]
    print(
        f"summary: create p50 {create['p50']:.0f} ms ({create['p50'] / base['p50']:.1f}x the "
        f"trivial endpoint's), list p50 {listing['p50']:.0f} ms "
        f"({listing['p50'] / base['p50']:.1f}x); {load_rps:.0f} req/s on the booking mix "
        f"vs {base['rps']:.0f} req/s on the trivial endpoint"
    )
    lists = [seconds for _, seconds in stats.samples.get("GET /api/bookings", [(0, 0.0)])]
    quarter = max(1, len(lists) // 4)
    print(
        f"note: list p50 {statistics.median(lists[:quarter]) * 1000:.0f} ms in the first quarter "
        f"vs {statistics.median(lists[-quarter:]) * 1000:.0f} ms in the last; members ended with "
        f"up to {max(listed.values(), default=0)} requests each (cancelled ones included)"
    )
    print("note: CPU cores busy per process (includes warm-up), baseline: "
          f"{cpu_line(cpu[0], cpu[1], base_elapsed)}; booking mix: "
          f"{cpu_line(cpu[1], cpu[2], load_elapsed)}")  # fmt: skip
    reconnects = sum(c.reconnects for c in clients)
    print(f"note: {reconnects} reconnects; client and server share this machine's cores")
    if raised:
        print("note: rate limits and throttles were raised for the benchmark: "
              + ", ".join(f"{k}={v}" for k, v in RAISED_LIMITS.items()))  # fmt: skip
    else:
        print("note: the running stack's own rate limits and throttles apply")


def use_stack_env(path: Path) -> None:
    """Point this process' Django at the stack's database, emulator and Redis."""
    os.environ.update(read_stack_env(path))
    os.environ["DJANGO_SETTINGS_MODULE"] = "tennisbook.settings.local"
    os.environ["LOG_LEVEL"] = "warning"  # this process' own logs are noise here
    setup("tennisbook.settings.local")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per phase")
    parser.add_argument("--requests", type=int, default=0, help="cap per phase (0: none)")
    parser.add_argument("--url", help="a running stack's site URL (loopback)")
    parser.add_argument("--var-dir", type=Path, default=ROOT / "var", help="with --url")
    args = parser.parse_args()
    if args.clients < 1 or args.duration <= 0:
        parser.error("--clients and --duration must be positive")
    # SIGTERM ends the run like Ctrl-C, so the stack we started is stopped.
    signal.signal(signal.SIGTERM, signal.default_int_handler)

    if args.url:
        if urlsplit(args.url).hostname not in ("127.0.0.1", "localhost", "::1"):
            parser.error("--url must be a loopback address")
        use_stack_env(args.var_dir / "run" / "stack.env")
        bench(args.url.rstrip("/"), args, raised=False)
        return
    with tempfile.TemporaryDirectory(prefix="tennisbook-bench-") as tmp:
        print("starting a stack on free loopback ports ...", flush=True)
        with BackgroundStack(Path(tmp) / "var", extra_env=RAISED_LIMITS | QUIET_WORKERS) as stack:
            args.var_dir = stack.var_dir
            use_stack_env(stack.stack_env_path)
            bench(stack.site_url, args, raised=True)
        print("stack stopped")


if __name__ == "__main__":
    main()
