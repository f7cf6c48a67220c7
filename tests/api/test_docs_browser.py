"""The API documentation in a real browser, with no internet.

Chromium resolves no name but loopback (``--host-resolver-rules``), as on a
newcomer's machine offline: Swagger UI and ReDoc must still render every
operation, and the browser's own network log must show that no request
left loopback (no CDN, no web font).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from urllib.parse import urlsplit

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.test.testcases import LiveServerThread
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from booker.browser import CHROMIUM_FLAGS

pytestmark = pytest.mark.browser

FLAGS = (
    *CHROMIUM_FLAGS,
    # No internet: every name but loopback fails to resolve.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
)


@pytest.fixture(scope="module")
def site():
    """This project's site on a free loopback port, static files included."""
    server = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.terminate()


@pytest.fixture
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_AVOID_STATS", "true")
    profile = tempfile.mkdtemp(prefix="tennisbook-docs-chrome-")
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def requested_hosts(driver) -> set[str]:
    """Every host the page sent a request to, from Chromium's network log.

    A request the browser blocked itself (the ReDoc page's Content Security
    Policy refuses Redocly's logo) never left it and is not counted.
    """
    sent, blocked = {}, set()
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        params = message["params"]
        if message["method"] == "Network.requestWillBeSent":
            sent[params["requestId"]] = urlsplit(params["request"]["url"])
        elif message["method"] == "Network.loadingFailed" and params.get("blockedReason"):
            blocked.add(params["requestId"])
    return {
        url.hostname
        for request_id, url in sent.items()
        if request_id not in blocked and url.scheme in ("http", "https", "ws", "wss")
    }


def wait_for(driver, css: str, timeout: float = 20):
    WebDriverWait(driver, timeout).until(lambda d: d.find_elements(By.CSS_SELECTOR, css))
    return driver.find_elements(By.CSS_SELECTOR, css)


def test_swagger_ui_renders_every_operation_without_leaving_loopback(site, browser):
    browser.get(f"{site}/api/docs/")

    operations = wait_for(browser, ".opblock-summary-path")
    paths = {op.get_attribute("data-path") or op.text for op in operations}
    assert {"/api/bookings", "/api/auth/login", "/api/users/me/config"} <= paths
    assert requested_hosts(browser) == {"127.0.0.1"}


def test_redoc_renders_the_operations_without_leaving_loopback(site, browser):
    browser.get(f"{site}/api/redoc/")

    wait_for(browser, "[data-section-id^='operation/']")
    assert "/api/bookings" in browser.find_element(By.TAG_NAME, "body").text
    assert requested_hosts(browser) == {"127.0.0.1"}
