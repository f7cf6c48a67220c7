"""What the engine did for a request, in words a member reads on the request's page.

The stored result (``booker.results.BookingResult.to_dict``) holds the
attempts, the timed steps, the portal clock's measured offset and the
evidence kept of a failure. ``run_report`` turns it into texts and numbers
for the templates: each attempt's choice by court name, the path and the
portal's answer in words, the steps in order with a bar length relative to
the longest, the clock's offset as "ahead"/"behind". A result written by an
older engine (or by hand) may lack any part, or hold odd values: what
cannot be read is left out, never guessed.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from numbers import Real
from typing import Any

from django.urls import reverse

from tennisbook import timefmt

from .dynamo import BookingRequest
from .evidence import evidence_file

# booker's step names (``watch.step(...)`` in booker/) in plain words.
STEP_TEXT = {
    "browser_slot": "Waiting for a free browser",
    "launch": "Starting the browser",
    "login": "Logging in to the portal",
    "relogin": "Logging in again (the portal ended the session)",
    "check_existing": "Checking your reservations on the portal",
    "open_form": "Opening the booking form",
    "door_ids": "Reading the slot numbers for direct booking",
    "release_browser": "Closing the browser (direct HTTP from here on)",
    "clock_sync": "Measuring the portal's clock",
    "wait": "Waiting for the release",
    "warm": "Opening the connections",
    "submit": "Submitting",
    "verify": "Confirming the booking in your reservations",
    "reconcile": "Checking your reservations after an unclear answer",
    "evidence": "Keeping a screenshot of the failure",
    "close": "Closing the browser",
}
PATH_TEXT = {  # how a submit went: (name, how exactly)
    "browser": ("Browser", "the booking form, clicked"),
    "door": ("Direct HTTP", "the portal's booking API"),
    "replay": ("Direct HTTP", "the booking form, replayed"),
}
STEP_PATH_TEXT = {
    "browser": "in the browser",
    "door": "by direct HTTP (the portal's booking API)",
    "replay": "by direct HTTP (the booking form, replayed)",
}
# What one portal reply said (booker.results.ReplyKind).
REPLY_TEXT = {
    "success": "Accepted",
    "not_open": "Not open yet",
    "slot_taken": "Already taken",
    "quota": "Reservation limit reached",
    "session_expired": "Session expired",
    "bad_credentials": "Login refused",
    "server_error": "Portal error",
    "transport_error": "No answer (the connection failed)",
    "unknown": "An answer tennisbook did not recognise",
}
EVIDENCE_TEXT = {
    "screenshot": "Screenshot of the portal's page",
    "html": "The portal's page (HTML)",
    "reply": "The portal's reply",
}
# How a step's exception reads to a member (operators see the exception's name).
STEP_ERROR_TEXT = {"LoginFailed": "the portal refused the login"}
MIN_BAR_PERCENT = 0.5  # a step of a few ms still shows as a sliver


def _opened(opened: object) -> str:
    """When the portal opened, as the submits saw it: "between +5.98 s and +6.31 s"."""
    if not isinstance(opened, dict):
        return ""
    before, after = _ms(opened.get("not_open_until_ms")), _ms(opened.get("open_by_ms"))
    if before is None:
        return ""
    if after is None:
        return f"not yet open at {_seconds(before)} after the release, when tennisbook stopped"
    return f"between {_seconds(before)} and {_seconds(after)} after the release"


def _seconds(ms: float) -> str:
    return f"{ms / 1000:+.2f} s"


def run_report(
    item: BookingRequest, names: dict[int, str], zone: str, *, operator: bool = False
) -> dict | None:
    """The request's result for its page; None when the engine has not run it yet.

    ``operator`` adds the technical ``detail`` that members never see.
    """
    data = item.result_data
    if not data:
        return None
    steps = _steps(data.get("timings"), names, operator)
    release = _instant(data.get("release_at"))
    evidence = evidence_links(item)
    confirmed = _ms(data.get("release_to_confirmation_ms"))
    return {
        "ok": bool(data.get("ok")),
        "reason": _text(data.get("reason")),
        "message": _text(data.get("message")),
        "attempts": _attempts(data.get("attempts"), names),
        "steps": steps,
        "steps_total": ms_text(sum(step["ms"] for step in steps)) if steps else "",
        "clock": _clock(data.get("clock")),
        "release_at": release,
        "release_club": timefmt.club_time(release, zone) if release else "",
        "to_confirmation": ms_text(confirmed) if confirmed is not None else "",
        "open_already": release is not None and release in _asked_at(item),
        "opened": _opened(data.get("opened")),
        "shots": [piece for piece in evidence if piece["image"]],
        "files": [piece for piece in evidence if not piece["image"]],
        "operator": operator,
        "detail": _text(data.get("detail")) if operator else "",
    }


def ms_text(value: float) -> str:
    """``0.4 ms``, ``0.42 ms``, ``12.3 ms``, ``4,512 ms (4.5 s)``."""
    size = abs(value)
    if size >= 1000:
        return f"{value:,.0f} ms ({value / 1000:.1f} s)"
    digits = f"{value:.2f}" if size < 10 else f"{value:.1f}"
    return f"{digits.rstrip('0').rstrip('.')} ms"


def evidence_links(item: BookingRequest) -> list[dict]:
    """The evidence still on this server, each with the page URL that serves it."""
    links = []
    for name in sorted((item.result_data.get("evidence") or {}).keys()):
        found = evidence_file(item, name)
        if found is None:
            continue
        links.append(
            {
                "name": name,
                "label": EVIDENCE_TEXT.get(name, name.replace("_", " ").capitalize()),
                "url": reverse("bookings:evidence", args=[item.request_id, name]),
                "image": found[1].startswith("image/"),
            }
        )
    return links


# --- the parts -------------------------------------------------------------------------


def _attempts(raw: Any, names: dict[int, str]) -> list[dict]:
    rows = []
    for record in raw if isinstance(raw, list) else []:
        if not isinstance(record, dict):
            continue
        after = _ms(record.get("ms_after_release"))
        trip = _ms(record.get("round_trip_ms"))
        status = record.get("http_status")
        path = _text(record.get("path"))
        court, slot = _choice(record.get("choice"), names)
        outcome = _text(record.get("outcome"))
        rows.append(
            {
                "court": court,
                "slot": slot,
                "path": PATH_TEXT.get(path, (path or "Unknown", ""))[0],
                "path_detail": PATH_TEXT.get(path, ("", ""))[1],
                "outcome": outcome,
                "outcome_text": REPLY_TEXT.get(outcome, outcome.replace("_", " ")),
                "message": _text(record.get("message")),
                "after_release": "" if after is None else ms_text(abs(after)),
                "early": after is not None and after < 0,
                "round_trip": "" if trip is None else ms_text(trip),
                "http_status": str(status) if isinstance(status, int) else "",
            }
        )
    return rows


def _steps(raw: Any, names: dict[int, str], operator: bool) -> list[dict]:
    steps = []
    for timing in raw if isinstance(raw, list) else []:
        if not isinstance(timing, dict) or _ms(timing.get("ms")) is None:
            continue
        name = _text(timing.get("step")) or "step"
        label = STEP_TEXT.get(name, name.replace("_", " ").capitalize())
        if isinstance(timing.get("court"), int | str) and timing.get("court") != "":
            label += ": " + _court_name(timing["court"], names)
        if _text(timing.get("choice")):
            label += " " + _text(timing["choice"])
        if _text(timing.get("path")):
            label += " " + STEP_PATH_TEXT.get(timing["path"], f"by {_text(timing['path'])}")
        error = _text(timing.get("error"))
        steps.append(
            {
                "step": name,
                "label": label,
                "ms": float(timing["ms"]),
                "text": ms_text(float(timing["ms"])),
                "failed": _step_error(error, operator),
            }
        )
    longest = max((step["ms"] for step in steps), default=0.0)
    for step in steps:
        share = step["ms"] / longest * 100 if longest > 0 else 0.0
        step["percent"] = f"{max(share, MIN_BAR_PERCENT):.1f}"
    return steps


def _step_error(error: str, operator: bool) -> str:
    if not error:
        return ""
    if operator:
        return f"stopped: {error}"
    return STEP_ERROR_TEXT.get(error, "stopped with an error")


def _clock(raw: Any) -> dict | None:
    if not isinstance(raw, dict):
        return None
    offset, uncertainty = _ms(raw.get("offset_ms")), _ms(raw.get("uncertainty_ms"))
    if offset is None:
        return None
    if offset > 0:
        said = f"The portal's clock was {ms_text(offset)} ahead of tennisbook's"
    elif offset < 0:
        said = f"The portal's clock was {ms_text(-offset)} behind tennisbook's"
    else:
        said = "The portal's clock matched tennisbook's"
    if uncertainty is not None:
        said += f", ± {ms_text(uncertainty)}"
    facts = []
    probes, sync = raw.get("probes"), _ms(raw.get("sync_ms"))
    if isinstance(probes, int) and probes > 0:
        facts.append(f"measured with {probes} probes" + (f" in {ms_text(sync)}" if sync else ""))
    network = _ms(raw.get("network_rtt_ms"))
    if network is not None:
        facts.append(f"network round trip {ms_text(network)}")
    aimed = _ms(raw.get("aimed_after_release_ms"))
    return {
        "text": said + ".",
        "facts": "; ".join(facts),
        "aimed": ms_text(aimed) if aimed is not None else "",
    }


def _asked_at(item: BookingRequest) -> set[datetime]:
    """When the request was made pending (created, tried again).

    A date already open fires at once: its fire time is that very instant.
    """
    return {entry.at for entry in item.history if entry.to_status == "pending"}


def _choice(raw: Any, names: dict[int, str]) -> tuple[str, str]:
    """The court's name and the slot of a recorded choice ("" for what is missing)."""
    if not isinstance(raw, dict):
        return "", ""
    court = _court_name(raw.get("court"), names) if raw.get("court") is not None else ""
    return court, _text(raw.get("slot"))


def _court_name(court: Any, names: dict[int, str]) -> str:
    try:
        number = int(court)
    except (TypeError, ValueError):
        return _text(court)
    return names.get(number, f"Court {number}")


def _ms(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, Real | Decimal):
        return None
    return float(value)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _instant(value: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return moment if moment is not None and moment.tzinfo is not None else None
