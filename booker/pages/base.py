"""The base of the page objects: locators come from the profile, never from code.

A locator is ``{"css": "...", "index": n}``. Navigation is a list of profile
steps (open, click, frame, top, select, wait, set_src, script) run by
``run_steps``; ``{area}``-style placeholders are filled from a context.
"""

from __future__ import annotations

import time
from urllib.parse import urljoin

from selenium.common.exceptions import (
    NoSuchFrameException,
    StaleElementReferenceException,
    WebDriverException,
)
from selenium.webdriver.support.ui import Select

from ..classify import classify
from ..results import ReplyKind


class PageError(Exception):
    """The page did not look as the profile says (missing element, timeout)."""


POLL_S = 0.02
ERROR_CHECK_S = 0.25  # how often a wait looks for the portal's error page
_PAGE_TEXT_JS = "return document.body ? document.body.innerText.slice(0, 2000) : '';"


class Page:
    timeout_s = 15.0

    def __init__(self, driver, profile: dict):
        self.driver = driver
        self.profile = profile

    def url(self, path: str) -> str:
        return urljoin(self.profile["base_url"] + "/", path.lstrip("/"))

    def find(self, locator: dict, *, visible: bool = False, timeout: float | None = None):
        """The ``index``-th element matching ``css``, waiting until it exists.

        While it waits, the page is checked a few times a second for the
        portal's server-error text (``reply.patterns.server_error``): an error
        page fails at once instead of after the whole timeout.
        """
        deadline = time.monotonic() + (self.timeout_s if timeout is None else timeout)
        css, index = locator["css"], locator.get("index", 0)
        next_check = time.monotonic() + ERROR_CHECK_S
        while True:
            try:
                elements = self.driver.find_elements("css selector", css)
                if len(elements) > index and (not visible or elements[index].is_displayed()):
                    return elements[index]
            except (StaleElementReferenceException, NoSuchFrameException):
                pass
            if time.monotonic() > deadline:
                raise PageError(f"element not found: {css!r} (index {index})")
            if time.monotonic() >= next_check:
                next_check = time.monotonic() + ERROR_CHECK_S
                self._fail_on_error_page(css)
            time.sleep(POLL_S)

    def _fail_on_error_page(self, css: str) -> None:
        patterns = self.profile.get("reply", {}).get("patterns", {})
        if not patterns.get(ReplyKind.SERVER_ERROR):
            return
        try:
            text = self.driver.execute_script(_PAGE_TEXT_JS)
        except WebDriverException:
            return  # mid-navigation: look again at the next check
        if text and classify(text, {ReplyKind.SERVER_ERROR: patterns[ReplyKind.SERVER_ERROR]}) == (
            ReplyKind.SERVER_ERROR
        ):
            raise PageError(f"the portal answered an error page instead of {css!r}: {text[:120]}")

    def exists(self, locator: dict) -> bool:
        elements = self.driver.find_elements("css selector", locator["css"])
        return len(elements) > locator.get("index", 0)

    def text_of(self, locator: dict, timeout: float | None = None) -> str:
        return self.find(locator, timeout=timeout).text.strip()

    def run_steps(self, steps: list[dict], context: dict) -> dict:
        """Run navigation steps; returns values captured on the way."""
        captured: dict[str, str] = {}
        for number, step in enumerate(steps):
            try:
                self._run(step, {**context, **captured}, captured)
            except (PageError, WebDriverException) as exc:
                message = getattr(exc, "msg", None) or str(exc)
                raise PageError(f"step {number} ({step['do']}): {message}") from exc
        return captured

    def _run(self, step: dict, context: dict, captured: dict) -> None:
        kind = step["do"]
        timeout = step.get("timeout_s")
        if kind == "open":
            self.driver.switch_to.default_content()
            self.driver.get(self.url(step["url"].format(**context)))
        elif kind == "top":
            self.driver.switch_to.default_content()
        elif kind == "click":
            self._click(self.find(step, visible=True, timeout=timeout))
        elif kind == "frame":
            self.driver.switch_to.frame(self.find(step, timeout=timeout))
        elif kind == "select":
            element = self.find(step, timeout=timeout)
            value = step["value"].format(**context)
            self._wait_option(element, value)
            choice = Select(element)
            choice.select_by_value(value)
            if step.get("capture"):
                captured[step["capture"]] = choice.first_selected_option.text.strip()
        elif kind == "wait":
            self.find(step, timeout=timeout)
        elif kind == "set_src":
            element = self.find(step, timeout=timeout)
            self.driver.execute_script(
                "arguments[0].src = new URL(arguments[1], document.baseURI).href;",
                element,
                step["url"].format(**context),
            )
        elif kind == "script":
            self.driver.execute_script(step["js"])

    def _wait_option(self, element, value: str) -> None:
        deadline = time.monotonic() + self.timeout_s
        css = f"option[value='{value}']"
        while not element.find_elements("css selector", css):
            if time.monotonic() > deadline:
                raise PageError(f"no option with value {value!r}")
            time.sleep(POLL_S)

    def _click(self, element) -> None:
        try:
            element.click()
        except WebDriverException:
            # Covered or off-screen (a modal's animation): a script click does the same.
            self.driver.execute_script("arguments[0].click();", element)
