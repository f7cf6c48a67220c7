"""Each enabled club's portal, probed by beat: is it reachable, and how far off is its clock.

The probe is the engine's own clock sync (``booker.clock.HttpClock``) on
the probe URL of the club's portal profile, with a timeout on every
connection and fewer probes than a booking uses: the header needs the
offset to a few milliseconds, not a booking's best. Clubs are probed side
by side. The results go to Django's cache (``PORTALS_KEY``), where
``tennisbook.status`` reads them; a probe that cannot list the clubs
(DynamoDB away) leaves the last results, which then grow stale.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import structlog
from celery import shared_task
from django.conf import settings
from django.core.cache import cache

from booker.clock import HttpClock
from booker.profiles import validate_profile
from booker.rawhttp import TransportError
from booker.sources import load_profile
from configs import clubs
from tennisbook.dynamo import DataError
from tennisbook.values import InvalidValue

log = structlog.get_logger(__name__)

VERSION = 1
PORTALS_KEY = f"status:portals:v{VERSION}"
TASK_NAME = "tennisbook.status.probe_portals"
PROBES_PER_ROUND = 4
TARGET_NS = 2_000_000  # stop once the offset is known to ±2 ms
MAX_PARALLEL = 4


def probe_club(club_id: str, name: str, profile: dict) -> dict:
    """One club's portal: reachable or not (why), and its clock's offset when reachable."""
    entry: dict[str, Any] = {"id": club_id, "name": name, "ok": False}
    try:
        clock = profile["clock"]
        estimate = HttpClock(
            profile["base_url"],
            clock["url"],
            settings.STATUS_PROBE_TIMEOUT_SECONDS,
            method=clock["method"],
            static=clock["static"],
        ).sync(PROBES_PER_ROUND, TARGET_NS)
    except (TransportError, OSError) as exc:
        return entry | {"kind": "unreachable", "error": str(exc) or type(exc).__name__}
    except Exception as exc:  # a probe must never stop the others
        log.exception("portal_probe.failed", club=club_id)
        return entry | {"kind": "unreachable", "error": f"{type(exc).__name__}: {exc}"}
    measured = estimate.to_dict()
    return entry | {
        "ok": True,
        "offset_ms": measured["offset_ms"],
        "uncertainty_ms": measured["uncertainty_ms"],
        "rtt_ms": measured["network_rtt_ms"],
    }


def club_profiles() -> list[tuple[str, str, dict | str]]:
    """Each enabled club's id, name and validated profile (or why it has none usable)."""
    found = []
    for club in clubs.list_clubs():
        if not club.enabled:
            continue
        try:
            found.append((club.id, club.name, validate_profile(load_profile(club.id))))
        except InvalidValue as exc:
            found.append((club.id, club.name, f"its portal profile is invalid: {exc}"))
    return found


def probe_all() -> list[dict]:
    """Every enabled club's result, in the clubs' order (the default club first)."""
    targets = club_profiles()  # read here: the settings cache is not for threads
    usable = [
        (ident, name, profile) for ident, name, profile in targets if isinstance(profile, dict)
    ]
    with ThreadPoolExecutor(max_workers=max(1, min(MAX_PARALLEL, len(usable)))) as pool:
        probed = dict(
            zip(
                [ident for ident, _, _ in usable],
                pool.map(lambda target: probe_club(*target), usable),
                strict=True,
            )
        )
    results = []
    for ident, name, profile in targets:
        if isinstance(profile, str):
            results.append(
                {"id": ident, "name": name, "ok": False, "kind": "misconfigured", "error": profile}
            )
        else:
            results.append(probed[ident])
    return results


def publish(results: list[dict]) -> None:
    entry = {"version": VERSION, "at": time.time(), "clubs": results}
    cache.set(PORTALS_KEY, entry, settings.STATUS_PROBE_SECONDS * 20)


def valid_results(value: Any) -> dict | None:
    """``value`` if it is a results entry of this version (malformed clubs dropped), else None."""
    if not isinstance(value, dict) or value.get("version") != VERSION:
        return None
    at, listed = value.get("at"), value.get("clubs")
    if not isinstance(at, int | float) or isinstance(at, bool) or not isinstance(listed, list):
        return None
    kept = [club for club in listed if _valid_club(club)]
    return {"version": VERSION, "at": float(at), "clubs": kept}


def _valid_club(club: Any) -> bool:
    if not isinstance(club, dict):
        return False
    if not isinstance(club.get("id"), str) or not isinstance(club.get("name"), str):
        return False
    if not isinstance(club.get("ok"), bool):
        return False
    for key in ("offset_ms", "uncertainty_ms", "rtt_ms"):
        value = club.get(key)
        if value is not None and (not isinstance(value, int | float) or isinstance(value, bool)):
            return False
    return True


@shared_task(name=TASK_NAME, ignore_result=True, soft_time_limit=45, time_limit=60)
def probe_portals() -> int:
    """Beat: probe every enabled club's portal and publish the results; returns how many."""
    try:
        results = probe_all()
    except DataError as exc:
        log.warning("portal_probe.no_clubs", error=str(exc))
        return 0
    publish(results)
    return len(results)


def ask_for_probe() -> None:
    """Queue a probe now (the results are missing or stale); never waits on the broker."""
    try:
        probe_portals.apply_async(retry=False, expires=settings.STATUS_PROBE_SECONDS)
    except Exception:
        log.exception("portal_probe.enqueue_failed")
