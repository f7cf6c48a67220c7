"""The running portal's state: settings, clock, storage and competitors.

``Portal`` is the one object the WSGI layers share. Settings are swapped
whole (see ``democlub.settings``); readers take ``portal.settings`` once per
request and use that snapshot throughout.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from pathlib import Path
from typing import Any

from democlub.parsing import parse_settings
from democlub.settings import DemoRelease, Settings
from democlub.store import Store

log = logging.getLogger(__name__)


class Portal:
    """Shared state of one democlub process."""

    def __init__(self, initial: Settings, data_dir: Path):
        self._initial = initial
        self._settings = initial
        self._settings_lock = threading.Lock()
        self.store = Store(data_dir / "democlub.sqlite3")
        self._listeners: list = []

    # --- settings ---

    @property
    def settings(self) -> Settings:
        return self._settings

    def on_change(self, callback) -> None:
        """Call ``callback()`` after every settings change or reset."""
        self._listeners.append(callback)

    def replace(self, settings: Settings) -> Settings:
        with self._settings_lock:
            self._settings = settings
        self._notify()
        return settings

    def patch(self, changes: dict[str, Any]) -> Settings:
        """Merge top-level keys into the current settings; raises ``ConfigError``."""
        with self._settings_lock:
            merged = {**self._settings.to_json(), **changes}
            self._settings = parse_settings(merged, self._settings.kind)
        self._notify()
        return self._settings

    def reset(self) -> None:
        """Back to the settings loaded at start, with no sessions, bookings or attempts."""
        with self._settings_lock:
            self._settings = self._initial
        self.store.clear()
        self._notify()
        log.info("portal reset")

    def _notify(self) -> None:
        for callback in self._listeners:
            callback()

    # --- clock ---

    def now_ns(self) -> int:
        """The portal's clock: real time plus the configured offset, in ns."""
        return time.time_ns() + round(self._settings.clock_offset_ms * 1_000_000)

    def now(self) -> dt.datetime:
        """The portal's clock as an aware datetime in the club's zone."""
        settings = self._settings
        return dt.datetime.fromtimestamp(self.now_ns() / 1e9, tz=settings.timezone)

    def today(self) -> dt.date:
        return self.now().date()


# The court of each kind's demo release (the first area if it is not configured).
DEMO_AREAS = {"condo": 5, "grid": 1}


def with_demo_release(settings: Settings, now: dt.datetime, minutes: float | None) -> Settings:
    """Seed the demo release: a date of the demo court opening ``minutes`` from ``now``.

    The chosen date is the first one the court's rule has not opened yet (a
    rolling window: the day after the window's last day), so before the
    override fires a newcomer's request really is "not yet open".
    """
    if settings.demo_release is not None:
        return settings
    area = settings.area(DEMO_AREAS[settings.kind]) or settings.areas[0]
    wait = settings.demo_release_minutes if minutes is None else minutes
    rule = area.release
    ahead = rule.days_ahead if rule.kind == "fixed" else int(rule.window_minutes // 1440)
    day = now.astimezone(settings.timezone).date() + dt.timedelta(days=ahead + 1)
    opens = (now + dt.timedelta(minutes=wait)).astimezone(settings.timezone)
    demo = DemoRelease(
        area=area.id,
        day=day,
        opens_at=opens.replace(microsecond=0),
        slot=settings.grid(area).starts()[1 if len(settings.grid(area).starts()) > 1 else 0],
    )
    data = {**settings.to_json(), "demo_release": demo.to_json(settings.kind)}
    return parse_settings(data, settings.kind)
