"""What a page test does with the browser, in a few verbs.

- ``new_browser(profile_dir)``: headless Chromium as the ``browser`` fixture
  starts it (explicit binaries, no Selenium Manager, performance log on).
- ``requested_urls(driver)`` / ``foreign_requests(driver)``: every URL the
  pages asked for, read from Chrome's performance log (the log is drained
  as it is read, so the URLs are kept per driver and each call sees all).
- ``console_entries(driver)`` / ``page_errors(entries)``: what the console
  said (drained as read, kept per driver), and which of it means a page
  script broke (an uncaught error, a script that did not load).
- ``axe_check(driver, context=None)``: the vendored axe-core on the current
  page, WCAG 2.0/2.1 A and AA; fails on a serious or critical violation.
- ``screenshots(driver, name)``: full-page PNGs at 375 and 1280 px wide.
- ``wait_for``, ``wait_text``: WebDriverWait with a timeout and a message.
- ``register``, ``log_in``, ``log_out``: the account pages, filled and
  clicked as a member would; ``unique_username()`` for a fresh member.
- ``click_through``, ``choose``, ``type_into``, ``press``, ``focused``,
  ``drag``: what a member does on any page (tests/pages/members.py has the
  member pages' own verbs: set up, fill the booking form).
"""

from __future__ import annotations

import base64
import json
import os
import re
import uuid
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from booker.browser import CHROMIUM_FLAGS as ENGINE_FLAGS
from booker.browser import BrowserSettings
from tennisbook.devstack.config import LOOPBACK_HOSTS

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CHROMIUM = BrowserSettings().binary
CHROMEDRIVER = BrowserSettings().driver
AXE_JS = HERE / "vendor" / "axe-core" / "axe.min.js"
WINDOW = (1280, 900)
SCREENSHOT_WIDTHS = (375, 1280)
TIMEOUT = 10.0  # seconds: a local page answers in tens of milliseconds
# The engine's measured headless flags, plus no QUIC (nothing may leave loopback).
CHROMIUM_FLAGS = (*ENGINE_FLAGS, "--disable-quic")
START_ON_BLANK_PAGE = {"session.restore_on_startup": 4, "session.startup_urls": ["about:blank"]}
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
FAILING_IMPACTS = ("serious", "critical")
# Schemes that never leave the machine.
LOCAL_SCHEMES = ("data", "blob", "about")

T = TypeVar("T")


# --- the browser and its network log ---------------------------------------------


class PageBrowser(webdriver.Chrome):
    """Chrome whose ``get`` and ``refresh`` return once the page's own scripts are set up.

    The load event already waits for module scripts; this also catches a
    script that failed (the wait fails naming the console) instead of a
    later click that silently does nothing.
    """

    def get(self, url: str) -> None:
        super().get(url)
        if is_local(url) and urlsplit(url).scheme.startswith("http"):
            _wait_for_layout(self)

    def refresh(self) -> None:
        super().refresh()
        _wait_for_layout(self)


def new_browser(profile_dir: Path) -> WebDriver:
    """Headless Chromium with a fresh profile, 1280x900, performance log on."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile_dir}")
    options.add_argument(f"--window-size={WINDOW[0]},{WINDOW[1]}")
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    options.add_experimental_option(
        "perfLoggingPrefs", {"enableNetwork": True, "enablePage": False}
    )
    # Without a start page this Chromium opens its New Tab Page, which loads
    # hundreds of chrome:// resources (and would reach for Google's servers).
    options.add_experimental_option("prefs", START_ON_BLANK_PAGE)
    driver = PageBrowser(options=options, service=Service(executable_path=CHROMEDRIVER))
    try:
        driver.set_window_size(*WINDOW)
        driver.set_page_load_timeout(30)
        driver.set_script_timeout(30)
    except BaseException:
        driver.quit()
        raise
    return driver


_REQUESTED: weakref.WeakKeyDictionary[WebDriver, list[str]] = weakref.WeakKeyDictionary()


def requested_urls(driver: WebDriver) -> list[str]:
    """Every URL requested (and WebSocket opened) since the driver started, in order."""
    seen = _REQUESTED.setdefault(driver, [])
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            seen.append(message["params"]["request"]["url"])
        elif message.get("method") == "Network.webSocketCreated":
            seen.append(message["params"]["url"])
    return list(seen)


_CONSOLE: weakref.WeakKeyDictionary[WebDriver, list[dict]] = weakref.WeakKeyDictionary()
# Chrome's own line for a response with an error status: the pages answer 4xx
# to a bad form on purpose, so those are not the page's faults.
_HTTP_STATUS_LINE = re.compile(
    r"Failed to load resource: the server responded with a status of 4\d\d"
)


def console_entries(driver: WebDriver) -> list[dict]:
    """Every console line and uncaught error since the driver started (drained as read)."""
    seen = _CONSOLE.setdefault(driver, [])
    seen.extend(driver.get_log("browser"))
    return list(seen)


def page_errors(entries: list[dict]) -> list[str]:
    """The entries that mean a page script broke: uncaught errors, scripts that failed to load."""
    return [
        entry["message"]
        for entry in entries
        if entry.get("level") == "SEVERE" and not _HTTP_STATUS_LINE.search(entry["message"])
    ]


def describe_console(entries: list[dict]) -> str:
    return "\n".join(f"{e.get('level')} {e.get('source', '')}: {e['message']}" for e in entries)


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in LOCAL_SCHEMES or parts.hostname in LOOPBACK_HOSTS


def foreign_requests(driver: WebDriver) -> list[str]:
    """The requested URLs that would leave the machine (should be none)."""
    return [url for url in requested_urls(driver) if not is_local(url)]


def assert_only_local_requests(driver_or_urls: WebDriver | list[str]) -> None:
    """Fail listing every URL off loopback; takes a live driver or URLs read before quitting."""
    urls = driver_or_urls if isinstance(driver_or_urls, list) else requested_urls(driver_or_urls)
    foreign = [url for url in urls if not is_local(url)]
    if foreign:
        pytest.fail(
            "the page asked for hosts other than loopback (no CDN, no fonts, no trackers):\n  "
            + "\n  ".join(dict.fromkeys(foreign))
        )


# --- waiting ----------------------------------------------------------------------


def wait_for(
    driver: WebDriver,
    condition: Callable[[WebDriver], T],
    timeout: float = TIMEOUT,
    message: str = "",
) -> T:
    """``condition(driver)`` once it is truthy; fails after ``timeout`` seconds."""
    waiting = WebDriverWait(driver, timeout, ignored_exceptions=(StaleElementReferenceException,))
    try:
        return waiting.until(condition)
    except TimeoutException:
        pytest.fail(
            f"{message or getattr(condition, '__name__', 'the condition')} not within "
            f"{timeout:.0f} s on {driver.current_url} ({driver.title!r})"
        )
    finally:
        requested_urls(driver)  # keep the performance log drained


def wait_text(driver: WebDriver, css: str, text: str, timeout: float = TIMEOUT) -> WebElement:
    """The first element matching ``css`` once its text contains ``text``."""

    def shown(driver: WebDriver) -> WebElement | bool:
        for element in driver.find_elements(By.CSS_SELECTOR, css):
            if text in element.text:
                return element
        return False

    # htmx swaps parts of the page while we look: an element gone stale is looked up again.
    waiting = WebDriverWait(driver, timeout, ignored_exceptions=(StaleElementReferenceException,))
    try:
        return waiting.until(shown)
    except TimeoutException:
        texts = driver.execute_script(
            "return [...document.querySelectorAll(arguments[0])].map((e) => e.innerText);", css
        )
        pytest.fail(
            f"no {css!r} with {text!r} within {timeout:.0f} s on {driver.current_url}; "
            f"found {texts!r}"
        )
    finally:
        requested_urls(driver)


# The site's page scripts (static/js/*.js) each mark themselves on <html
# data-scripts> once set up (common.js markReady): a test acts only after that.
_SCRIPTS_READY = """
const wanted = [...document.querySelectorAll('script[type=module][src*="/js/"]')]
  .map((script) => new URL(script.src).pathname.split("/").pop().split(".")[0]);
const done = (document.documentElement.dataset.scripts || "").split(" ");
return document.readyState === "complete" && wanted.every((name) => done.includes(name));
"""


def _wait_for_layout(driver: WebDriver) -> None:
    """The document loaded, its page scripts set up, two animation frames painted since."""
    wait_for(
        driver,
        lambda d: d.execute_script(_SCRIPTS_READY),
        message="the page loaded and its scripts set up (see the browser console)",
    )
    driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "requestAnimationFrame(() => requestAnimationFrame(() => done(true)));"
    )


# --- accessibility ----------------------------------------------------------------


def axe_check(driver: WebDriver, context: str | dict | None = None) -> list[dict]:
    """Run axe-core (WCAG 2.0/2.1 A and AA) on the current page; fail on serious or critical.

    ``context`` is axe's: a CSS selector or an include/exclude object; None
    checks the whole document. Returns every violation found (minor and
    moderate ones too), for a test that wants to look at them.
    """
    _wait_for_layout(driver)
    if not driver.execute_script("return typeof window.axe === 'object'"):
        driver.execute_script(AXE_JS.read_text())
    outcome = driver.execute_async_script(
        """
        const [context, options, done] = arguments;
        axe.run(context || document, options).then(
          (results) => done({violations: results.violations.map((v) => ({
            id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
            nodes: v.nodes.map((n) => ({target: n.target, summary: n.failureSummary})),
          }))}),
          (error) => done({error: String(error)}),
        );
        """,
        context,
        {"runOnly": {"type": "tag", "values": list(AXE_TAGS)}, "resultTypes": ["violations"]},
    )
    requested_urls(driver)
    if "error" in outcome:
        pytest.fail(f"axe-core failed on {driver.current_url}: {outcome['error']}")
    violations = outcome["violations"]
    failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
    if failing:
        pytest.fail(
            f"axe-core: {len(failing)} serious or critical violation(s) on "
            f"{driver.current_url} ({driver.title!r}):\n" + "\n".join(map(_describe, failing))
        )
    return violations


def _describe(violation: dict) -> str:
    lines = [f"- {violation['id']} ({violation['impact']}): {violation['help']}"]
    lines += [f"    {node['target']}: {node['summary']}" for node in violation["nodes"]]
    return "\n".join(lines)


# --- screenshots ------------------------------------------------------------------


def artifacts_dir() -> Path:
    """``TENNISBOOK_TEST_ARTIFACTS`` if set, else ``<repo>/var/test-artifacts/screenshots``."""
    configured = os.environ.get("TENNISBOOK_TEST_ARTIFACTS")
    path = Path(configured) if configured else ROOT / "var" / "test-artifacts" / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


def screenshots(driver: WebDriver, name: str) -> list[Path]:
    """Full-page PNGs of the current page at 375 and 1280 px wide; returns their paths.

    The window is resized to each width, the page laid out again, and the
    whole document captured (beyond the viewport); the size is restored after.
    """
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "page"
    before = driver.get_window_size()
    paths = []
    try:
        for width in SCREENSHOT_WIDTHS:
            driver.set_window_size(width, before["height"])
            _wait_for_layout(driver)
            paths.append(_full_page_png(driver, artifacts_dir() / f"{safe}-{width}.png"))
    finally:
        driver.set_window_size(before["width"], before["height"])
    requested_urls(driver)
    return paths


def _full_page_png(driver: WebDriver, path: Path) -> Path:
    width, height = driver.execute_script(
        # The viewport's width, or more when the page overflows it (worth seeing).
        "const e = document.documentElement;"
        "return [Math.max(window.innerWidth, e.scrollWidth),"
        "        Math.max(e.scrollHeight, document.body.scrollHeight)];"
    )
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
        },
    )
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


# --- the account pages ------------------------------------------------------------


def unique_username() -> str:
    return f"member-{uuid.uuid4().hex[:12]}"


def _fill(driver: WebDriver, values: dict[str, str]) -> None:
    for field, value in values.items():
        box = driver.find_element(By.CSS_SELECTOR, f"main form [name={field!r}]")
        box.clear()
        box.send_keys(value)


def _submit(driver: WebDriver) -> None:
    """Click the form's submit button and wait for the page it leads to."""
    button = driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]")
    button.click()
    wait_for(driver, EC.staleness_of(button), message="the next page after submitting")
    _wait_for_layout(driver)


def register(driver: WebDriver, site: Any, username: str, password: str, email: str) -> None:
    """Fill ``/accounts/register/`` and click "Create account"; waits for the next page."""
    driver.get(f"{site.url}/accounts/register/")
    _fill(driver, {"username": username, "email": email, "password": password})
    _submit(driver)


def log_in(driver: WebDriver, site: Any, username: str, password: str) -> None:
    """Fill ``/accounts/login/`` and click "Log in"; waits for the next page."""
    driver.get(f"{site.url}/accounts/login/")
    _fill(driver, {"username": username, "password": password})
    _submit(driver)


def log_out(driver: WebDriver) -> None:
    """Click the header's "Log out" button; waits for the logged-out page."""
    button = driver.find_element(By.XPATH, "//header//button[normalize-space()='Log out']")
    button.click()
    wait_for(driver, EC.staleness_of(button), message="the page after logging out")


def current_path(driver: WebDriver) -> str:
    return urlsplit(driver.current_url).path


# --- what a member does on any page --------------------------------------------------


def click_through(driver: WebDriver, element: WebElement) -> None:
    """Click a link or submit button and wait for the page it leads to."""
    element.click()
    wait_for(driver, EC.staleness_of(element), message="the next page after the click")
    _wait_for_layout(driver)


def choose(driver: WebDriver, css: str, value: str) -> WebElement:
    """Pick the option with ``value`` of the ``<select>`` at ``css`` (fires its change event)."""
    box = driver.find_element(By.CSS_SELECTOR, css)
    Select(box).select_by_value(value)
    return box


def type_into(driver: WebDriver, css: str, text: str, *, clear: bool = True) -> WebElement:
    """Type ``text`` into the field at ``css`` key by key (its input events fire)."""
    box = driver.find_element(By.CSS_SELECTOR, css)
    if clear:
        box.clear()
    box.send_keys(text)
    return box


def press(driver: WebDriver, *keys: str) -> None:
    """Press keys on whatever has the focus (a keyboard user, not ``element.send_keys``)."""
    ActionChains(driver).send_keys(*keys).perform()


def focused(driver: WebDriver) -> WebElement:
    return driver.switch_to.active_element


def drag(driver: WebDriver, source: WebElement, target: WebElement, *, above: bool = True) -> None:
    """Drag ``source`` with the mouse and drop it on the upper (or lower) half of ``target``.

    Chromium starts an HTML5 drag only once the pressed mouse has moved; a
    bare ``ActionChains.drag_and_drop`` (press, jump, release) never does, so
    this presses, nudges, moves in steps and releases.
    """
    height = target.size["height"]
    offset = -height // 4 if above else height // 4
    chain = ActionChains(driver, duration=50)
    chain.click_and_hold(source).move_by_offset(0, 4 if not above else -4)
    chain.move_to_element_with_offset(target, 0, offset).move_by_offset(0, -2 if above else 2)
    chain.release().perform()
