"""The engine's own settings, as plain data (no Django needed).

``EngineSettings.from_django()`` reads the ``BOOKER_*`` settings of
``tennisbook.settings.base`` for the Celery worker; ``tennis.py`` and the
benchmark build one directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class EngineSettings:
    chromium_binary: str = "/usr/bin/chromium"
    chromedriver: str = "/usr/bin/chromedriver"
    evidence_dir: Path = field(default_factory=lambda: Path("var") / "evidence")
    lead_time_s: float = 120.0  # book(): prepare this long before the release
    retry_window_s: float = 5.0  # keep retrying "not yet open" / 5xx this long after release
    clock_target_ms: float = 3.0  # stop probing when the offset is known to this
    clock_probes_per_round: int = 6
    # Sessions of one engine (or one SharedClocks) within this many seconds
    # of a portal's clock sync take its estimate instead of probing again;
    # 0: every session syncs on its own.
    clock_share_s: float = 30.0
    warm_ahead_ms: float = 300.0  # open connections and fill the form this early
    paths: tuple[str, ...] | None = None  # override the profile's submission.paths
    page_timeout_s: float = 20.0
    browser_wait_s: float = 300.0  # longest wait for a slot of the engine's browser pool

    @classmethod
    def from_django(cls, **overrides) -> EngineSettings:
        from django.conf import settings

        values = {
            "chromium_binary": str(settings.BOOKER_CHROMIUM_BINARY),
            "chromedriver": str(settings.BOOKER_CHROMEDRIVER),
            "evidence_dir": Path(settings.BOOKER_EVIDENCE_DIR),
            "lead_time_s": settings.BOOKER_LEAD_TIME_SECONDS,
            "retry_window_s": settings.BOOKER_RETRY_WINDOW_SECONDS,
            "clock_share_s": settings.BOOKER_CLOCK_SHARE_SECONDS,
        }
        values.update(overrides)
        return cls(**values)
