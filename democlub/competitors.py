"""Competitor members: other bots that take a slot ``delay_ms`` after release.

One daemon thread waits for the earliest pending competitor on the portal's
clock (coarse condition wait, then short sleeps for the last milliseconds)
and books through the same ``booking.attempt`` as real requests, so it races
them under the store's lock. A settings change or reset wakes the thread to
re-plan; a competitor whose moment has already passed fires at once.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from democlub import messages as msg
from democlub.booking import Attempt, attempt
from democlub.portal import Portal
from democlub.release import opens_at, to_ns
from democlub.settings import Competitor
from democlub.slots import format_day, web_ids

log = logging.getLogger(__name__)

_SPIN_NS = 3_000_000  # below this, sleep in tiny steps instead of waiting on the condition


class CompetitorRunner:
    """Fires each configured competitor once, at release + delay."""

    def __init__(self, portal: Portal):
        self._portal = portal
        self._wake = threading.Condition()
        self._stopped = False
        self._results: dict[tuple, dict[str, Any]] = {}
        portal.on_change(self.replan)
        self._thread = threading.Thread(target=self._run, name="competitors", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        with self._wake:
            self._stopped = True
            self._wake.notify_all()

    def replan(self) -> None:
        with self._wake:
            # After a reset the competitors of the start config may fire again.
            live = {c.key() for c in self._portal.settings.competitors}
            self._results = {k: v for k, v in self._results.items() if k in live}
            if not self._portal.store.attempts(limit=1):
                self._results.clear()
            self._wake.notify_all()

    def status(self) -> list[dict[str, Any]]:
        """Each configured competitor with its target time and, once fired, its outcome."""
        rows = []
        for competitor in self._portal.settings.competitors:
            target = self._target_ns(competitor)
            rows.append(
                {
                    **competitor.to_json(),
                    "fires_at_ns": target,
                    **self._results.get(competitor.key(), {"fired": False}),
                }
            )
        return rows

    def _target_ns(self, competitor: Competitor) -> int | None:
        settings = self._portal.settings
        area = settings.area(competitor.area)
        if area is None:
            return None
        release = to_ns(opens_at(settings, area, competitor.day, competitor.slot))
        return release + round(competitor.delay_ms * 1_000_000)

    def _run(self) -> None:
        while True:
            with self._wake:
                if self._stopped:
                    return
                due, wait_ns = self._plan()
                if not due and wait_ns > _SPIN_NS:
                    self._wake.wait(timeout=min(wait_ns - _SPIN_NS, 500_000_000) / 1e9)
                    continue
            if not due:
                time.sleep(max(wait_ns, 0) / 1e9 / 2 if wait_ns > 200_000 else 0.0001)
                continue
            for competitor in due:
                self._fire(competitor)

    def _plan(self) -> tuple[list[Competitor], int]:
        now = self._portal.now_ns()
        due, wait_ns = [], 10**12
        for competitor in self._portal.settings.competitors:
            if competitor.key() in self._results:
                continue
            target = self._target_ns(competitor)
            if target is None or target <= now:
                due.append(competitor)
            else:
                wait_ns = min(wait_ns, target - now)
        return due, wait_ns

    def _fire(self, competitor: Competitor) -> None:
        settings = self._portal.settings
        area = settings.area(competitor.area)
        received = self._portal.now_ns()
        schedule = ""
        if area is not None:
            ids = web_ids(settings.kind, area.id, competitor.day, settings.grid(area).starts())
            schedule = str(ids.get(competitor.slot, ""))
        outcome = attempt(
            self._portal,
            Attempt(
                member=competitor.member,
                area=str(competitor.area),
                day=format_day(competitor.day),
                schedule_id=schedule,
                door="competitor",
                received_ns=received,
            ),
        )
        with self._wake:
            self._results[competitor.key()] = {
                "fired": True,
                "fired_ns": received,
                "outcome": outcome.code,
                "attempt_id": outcome.attempt_id,
            }
        level = logging.INFO if outcome.code == msg.OUTCOME_SUCCESS else logging.WARNING
        log.log(level, "competitor %s: %s", competitor.member, outcome.code)
