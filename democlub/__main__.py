"""Command line: ``python -m democlub --kind grid --host 127.0.0.1 --port 8100 --data-dir DIR``.

``--kind`` picks the portal imitated: ``condo`` (the default) or ``grid``.

Prints exactly one line on stdout when ready
(``democlub listening on http://HOST:PORT``) and stops cleanly on SIGTERM or
SIGINT. Everything else goes to the log (stderr).
"""

from __future__ import annotations

import argparse
import datetime as dt
import ipaddress
import json
import logging
import os
import secrets
import signal
import sys
import threading
from pathlib import Path

from democlub.app import PortalApp
from democlub.competitors import CompetitorRunner
from democlub.control import ControlApi
from democlub.parsing import ConfigError, parse_demo_release, parse_settings
from democlub.portal import Portal, with_demo_release
from democlub.server import make_server
from democlub.settings import KINDS, Member, Settings

log = logging.getLogger("democlub")

# The demo members' portal credentials are public by design: tennisbook's demo uses them.
DEMO_MEMBER = Member(member="101", password="cancha-demo-101", name="Socio de demostración")  # noqa: S106
GRID_DEMO_MEMBER = Member(member="alex", password="grid-demo-alex", name="Alex Rivera")  # noqa: S106
DEMO_MEMBERS = {"condo": DEMO_MEMBER, "grid": GRID_DEMO_MEMBER}
TOKEN_ENV = "DEMOCLUB_CONTROL_TOKEN"  # noqa: S105 - a variable name, not a secret
MINUTES_ENV = "DEMOCLUB_DEMO_RELEASE_MINUTES"
# The demo release survives a restart in the data dir while it is at least this
# far ahead: what a restarted stack needs to start, take the demo request back
# from the stopped worker and prepare. Closer (or past), a new one is chosen,
# and tennisbook's `manage.py demo_release` moves the demo request to it.
DEMO_RELEASE_FILE = "demo-release.json"
KEEP_DEMO_RELEASE_AHEAD = dt.timedelta(seconds=60)


class StartupError(Exception):
    """A one-line reason not to start (bad config, refused host)."""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m democlub", description=__doc__)
    parser.add_argument(
        "--kind", choices=KINDS, default="condo", help="which portal to imitate (README)"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100, help="0 picks a free port")
    parser.add_argument("--data-dir", type=Path, default=Path("var/democlub"))
    parser.add_argument("--config", type=Path, help="JSON settings file (see README)")
    parser.add_argument("--control-token", help=f"default: ${TOKEN_ENV}, else generated")
    parser.add_argument(
        "--demo", action="store_true", help="seed the demo member (101, alex) and a demo release"
    )
    parser.add_argument(
        "--demo-release-minutes",
        type=float,
        default=_env_minutes(),
        help=f"default: ${MINUTES_ENV}, else from config, 3",
    )
    parser.add_argument("--allow-remote", action="store_true", help="allow a non-loopback host")
    parser.add_argument("--log-level", default="INFO")
    return parser.parse_args(argv)


def _is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def load_settings(path: Path | None, kind: str = "condo") -> Settings:
    """Settings of a kind from the config file (or its defaults); raises ``StartupError``."""
    if path is None:
        return parse_settings({}, kind)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise StartupError(f"cannot read config {path}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise StartupError(f"bad config {path}: not valid JSON (line {exc.lineno})") from None
    try:
        return parse_settings(data, kind)
    except ConfigError as exc:
        raise StartupError(f"bad config {path}: {exc.key or 'top level'}: {exc.message}") from None


def _env_minutes() -> float | None:
    raw = os.environ.get(MINUTES_ENV, "").strip()
    try:
        return float(raw) if raw else None
    except ValueError:
        sys.stderr.write(f"democlub: {MINUTES_ENV}={raw!r} is not a number of minutes\n")
        raise SystemExit(2) from None


def seed_demo(
    settings: Settings, portal_now, minutes: float | None, data_dir: Path | None = None
) -> Settings:
    """Add the kind's demo member (unless configured) and the demo release.

    With ``data_dir``, the demo release of the previous start is kept while it
    is still far enough ahead (``KEEP_DEMO_RELEASE_AHEAD``), and the one in
    force is saved there for the next start.
    """
    data = settings.to_json()
    demo_member = DEMO_MEMBERS[settings.kind]
    if settings.member(demo_member.member) is None:
        data["members"] = [*data["members"], demo_member.to_json()]
    if data_dir is not None and data.get("demo_release") is None:
        data["demo_release"] = kept_demo_release(data_dir, settings, portal_now)
    seeded = with_demo_release(parse_settings(data, settings.kind), portal_now, minutes)
    if data_dir is not None and seeded.demo_release is not None:
        save_demo_release(data_dir, seeded)
    return seeded


def kept_demo_release(data_dir: Path, settings: Settings, now: dt.datetime) -> dict | None:
    """The saved demo release, if it is valid here and still far enough ahead."""
    try:
        saved = json.loads((data_dir / DEMO_RELEASE_FILE).read_text(encoding="utf-8"))
        demo = parse_demo_release(saved, "demo_release")
    except (OSError, ValueError, ConfigError):
        return None
    if settings.area(demo.area) is None or demo.opens_at - now < KEEP_DEMO_RELEASE_AHEAD:
        return None
    return demo.to_json(settings.kind)


def save_demo_release(data_dir: Path, settings: Settings) -> None:
    path = data_dir / DEMO_RELEASE_FILE
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps(settings.demo_release.to_json(settings.kind)), encoding="utf-8")
    partial.replace(path)  # a crash mid-write leaves the previous file, never half of one


def control_token(args: argparse.Namespace) -> str:
    """The token from the flag, the environment, or a fresh one saved 0600."""
    token = args.control_token or os.environ.get(TOKEN_ENV, "")
    if token:
        return token
    token = secrets.token_urlsafe(24)
    path = args.data_dir / "control-token"
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(token + "\n")
    return token


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    try:
        if not args.allow_remote and not _is_loopback_host(args.host):
            raise StartupError(f"refusing to bind {args.host}: not loopback (use --allow-remote)")
        settings = load_settings(args.config, args.kind)
        args.data_dir.mkdir(parents=True, exist_ok=True)
        token = control_token(args)
    except StartupError as exc:
        sys.stderr.write(f"democlub: {exc}\n")
        return 2

    portal = Portal(settings, args.data_dir)
    if args.demo:
        # The demo starts clean so a newcomer's repeated runs never hit the quota.
        portal.store.clear()
        settings = seed_demo(settings, portal.now(), args.demo_release_minutes, args.data_dir)
        portal = _restart_with(portal, settings, args.data_dir)
    competitors = CompetitorRunner(portal)
    app = PortalApp(portal, ControlApi(portal, competitors, token))
    try:
        server = make_server(args.host, args.port, app, portal.now_ns)
    except OSError as exc:
        sys.stderr.write(f"democlub: cannot listen on {args.host}:{args.port}: {exc.strerror}\n")
        return 2

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    competitors.start()
    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2})
    serving.start()
    host, port = server.server_address[:2]
    shown = f"[{host}]" if ":" in host else host
    if settings.demo_release is not None:
        demo = settings.demo_release
        log.info(
            "demo release (%s): area %s day %s opens at %s",
            settings.kind,
            demo.area,
            demo.day,
            demo.opens_at,
        )
    print(f"democlub listening on http://{shown}:{port}", flush=True)  # noqa: T201 - the ready line
    stop.wait()
    log.info("stopping")
    server.shutdown()
    serving.join()
    server.server_close()
    competitors.stop()
    portal.store.close()
    return 0


def _restart_with(portal: Portal, settings: Settings, data_dir: Path) -> Portal:
    """A portal whose start config (what reset restores) includes the demo seed."""
    portal.store.close()
    return Portal(settings, data_dir)


if __name__ == "__main__":
    sys.exit(main())
