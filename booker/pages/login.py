"""The portal's login page."""

from __future__ import annotations

import time

from .base import POLL_S, Page, PageError


class LoginFailed(Exception):
    """The portal refused the credentials; ``message`` is its own text."""

    def __init__(self, message: str):
        super().__init__(message or "login refused")
        self.message = message


class LoginPage(Page):
    def login(self, username: str, password: str) -> str:
        """Log in; returns the page URL after login (the dashboard, with its session param)."""
        spec = self.profile["login"]
        self.driver.switch_to.default_content()
        self.driver.get(self.url(spec["url"]))
        user_box = self.find(spec["username"], visible=True)
        pass_box = self.find(spec["password"], visible=True)
        user_box.clear()
        user_box.send_keys(username)
        pass_box.clear()
        pass_box.send_keys(password)
        start_url = self.driver.current_url
        self._click(self.find(spec["submit"], visible=True))
        return self._await_outcome(spec, start_url)

    def _await_outcome(self, spec: dict, start_url: str) -> str:
        deadline = time.monotonic() + self.timeout_s
        marker = spec["success_url_contains"]
        while time.monotonic() < deadline:
            url = self.driver.current_url
            arrived = (marker and marker in url) or (not marker and url != start_url)
            if arrived and not (spec["error"] and self.exists(spec["error"])):
                return url
            if spec["error"] and self.exists(spec["error"]):
                raise LoginFailed(self.text_of(spec["error"]))
            time.sleep(POLL_S)
        raise PageError("login: neither the dashboard nor an error appeared")
