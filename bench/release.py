"""How close to the release instant does the engine's submit reach the portal?

Runs against a private democlub on loopback (started and stopped here):
``--portal first`` (the condominium portal, the default) or ``--portal
second`` (the grid portal: another family, 30-80 ms of server work per page
by default, ``--server-work LOW-HIGH``), and prints one table:

(a) engine: ms after the release instant at which the portal *received* our
    submit (its attempt log), p50/p95 over N releases, portal clock skewed;
    on the fast path (first: the door; second: the replay) and browser-only;
(b) floor: a minimal pre-authenticated raw HTTP request (first: the door;
    second: the form's POST with a logged-in session and a fresh token)
    fired by this script at the release instant on a pre-opened socket,
    using the portal's true clock; ratio engine/floor;
(c) naive bot: starts Chromium at the release instant, logs in, opens the
    form and submits (what most public scripts do); ratio naive/engine;
(d) clock-offset estimation error against the injected skew;
(e) a competitor taking the same slot δ ms after release: the smallest δ
    at which we still win;
(f) early arrivals: submits the portal received before the release on its
    own clock (a bug; the target is none), and how many releases ended
    booked and verified.

``--scale`` runs the scale scenario instead: 20 members (created through the
portal's control API), 20 different slots (courts 5 and 7) released at one
instant, prepared the way the processor does (one thread per member, a
browser pool of BOOKER_MAX_BROWSERS = 2, browsers released before the wait)
and fired together; once with the HTTP door allowed (door, replay, browser
fallback) and browser-only with 2 browsers, then browser-only with as many
browsers as members (their launches bounded to 2 at a time). It prints the
portal's receive time after release (p50/p95/max of each member's first
submit, from its attempt log), successes, and peak memory (RSS and PSS of
this process and its Chromium descendants, sampled every 0.25 s).

    .venv/bin/python bench/release.py [--portal first|second] [--quick] [--releases N]
                                      [--server-work 30-80]
    .venv/bin/python bench/release.py --scale [--members 20] [--pool 2]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _portals import KINDS, LEAD_S, Bench, pct  # noqa: E402

from democlub.testing import start_portal  # noqa: E402


def _work(text: str) -> tuple[float, float]:
    low, _, high = text.partition("-")
    try:
        values = (float(low), float(high or low))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected LOW-HIGH in ms, got {text!r}") from None
    if not 0 <= values[0] <= values[1] <= 2000:
        raise argparse.ArgumentTypeError(f"expected 0 <= LOW <= HIGH <= 2000, got {text!r}")
    return values


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--portal", choices=sorted(KINDS), default="first",
                        help="first (condo, the default) or second (grid)")  # fmt: skip
    parser.add_argument("--server-work", type=_work, default=None, metavar="LOW-HIGH",
                        help="server work per page, ms (first: 0, second: 30-80)")  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="a short run (5 releases)")
    parser.add_argument("--releases", type=int, default=None)
    parser.add_argument("--scale", action="store_true", help="many members at one instant")
    parser.add_argument("--members", type=int, default=20, help="--scale: members (max 26)")
    parser.add_argument("--pool", type=int, default=2, help="--scale: BOOKER_MAX_BROWSERS")
    args = parser.parse_args()
    if args.scale:
        from release_scale import scale_main

        return scale_main(min(args.members, 2 * 13), args.pool)
    kind = KINDS[args.portal]
    work_ms = args.server_work or kind.server_work
    releases = args.releases or (5 if args.quick else 20)
    browser_runs = releases if kind.kind == "grid" else (2 if args.quick else 5)
    naive_runs = 2 if args.quick else 4
    deltas = [20.0, 5.0, 2.0, 1.0] if args.quick else [30.0, 15.0, 8.0, 4.0, 2.0, 1.0, 0.5, 0.0]
    random.seed(7)
    work = Path(tempfile.mkdtemp(prefix="bench-release-"))
    evidence = work / "evidence"
    portal = start_portal(work / "democlub", kind=kind.kind, demo=True)
    runs: dict[str, dict] = {}
    try:
        bench = Bench(portal, kind)
        bench.set_server_work(*work_ms)
        floor_late, naive_late, errors = [], [], []
        fast = "door" if kind.kind == "condo" else "replay"
        for name, paths, count in ((fast, None, releases), ("browser", ("browser",), browser_runs)):
            run = runs[name] = {"late": [], "early": 0, "booked": 0, "n": 0, "paths": {}}
            for i in range(count):
                skew = random.choice([-1, 1]) * random.uniform(1500, 4500)
                late, outcome, error_ms, result, early = bench.engine_release(
                    skew, evidence, **({"paths": paths} if paths else {})
                )
                errors.append(error_ms)
                run["n"] += 1
                run["early"] += early
                run["booked"] += result.outcome.value == "booked" and result.verified
                if late is not None and outcome == "success":
                    run["late"].append(late)
                path = result.attempts[0].path if result.attempts else "-"
                run["paths"][path] = run["paths"].get(path, 0) + 1
                clock = result.clock or {}
                print(f"  {name} {i + 1:2d}/{count}: skew {skew:+8.1f} ms  offset error "
                      f"{error_ms:+6.2f} ms  aimed +{clock.get('aimed_after_release_ms')} ms "
                      f"(±{clock.get('could_be_off_ms')})  late {late} ms  {outcome} via {path}, "
                      f"{result.outcome.value}; early {early}", file=sys.stderr)  # fmt: skip
                if name == fast:
                    floor = bench.floor_release()
                    if floor is not None:
                        floor_late.append(floor)
        for _ in range(naive_runs):
            naive = bench.naive_release()
            if naive is not None:
                naive_late.append(naive)
            print(f"  naive bot: {naive} ms", file=sys.stderr)
        # The race measures our timing, not the portal's: the competitor books in-process,
        # without the page's server work our request waits through, so that work is off.
        bench.set_server_work(0.0, 0.0)
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

    engine_late, browser_late = runs[fast]["late"], runs["browser"]["late"]
    e50, e95 = pct(engine_late, 0.5), pct(engine_late, 0.95)
    f50, f95 = pct(floor_late, 0.5), pct(floor_late, 0.95)
    n50, n95 = pct(naive_late, 0.5), pct(naive_late, 0.95)
    b95 = pct(browser_late, 0.95)
    abs_err = [abs(e) for e in errors]
    print()
    print(f"bench/release.py --portal {args.portal}: {kind.label}, {releases} releases, skewed "
          f"portal clock (±1.5-4.5 s), server work {work_ms[0]:g}-{work_ms[1]:g} ms per page, "
          "loopback")  # fmt: skip
    print(f"{'measure':<52}{'n':>4}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
    floor_name = "door request" if kind.kind == "condo" else "form POST (session + token)"
    rows = [
        (f"(a) engine ({fast}): submit received after release", engine_late),
        (f"(b) floor: pre-opened raw {floor_name}", floor_late),
        ("(a) engine, browser path only", browser_late),
        ("(c) naive bot: browser started at release", naive_late),
        ("(d) |clock offset error| vs injected skew", abs_err),
    ]
    for name, values in rows:
        top = max(values) if values else float("nan")
        print(f"{name:<52}{len(values):>4}{pct(values, 0.5):>10.2f}{pct(values, 0.95):>10.2f}"
              f"{top:>10.2f}")  # fmt: skip
    print(f"ratio engine/floor (p50, p95): {e50 / f50:.2f}x, {e95 / f95:.2f}x")
    print(f"ratio naive/engine (p50, p95): {n50 / e50:.0f}x, {n95 / e95:.0f}x")
    for name, run in runs.items():
        print(f"(f) {name}: early arrivals {run['early']} in {run['n']} releases; booked "
              f"and verified {run['booked']}/{run['n']}; first submits {run['paths']}")  # fmt: skip
    early = sum(run["early"] for run in runs.values())
    booked = all(run["booked"] == run["n"] for run in runs.values())
    print(f"targets: (a) {fast} p95 <= 30 ms: {'met' if e95 <= 30 else 'MISSED'}; browser p95 "
          f"<= 300 ms: {'met' if b95 <= 300 else 'MISSED'}; (f) 0 early: "
          f"{'met' if early == 0 else 'MISSED'}; every success booked: "
          f"{'met' if booked else 'MISSED'}; (d) within ±25 ms: "
          f"{'met' if max(abs_err) <= 25 else 'MISSED'}")  # fmt: skip
    beaten = "none" if smallest_win is None else f"{smallest_win} ms"
    print(f"(e) smallest competitor delay we still beat: {beaten} (tried {deltas}; "
          "server work off: the competitor books in-process)")  # fmt: skip
    print(f"lead: releases {LEAD_S:g} s after preparation; ms are the portal's attempt log")
    return 0


if __name__ == "__main__":
    sys.exit(main())
