"""How close to the release instant does the engine's submit reach the portal?

Runs against a private democlub on loopback (started and stopped here) and
prints one table:

(a) engine: ms after the release instant at which the portal *received* our
    submit (its attempt log), p50/p95 over N releases, portal clock skewed;
(b) floor: a minimal pre-authenticated raw HTTP request (the door) fired by
    this script at the release instant on a pre-opened socket, using the
    portal's true clock; ratio engine/floor;
(c) naive bot: starts Chromium at the release instant, logs in, opens the
    form and submits (what most public scripts do); ratio naive/engine;
(d) clock-offset estimation error against the injected skew;
(e) a competitor taking the same slot δ ms after release: the smallest δ
    at which we still win.

    .venv/bin/python bench/release.py [--quick] [--releases N]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from booker.browser import BrowserSession, BrowserSettings  # noqa: E402
from booker.engine import BookingEngine, Credentials, EngineSettings, Plan  # noqa: E402
from booker.pages import LoginPage, ReservationForm  # noqa: E402
from booker.profiles import default_profile  # noqa: E402
from booker.rawhttp import Connection, Target, build_request  # noqa: E402
from booker.results import Choice  # noqa: E402
from democlub.testing import start_portal  # noqa: E402
from tennisbook.values import TimeSlot  # noqa: E402

MEMBER, PASSWORD = "101", "cancha-demo-101"
SLOT = TimeSlot.parse("De 07:00 AM a 08:00 AM")
LEAD_S = 1.5  # release this long after preparation ends


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


class Bench:
    def __init__(self, portal):
        self.portal = portal
        self.control = portal.control
        self.base_day = date.fromisoformat(self.control.state()["demo_release"]["day"])
        self.next_day = 0
        self.overrides: list[dict] = []
        self.control.set_area(5, member_quota=None)

    def fresh_day(self) -> date:
        self.next_day += 1
        return self.base_day + timedelta(days=self.next_day)

    def open_at(self, day: date, seconds: float) -> datetime:
        now = self.control.clock()["portal_now_ns"] / 1e9
        opens = datetime.fromtimestamp(now + seconds, UTC).replace(microsecond=0)
        opens += timedelta(seconds=1)
        self.overrides.append({"area": 5, "day": day.isoformat(), "opens_at": opens.isoformat()})
        self.control.patch_config(release_overrides=self.overrides[-30:])
        return opens

    def lateness(self, day: date, door: str | None = None) -> tuple[float | None, str]:
        """The first attempt's ms after release on ``day``, and its outcome."""
        rows = [
            a
            for a in self.control.attempts()
            if a["day"] == day.isoformat() and a["door"] != "competitor"
            and (door is None or a["door"] == door)
        ]  # fmt: skip
        if not rows:
            return None, "none"
        first = min(rows, key=lambda a: a["received_ns"])
        return first["ms_after_release"], first["outcome"]

    # (a) + (d)
    def engine_release(self, skew_ms: float, evidence: Path, **choices) -> tuple:
        self.control.set_clock(offset_ms=skew_ms)
        day = self.fresh_day()
        engine = BookingEngine(
            default_profile(self.portal.url), EngineSettings(evidence_dir=evidence, **choices)
        )
        plan = Plan(day, [Choice(5, SLOT)], retry_window_s=2.0)
        session = engine.prepare(Credentials(MEMBER, PASSWORD), plan)
        try:
            error_ms = session.clock.offset_ns / 1e6 - self.control.clock()["offset_ms"]
            opens = self.open_at(day, LEAD_S)
            result = session.fire(opens)
        finally:
            session.close()
        late, outcome = self.lateness(day)
        return late, outcome, error_ms, result

    # (b)
    def floor_release(self) -> float | None:
        day = self.fresh_day()
        offset_ns = self.control.offset_ns()
        target = Target.of(self.portal.url)
        door = self.portal.door(MEMBER, PASSWORD)
        portal_day = f"{day.year}-{day.month}-{day.day}"
        schedules = door.schedules(5, portal_day)[1]["schedules"]
        door_id = next(s["id"] for s in schedules if s["label"] == SLOT.label)
        path = "/utilities/process/app/poster.php?app_action=add_reservation"
        form = {"house": MEMBER, "password": door.password_md5, "area": "5", "day": portal_day,
                "schedule": str(door_id), "comments": ""}  # fmt: skip
        raw = build_request(target, "POST", path, form=form)
        opens = self.open_at(day, LEAD_S)
        connection = Connection(target)
        self.control.wait_until(round(opens.timestamp() * 1e9), offset_ns)
        connection.exchange(raw)
        return self.lateness(day)[0]

    # (c)
    def naive_release(self) -> float | None:
        day = self.fresh_day()
        profile = default_profile(self.portal.url)
        opens = self.open_at(day, LEAD_S + 1)
        self.control.wait_until(round(opens.timestamp() * 1e9))
        with BrowserSession(BrowserSettings()) as browser:
            dashboard = LoginPage(browser.driver, profile).login(MEMBER, PASSWORD)
            form = ReservationForm(browser.driver, profile)
            context = {"area": "5", "day": f"{day.year}-{day.month}-{day.day}",
                       "dashboard_url": dashboard}  # fmt: skip
            form.open(context)
            options = dict(form.snapshot()["options"])
            form.submit(options[SLOT.label])
            form.reply()
        return self.lateness(day)[0]

    # (e)
    def race(self, delta_ms: float, evidence: Path) -> bool:
        self.control.set_clock(offset_ms=random.uniform(-3000, 3000))
        day = self.fresh_day()
        self.control.add_member("199", "rival-199")
        engine = BookingEngine(
            default_profile(self.portal.url), EngineSettings(evidence_dir=evidence)
        )
        session = engine.prepare(Credentials(MEMBER, PASSWORD), Plan(day, [Choice(5, SLOT)], 1.0))
        try:
            opens = self.open_at(day, LEAD_S)
            portal_day = f"{day.year}-{day.month}-{day.day}"
            self.control.add_competitor("199", 5, portal_day, SLOT.label, delay_ms=delta_ms)
            result = session.fire(opens)
        finally:
            session.close()
        return result.outcome.value == "booked"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short run (5 releases)")
    parser.add_argument("--releases", type=int, default=None)
    args = parser.parse_args()
    releases = args.releases or (5 if args.quick else 20)
    naive_runs = 2 if args.quick else 4
    deltas = [20.0, 5.0, 2.0, 1.0] if args.quick else [30.0, 15.0, 8.0, 4.0, 2.0, 1.0, 0.5, 0.0]
    random.seed(7)
    work = Path(tempfile.mkdtemp(prefix="bench-release-"))
    evidence = work / "evidence"
    portal = start_portal(work / "democlub", demo=True)
    try:
        bench = Bench(portal)
        engine_late, floor_late, naive_late, errors, paths = [], [], [], [], {}
        for i in range(releases):
            skew = random.choice([-1, 1]) * random.uniform(1500, 4500)
            late, outcome, error_ms, result = bench.engine_release(skew, evidence)
            errors.append(error_ms)
            if late is not None and outcome == "success":
                engine_late.append(late)
            path = result.attempts[0].path if result.attempts else "-"
            paths[path] = paths.get(path, 0) + 1
            print(f"  release {i + 1:2d}/{releases}: skew {skew:+8.1f} ms  "
                  f"offset error {error_ms:+6.2f} ms  late {late} ms  {outcome} via {path}",
                  file=sys.stderr)  # fmt: skip
            floor = bench.floor_release()
            if floor is not None:
                floor_late.append(floor)
        browser_late = []
        for _ in range(2 if args.quick else 5):
            late, outcome, _, _ = bench.engine_release(
                random.uniform(-3000, 3000), evidence, paths=("browser",)
            )
            if late is not None:
                browser_late.append(late)
        for _ in range(naive_runs):
            naive = bench.naive_release()
            if naive is not None:
                naive_late.append(naive)
            print(f"  naive bot: {naive} ms", file=sys.stderr)
        smallest_win = None
        for delta in deltas:
            won = bench.race(delta, evidence)
            print(
                f"  competitor at +{delta} ms: {'we win' if won else 'they win'}", file=sys.stderr
            )
            if not won:
                break
            smallest_win = delta
    finally:
        portal.stop()

    e50, e95 = pct(engine_late, 0.5), pct(engine_late, 0.95)
    f50, f95 = pct(floor_late, 0.5), pct(floor_late, 0.95)
    n50, n95 = pct(naive_late, 0.5), pct(naive_late, 0.95)
    abs_err = [abs(e) for e in errors]
    print()
    print(f"bench/release.py: {releases} releases, skewed portal clock (±1.5-4.5 s), loopback")
    print(f"{'measure':<52}{'n':>4}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
    rows = [
        ("(a) engine: submit received after release", engine_late),
        ("(b) floor: pre-opened raw door request", floor_late),
        ("    engine, browser path only (fallback)", browser_late),
        ("(c) naive bot: browser started at release", naive_late),
        ("(d) |clock offset error| vs injected skew", abs_err),
    ]
    for name, values in rows:
        top = max(values) if values else float("nan")
        print(f"{name:<52}{len(values):>4}{pct(values, 0.5):>10.2f}{pct(values, 0.95):>10.2f}"
              f"{top:>10.2f}")  # fmt: skip
    print(f"ratio engine/floor (p50, p95): {e50 / f50:.2f}x, {e95 / f95:.2f}x")
    print(f"ratio naive/engine (p50, p95): {n50 / e50:.0f}x, {n95 / e95:.0f}x")
    print(f"engine submit paths used: {paths}")
    print(f"targets: (a) p95 <= 30 ms: {'met' if e95 <= 30 else 'MISSED'}; "
          f"(d) within ±25 ms: {'met' if max(abs_err) <= 25 else 'MISSED'}")  # fmt: skip
    beaten = "none" if smallest_win is None else f"{smallest_win} ms"
    print(f"(e) smallest competitor delay we still beat: {beaten} (tried {deltas})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
