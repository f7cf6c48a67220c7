"""The booking engine's public interface.

::

    engine = BookingEngine(profile, EngineSettings(...))
    session = engine.prepare(credentials, plan)    # minutes before the release
    try:
        result = session.fire(release_at)          # aware datetime, portal time
    finally:
        session.close()
    store(result.to_dict())

``prepare`` raises ``PrepareFailed`` (with ``.result``) when it cannot get
ready: the portal refused the password, a page did not match the profile,
the portal is unreachable. ``book`` does all of it for callers without a
scheduler of their own (``tennis.py``). Django, DynamoDB and Redis are never
needed: the profile and the plaintext credentials come in as plain data.

Many members at one instant (scale mode)::

    pool = BrowserPool(2)                            # what the machine holds
    engine = BookingEngine(profile, settings, browser_pool=pool)
    session = engine.prepare(credentials, plan, release_browser=True)
    # the browser is gone (unless only a browser can submit): the session
    # fires over HTTP and relaunches a browser under the pool only if needed

Every browser the engine launches takes a slot of ``browser_pool`` first.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from .clock import SharedClocks
from .pool import BrowserPool, BrowserPoolTimeout, as_pool
from .prepare import PrepareFailed, prepare_session
from .profiles import adapter_for, validate_profile
from .results import BookingResult, Credentials, Plan
from .session import BookingSession
from .settings import EngineSettings
from .timing import StepListener, wait_until

__all__ = [
    "BookingEngine",
    "BookingResult",
    "BookingSession",
    "BrowserPool",
    "BrowserPoolTimeout",
    "Credentials",
    "EngineSettings",
    "Plan",
    "PrepareFailed",
]


class BookingEngine:
    """A portal (its profile) and how to drive it (settings); reusable and stateless."""

    def __init__(
        self,
        profile: dict,
        settings: EngineSettings | None = None,
        browser_pool: BrowserPool | None = None,
        on_step: StepListener | None = None,
        clocks: SharedClocks | None = None,
    ):
        """``browser_pool``: a ``BrowserPool`` or a semaphore shared with other
        engines of this process; every browser launch takes one of its slots
        (waiting up to ``settings.browser_wait_s``). None: unbounded.
        ``on_step`` hears every step of every session as it happens
        (``timing.Stopwatch``): the site's live timeline. ``clocks``: where
        sessions share a portal's clock sync (``settings.clock_share_s``);
        None: among this engine's sessions only."""
        self.on_step = on_step
        self.clocks = clocks if clocks is not None else SharedClocks()
        self.profile = validate_profile(profile)
        self.adapter = adapter_for(self.profile)
        self.settings = settings or EngineSettings()
        self.browser_pool = as_pool(browser_pool)

    def prepare(
        self, credentials: Credentials, plan: Plan, *, release_browser: bool = False
    ) -> BookingSession:
        """Launch, log in, open the form(s), resolve slot ids, sync the clock.

        Call it ``settings.lead_time_s`` before the release. The returned
        session may hold a browser: close it (``with session:`` or ``close()``).
        With ``release_browser`` the browser is given back to the pool as soon
        as the HTTP paths are built (before the clock sync), unless only the
        browser could submit (see ``BookingSession.release_browser``).
        """
        return prepare_session(self, credentials, plan, release_browser=release_browser)

    def book(self, credentials: Credentials, plan: Plan, release_at: datetime) -> BookingResult:
        """Prepare at the lead time, fire at ``release_at``, close; never raises PrepareFailed."""
        lead_ns = round(self.settings.lead_time_s * 1e9)
        start_ns = round(release_at.timestamp() * 1e9) - lead_ns
        if start_ns > time.time_ns():
            wait_until(start_ns)
        try:
            session = self.prepare(credentials, plan)
        except PrepareFailed as exc:
            exc.result.release_at = release_at.astimezone(UTC).isoformat()
            return exc.result
        try:
            return session.fire(release_at)
        finally:
            session.close()
