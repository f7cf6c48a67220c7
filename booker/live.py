"""An attempt's steps, told to the request's watchers as they happen (docs/realtime.md).

The engine's stopwatch calls a ``StepPublisher`` at every step; the
publisher turns the engine's step names into the member's words
(``booking.step`` events) and hands them to a thread of its own, which
publishes them. The engine's thread only puts an item on a queue: at the
release instant the publisher is idle (the last step before it, "waiting",
left seconds earlier), and a broken Redis costs the attempt nothing but its
live view (logged once; the rest of the attempt's steps are dropped).
"""

from __future__ import annotations

import queue
import threading
import time
from datetime import UTC, datetime
from typing import Any

import structlog

from realtime import broadcast

log = structlog.get_logger(__name__)

KIND = "booking.step"
STOP = object()

# The engine's step → (the step the page knows, its label when done, when it failed).
# Steps not listed (the browser slot, warming, evidence, closing) are the
# engine's business only.
STEPS: dict[str, tuple[str, str, str]] = {
    "launch": ("browser", "Browser ready", "The browser did not start"),
    "login": ("login", "Logged in", "Login failed"),
    "relogin": ("login", "Logged in again", "Login failed"),
    "open_form": ("form", "Form open", "The form did not open"),
    "door_ids": ("form", "Direct path ready", "The direct path is not available"),
    "clock_sync": ("clock_sync", "Clock synced", "The clock could not be synced"),
    "wait": ("wait", "Waiting for the release", "The wait was interrupted"),
    "submit": ("submit", "Submitted", "The submit failed"),
    "verify": ("verify", "Verified in your bookings", "Your bookings could not be read"),
    "reconcile": (
        "verify",
        "Your bookings checked after an unclear reply",
        "Your bookings could not be read",
    ),
}
# Steps shown when they start (the page counts down); the others when they end.
SHOWN_AT_START = {"wait"}
KEPT = ("court", "path", "fire_at", "offset_ms", "uncertainty_ms", "outcome", "ms_after_release")

REPLIES = {
    "success": "The portal confirmed the booking",
    "not_open": "The portal said booking is not open yet",
    "slot_taken": "The portal said the slot is taken",
    "quota": "The portal said your booking limit is reached",
    "session_expired": "The portal's session had expired",
    "bad_credentials": "The portal refused the login",
    "server_error": "The portal answered with an error",
    "transport_error": "The portal's answer was lost",
}


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _clock_words(offset_ms: float, uncertainty_ms: float) -> str:
    side = "ahead" if offset_ms >= 0 else "behind"
    return f"the portal's clock is {abs(offset_ms):.2f} ms {side} ± {uncertainty_ms:.2f} ms"


def translate(name: str, state: str, extra: dict[str, Any]) -> list[dict[str, Any]]:
    """The page's events for one engine step (none for the engine's own steps)."""
    if name == "reply":
        return _reply_events(extra)
    if name == "release_watch":
        until = f"{extra.get('seconds', 0):g}"
        return [
            {
                "step": "release_watch",
                "state": "started",
                "label": "Still not open: watching the portal",
                "detail": f"asking more slowly until {until} s after the release",
            }
        ]
    if name not in STEPS or (state == "started") != (name in SHOWN_AT_START):
        return []
    if name == "submit" and state == "done":
        return []  # told by the reply, which knows how late it arrived
    step, done, failed = STEPS[name]
    event = {"step": step, "state": state, "label": failed if state == "error" else done}
    event["detail"] = extra.get("detail", "")
    if "ms" in extra and state != "started":
        event["elapsed_ms"] = extra["ms"]
    event.update({key: extra[key] for key in KEPT if key in extra})
    if step == "clock_sync" and "offset_ms" in extra and state == "done":
        event["detail"] = _clock_words(extra["offset_ms"], extra["uncertainty_ms"])
        if extra.get("shared"):
            event["detail"] += " (measured once for everyone booking this portal now)"
    if step == "form" and "court" in extra and not event["detail"]:
        event["detail"] = f"court {extra['court']}"
    return [event]


def _reply_events(extra: dict[str, Any]) -> list[dict[str, Any]]:
    after = extra.get("ms_after_release")
    submitted = {
        "step": "submit",
        "state": "done",
        "label": "Submitted" if after is None else f"Submitted {after:+.2f} ms after the release",
        "detail": f"{extra.get('choice', '')} through {extra.get('path', '')}".strip(),
        **{key: extra[key] for key in ("path", "court", "ms_after_release") if key in extra},
    }
    outcome = str(extra.get("outcome", ""))
    reply = {
        "step": "reply",
        "state": "done" if outcome == "success" else "error",
        "label": REPLIES.get(outcome, f"The portal replied: {outcome}"),
        "detail": str(extra.get("message") or "")[:500],
        "outcome": outcome,
        "round_trip_ms": extra.get("round_trip_ms"),
    }
    return [submitted, reply]


class StepPublisher:
    """The live timeline of one attempt of one request.

    ``__call__`` is the engine's step listener; ``started`` and ``finished``
    frame the attempt; ``close`` waits (briefly) for the queue to drain.
    """

    def __init__(self, request_id: str, attempt: int) -> None:
        self.request_id, self.attempt = request_id, attempt
        self.stream = broadcast.request_stream(request_id)
        self.queue: queue.SimpleQueue = queue.SimpleQueue()
        self.failed = False
        self.thread = threading.Thread(target=self._run, name=f"live-{request_id[:8]}", daemon=True)
        self.thread.start()

    def __call__(self, name: str, state: str, extra: dict[str, Any]) -> None:
        for event in translate(name, state, extra):
            self._put(event)

    def started(self) -> None:
        self._put({"step": "attempt", "state": "started", "label": "Attempt started", "detail": ""})

    def finished(self, result: dict[str, Any]) -> None:
        ok = bool(result.get("ok"))
        words = result.get("message") or result.get("reason") or result.get("detail") or ""
        self._put(
            {
                "step": "finished",
                "state": "done" if ok else "error",
                "label": "Booked" if ok else "Not booked",
                "detail": str(words)[:500],
                "outcome": result.get("outcome"),
            }
        )

    def close(self, timeout: float = 2.0) -> None:
        self.queue.put(STOP)
        self.thread.join(timeout)

    def _put(self, event: dict[str, Any]) -> None:
        event.update(request_id=self.request_id, attempt=self.attempt, at=_now_iso())
        self.queue.put(event)

    def _run(self) -> None:
        while (event := self.queue.get()) is not STOP:
            if self.failed:
                continue  # Redis is away: each try would wait out its timeout
            started = time.perf_counter()
            try:
                broadcast.publish(self.stream, KIND, event)
            except Exception:  # Redis or the layer is down: the booking goes on
                if not self.failed:
                    log.warning("booking.live_step_failed", exc_info=True, step=event["step"])
                self.failed = True
                continue
            if time.perf_counter() - started > 0.5:
                log.warning("booking.live_step_slow", step=event["step"])
