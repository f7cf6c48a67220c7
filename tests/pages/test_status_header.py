"""The header's system status in Chromium, against the whole running stack.

A member's pages carry the indicator: rendered from the server's cache,
then kept fresh from ``/status.json`` by status.js. On the stack as it runs
(web, both workers, beat, both demo portals) it ends on "All systems
normal", and its panel lists each part in words: the site, the workers,
each club's portal and its clock's offset. A member sees no internal
detail; the demo operator sees the worker hosts. Visitors have no
indicator.
"""

from __future__ import annotations

import re

from selenium.webdriver.common.by import By

from .browser import axe_check, log_in, log_out, screenshots, wait_for, wait_text
from .member_api import ApiMember
from .members import PASSWORD, mark_page, page_text, same_page

SETTLES_WITHIN = 60  # seconds: the first probe of both portals, then status.js's next look
OPERATOR = ("operator", "tennisbook-operator")  # the stack's demo operator
MINE = {"include": [[".system-status-box"], ["main"]]}  # axe: the indicator and the page
CLOCK = re.compile(
    r"^Clock( at .+)?: portal (in step|[\d.]+ (ms|s) (ahead|behind)) ± [\d.]+ (ms|s)"
)


def _parts(browser) -> list[str]:
    return browser.execute_script(
        "return [...document.querySelectorAll('#system-status-parts .status-text')]"
        "  .map((node) => node.textContent.trim());"
    )


def _details(browser) -> list[str]:
    return browser.execute_script(
        "return [...document.querySelectorAll('#system-status-parts .status-detail')]"
        "  .map((node) => node.textContent.trim());"
    )


def test_the_header_shows_the_systems_state_in_words_and_keeps_it_fresh(site, browser):
    member = ApiMember.register(site)
    log_in(browser, site, member.username, PASSWORD)
    box = browser.find_element(By.ID, "system-status")
    assert box.find_element(By.ID, "system-status-summary").text, page_text(browser)
    mark_page(browser)

    # The stack is healthy: status.js (not a reload) brings the header to normal.
    wait_text(browser, "#system-status-summary", "All systems normal", timeout=SETTLES_WITHIN)
    assert same_page(browser)
    assert "state-ok" in box.get_attribute("class").split()

    box.find_element(By.TAG_NAME, "summary").click()
    parts = _parts(browser)
    assert parts[:2] == ["Site: normal", "Workers: 2 running"], parts
    portals = [text for text in parts if text.startswith("Portal reachable: ")]
    clocks = [text for text in parts if text.startswith("Clock")]
    assert len(portals) >= 1, parts
    assert len(clocks) == len(portals), parts
    assert all(CLOCK.match(text) for text in clocks), clocks
    assert _details(browser) == []  # members see the words, not the checks' internals
    checked = browser.find_element(By.ID, "system-status-checked").text
    assert re.fullmatch(r"Checked \d\d:\d\d:\d\d UTC", checked), checked
    axe_check(browser, MINE)
    screenshots(browser, "system-status-open")

    # The feed itself: what status.js reads, with no detail for a member.
    feed = browser.execute_async_script(
        "const done = arguments[0];"
        "fetch('/status.json').then((r) => r.json()).then(done, (e) => done(String(e)));"
    )
    assert feed["summary"] == "All systems normal", feed
    assert all("detail" not in part for part in feed["parts"]), feed


def test_the_operator_sees_which_workers_answer(site, browser):
    log_in(browser, site, *OPERATOR)
    wait_text(browser, "#system-status-summary", "All systems normal", timeout=SETTLES_WITHIN)
    browser.find_element(By.CSS_SELECTOR, "#system-status summary").click()
    wait_for(browser, lambda d: _details(d), message="the operator's detail")
    details = " ".join(_details(browser))
    assert "booking@" in details, details
    assert "default@" in details, details
    log_out(browser)
    assert not browser.find_elements(By.ID, "system-status")  # a visitor's page has none
