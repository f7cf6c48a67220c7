"""Page tests: a real headless Chromium against the whole running stack.

- ``site`` (session): ONE stack as ``make run`` starts it (daphne web, Celery
  worker and beat, Redis, the DynamoDB/KMS emulator, both demo portals) on
  free loopback ports with its own var dir, the fast booking pipeline, loose
  auth rate limits (every test logs in from 127.0.0.1) and the club's portal
  profile pointed at this stack's own democlub. ``.url`` is the site's base
  URL, ``.stack`` the ``BackgroundStack``; every other attribute is the
  ``BookingStack``'s (``.member``/``.operator`` API sessions,
  ``set_system_value``, ``wait_for_status``, ``tail`` ...). The start waits
  at most 120 s for the banner (``start_booking_stack``), else fails with the
  stack's output; stopped (Ctrl-C) at the end of the session. The stack is a
  ``BackgroundStack``, the base of tests/integration's ``DevStack`` (which
  only adds a foreground run), so no conftest module is imported here.
- ``browser`` (per test): a fresh Chromium profile, 1280x900. When the test
  ends the fixture fails it if any page asked for a host other than
  loopback (read from the performance log) or a page script failed (an
  uncaught error, a script that did not load: read from the console), and
  always quits the browser. A failed test's report carries the console.

Every test under ``tests/pages/`` is marked ``browser`` and ``integration``.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tennisbook.devstack.background import BackgroundStack
from tests.integration.booking_stack import BookingStack, start_booking_stack

from .browser import (
    assert_only_local_requests,
    console_entries,
    describe_console,
    new_browser,
    page_errors,
    requested_urls,
)

HERE = Path(__file__).resolve().parent

# Every test registers and logs in from 127.0.0.1: the per-address limits of
# the auth pages would otherwise refuse a whole session's worth of them.
LOOSE_AUTH_LIMITS = {
    "AUTH_RATE_LOGIN": "1000/m",
    "AUTH_RATE_REGISTER": "1000/m",
    "AUTH_RATE_PASSWORD_RESET": "1000/m",
    "AUTH_RATE_TOKEN": "1000/m",
    "LOGIN_IP_FAILURES": "1000",
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.integration)


class Site:
    """The running stack as the page tests see it: a base URL plus the stack's helpers."""

    def __init__(self, booking: BookingStack, started_in: float):
        self.booking = booking
        self.stack = booking.stack
        self.url = booking.site
        self.started_in = started_in  # seconds, for the curious (--durations shows it too)

    def page(self, path: str) -> str:
        """The absolute URL of ``path`` (``/accounts/login/``) on this site."""
        return f"{self.url}{path}"

    def __getattr__(self, name: str):
        return getattr(self.booking, name)


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    stacks: list[BackgroundStack] = []

    def make_stack() -> BackgroundStack:
        stacks.append(BackgroundStack(tmp_path_factory.mktemp("pages-stack") / "var"))
        return stacks[-1]

    started = time.monotonic()
    try:
        booking = start_booking_stack(make_stack, **LOOSE_AUTH_LIMITS)
    except BaseException:
        for stack in stacks:
            stack.kill_everything()
        raise
    yield Site(booking, time.monotonic() - started)
    for stack in stacks:
        stack.stop()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """A failed page test carries what the browser's console said (its own report section)."""
    report = yield
    driver = item.funcargs.get("browser") if hasattr(item, "funcargs") else None
    if report.failed and driver is not None:
        try:
            entries = console_entries(driver)
        except Exception as error:  # the browser died with the test: say so, keep the failure
            entries = [{"level": "INFO", "message": f"(console unreadable: {error})"}]
        if entries:
            report.sections.append(("browser console", describe_console(entries)))
    return report


@pytest.fixture
def browser(tmp_path, monkeypatch):
    # Selenium Manager is never needed (explicit binaries); never let it phone home.
    monkeypatch.setenv("SE_AVOID_STATS", "true")
    driver = new_browser(tmp_path / "chromium-profile")
    try:
        yield driver
        urls = requested_urls(driver)  # read before quitting: the log dies with the browser
        entries = console_entries(driver)
    finally:
        driver.quit()
    assert_only_local_requests(urls)
    errors = page_errors(entries)
    if errors:
        pytest.fail("a page script failed in the browser:\n  " + "\n  ".join(errors))
