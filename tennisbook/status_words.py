"""The system status in words: each part's state and sentence, and the summary.

``tennisbook.status`` gathers the checks and the portal probes; this turns
them into what the header says. Each part is ``{"name", "state", "text",
"detail"}``: ``state`` is ``ok``, ``warn``, ``down`` or ``unknown``,
``text`` is for every member, ``detail`` (the checks' own words: which
dependency, its error, the worker hosts) only for operators.
"""

from __future__ import annotations

from typing import Any

SEVERITY = {"ok": 0, "unknown": 1, "warn": 2, "down": 3}
ALL_NORMAL = "All systems normal"
CLOCK_IMPRECISE_MS = 50.0  # beyond this uncertainty a submit may arrive noticeably late
BOOKING_QUEUE = "booking"
DEFAULT_QUEUE = "default"


def part(name: str, state: str, text: str, detail: str = "") -> dict:
    return {"name": name, "state": state, "text": text, "detail": detail}


def ms(value: float) -> str:
    """``0.2 ms``, ``12 ms``, ``1.2 s``: short enough for a header."""
    size = abs(value)
    if size >= 1000:
        return f"{value / 1000:.1f} s"
    if size >= 10:
        return f"{value:.0f} ms"
    return f"{value:.1f} ms"


def site_part(checks: dict | None) -> dict:
    if checks is None:
        return part("site", "unknown", "Site: not checked yet")
    site = checks["site"]
    errors = site.get("errors") or {}
    detail = "; ".join(f"{name}: {error}" for name, error in errors.items())
    status = site.get("status")
    if status == "ready":
        return part("site", "ok", "Site: normal")
    if status == "degraded":
        waiting = site.get("waiting")
        if waiting:
            detail = "; ".join(filter(None, [detail, f"{waiting} results wait in the outbox"]))
        return part("site", "warn", "Site: results are saved with a delay", detail)
    return part("site", "down", "Site: having trouble, bookings may fail", detail)


def workers_part(checks: dict | None) -> dict:
    if checks is None:
        return part("workers", "unknown", "Workers: not checked yet")
    workers = checks["workers"]
    hosts = workers.get("hosts") or {}
    detail = "; ".join(f"{host} ({', '.join(queues)})" for host, queues in sorted(hosts.items()))
    if not workers.get("reachable"):
        return part("workers", "down", "Workers: not reachable", workers.get("error", ""))
    if not hosts:
        return part("workers", "down", "Workers: none running")
    serving = {queue for queues in hosts.values() for queue in queues}
    if BOOKING_QUEUE not in serving:
        return part("workers", "down", "Workers: none for bookings", detail)
    if DEFAULT_QUEUE not in serving:
        return part("workers", "warn", "Workers: background tasks stopped", detail)
    count = len(hosts)
    return part("workers", "ok", f"Workers: {count} running", detail)


def clock_text(offset: float, uncertainty: float | None) -> str:
    if offset > 0:
        said = f"portal {ms(offset)} ahead"
    elif offset < 0:
        said = f"portal {ms(-offset)} behind"
    else:
        said = "portal in step"
    return said + (f" ± {ms(uncertainty)}" if uncertainty is not None else "")


def portal_parts(portals: dict | None, *, now: float, stale_after: float) -> list[dict]:
    if portals is None:
        return [part("portals", "unknown", "Portals: not checked yet")]
    if now - portals["at"] > stale_after:
        minutes = max(1, round((now - portals["at"]) / 60))
        return [part("portals", "unknown", "Portals: not checked recently", f"{minutes} min ago")]
    clubs = portals["clubs"]
    several = len(clubs) > 1
    parts = []
    for club in clubs:
        name, ident = club["name"], club["id"]
        if club["ok"]:
            parts.append(part(f"portal:{ident}", "ok", f"Portal reachable: {name}"))
        elif club.get("kind") == "misconfigured":
            text = f"Portal not usable: {name}"
            parts.append(part(f"portal:{ident}", "down", text, club.get("error", "")))
            continue
        else:
            text = f"Portal unreachable: {name}"
            parts.append(part(f"portal:{ident}", "down", text, club.get("error", "")))
            continue
        where = f"Clock at {name}" if several else "Clock"
        offset, uncertainty = club.get("offset_ms"), club.get("uncertainty_ms")
        if offset is None:
            parts.append(part(f"clock:{ident}", "warn", f"{where}: not measured"))
            continue
        text = f"{where}: {clock_text(offset, uncertainty)}"
        imprecise = uncertainty is not None and uncertainty > CLOCK_IMPRECISE_MS
        rtt = club.get("rtt_ms")
        detail = f"round trip {ms(rtt)}" if rtt is not None else ""
        parts.append(
            part(
                f"clock:{ident}",
                "warn" if imprecise else "ok",
                text + (" (imprecise)" if imprecise else ""),
                detail,
            )
        )
    return parts


def feed_parts(
    checks: dict | None, portals: dict | None, *, now: float, stale_after: float
) -> list[dict]:
    return [
        site_part(checks),
        workers_part(checks),
        *portal_parts(portals, now=now, stale_after=stale_after),
    ]


def summary_of(parts: list[dict[str, Any]]) -> tuple[str, str]:
    """The worst state and the sentence that says it ("Workers: none running, and 1 more")."""
    worst = max(parts, key=lambda p: SEVERITY[p["state"]])
    if worst["state"] == "ok":
        return "ok", ALL_NORMAL
    others = sum(1 for p in parts if p["state"] != "ok") - 1
    return worst["state"], worst["text"] + (f", and {others} more" if others else "")
