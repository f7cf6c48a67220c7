"""The browser submit path: the prepared form submitted inside Chromium.

The slowest path and the last resort: after ``release_browser()`` it
relaunches a browser under the engine's pool (``session.ensure_browser``)
only when the HTTP paths could not be used, in ``arm`` (before the lease is
checked), so that ``send`` is only the submit.
"""

from __future__ import annotations

import time

from .classify import classify
from .pages import ReservationForm
from .portal_session import PortalSession
from .results import Choice
from .submit import Reply


class BrowserPath:
    """Submit inside Chromium: fill the prepared form, submit by one script call."""

    name = "browser"

    def __init__(self, session: PortalSession):
        self.session = session
        # The form is on screen (false after a submit, or with no browser yet).
        self.fresh = session.browser is not None and session.form_court is not None

    @property
    def form(self) -> ReservationForm:
        return ReservationForm(self.session.browser.driver, self.session.engine.profile)

    def ready(self, choice: Choice) -> bool:
        return choice in self.session.schedule_ids

    def warm(self) -> None:
        if self.session.browser is None:
            return  # relaunched only if the HTTP paths fail: no browser is idle meanwhile
        ids = self.session.schedule_ids
        first = next((c for c in self.session.plan.choices if c in ids), None)
        if first is not None and self.fresh and first.court == self.session.form_court:
            self.form.fill(self.session.schedule_ids[first], self.session.computed_fields(first))

    def arm(self, choice: Choice) -> None:
        """Get ``choice``'s form on screen: a browser relaunched and logged in if need be."""
        session = self.session
        if session.browser is None:
            session.ensure_browser()
            self.fresh = False
        # After an HTTP submit the form on screen may hold a token the portal has
        # since replaced: open it again rather than submit a stale page.
        if not self.fresh or session.http_submitted or choice.court != session.form_court:
            session.open_form(choice.court)
            self.fresh, session.http_submitted = True, False

    def send(self, choice: Choice) -> Reply:
        session = self.session
        self.arm(choice)  # nothing to do when the loop has just armed it
        self.fresh = False
        sent = self.form.submit(session.schedule_ids[choice], session.computed_fields(choice))
        message, html = self.form.reply()
        outcome = classify(message, session.engine.profile["reply"]["patterns"])
        return Reply(outcome, message, sent, time.time_ns(), None, html)

    def close(self) -> None:
        pass
