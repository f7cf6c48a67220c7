"""The member pages follow a real booking live, in Chromium, with no reload.

One member has the dashboard, the history and the request's page open in
three tabs when the engine books court 5's 07:00 slot of the club's
tomorrow, released ~30 s ahead (``schedule_release``: the demo pipeline
hands it to a worker at once, which logs in, syncs the clock and waits).
The request's page draws the run's steps in order as they come (the first
ones replayed, the wait counting down to the release, then the submit, the
reply and the check), then shows the recorded outcome and attempts; the
dashboard's row and the history's row turn "Booked": all without leaving
the documents they were (a window marker survives). A member whose portal
password is wrong sees the portal's refusal on the page at once; a
browser without a socket still sees its dashboard change, by polling.

The 07:00 reservation is cancelled at the portal afterwards
(``PortalTidy``), and the release rules and the portal's clock put back,
so later modules find the stack as it started.
"""

from __future__ import annotations

import re
import uuid

import pytest
from selenium.webdriver.common.by import By

from tests.integration.booking_stack import COURT, SLOT

from .browser import axe_check, log_in, screenshots, wait_for, wait_text
from .member_api import ApiMember, PortalTidy, club_day
from .members import COURT_2, COURT_NAMES, PASSWORD, mark_page, page_text, same_page

RUN_WITHIN = 120  # seconds from the request to "Booked" (a release ~30 s ahead, a loaded machine)
POLL_WITHIN = 30  # seconds: the pages poll every 20 s while the socket is not live
SIX_AM = "De 06:00 AM a 07:00 AM"  # the failing login's slot: no other page test asks for it
BAD_LOGIN = "Número de filial o contraseña incorrectos."  # the demo portal's own words
MINE = {"include": [["main"]]}  # axe: these pages' own parts (the header is tested elsewhere)
LIVE_STATE = "return document.getElementById('live-state').dataset.state"
NO_SOCKET = """
window.WebSocket = class {
  constructor() { throw new Error("this test's browser has no WebSocket"); }
};
"""
IN_ORDER = ["login", "clock_sync", "wait", "submit", "reply", "verify", "finished"]


@pytest.fixture
def release(site):
    """``release(seconds_ahead)``: court 5's 07:00 slot of the club's tomorrow opens soon.

    The club's release rules, the portal's court 5 rule and the portal's
    clock are put back afterwards, and the reservation cancelled.
    """
    rules = site.system_value("release_rules")
    portal = site.portal.config()
    area = next(area for area in portal["areas"] if area["id"] == COURT)
    tidy = PortalTidy(site)

    def schedule(seconds_ahead: float):
        made = site.schedule_release(seconds_ahead)
        tidy.booked_for_members(COURT, made.day, SLOT)
        return made

    yield schedule
    site.set_system_value("release_rules", rules)
    site.portal.set_area(COURT, release=area["release"])
    site.portal.set_clock(offset_ms=portal["clock_offset_ms"])
    tidy.cancel_all()


def _steps(browser) -> list[dict]:
    return browser.execute_script(
        "return [...document.querySelectorAll('#live-steps li')].map((li) => ({"
        "  step: li.dataset.step, state: li.className, text: li.innerText}));"
    )


def _tab(browser, url: str) -> str:
    """Open ``url`` in a new tab, marked; returns the tab's handle."""
    browser.switch_to.new_window("tab")
    browser.get(url)
    mark_page(browser)
    return browser.current_window_handle


def test_a_booking_is_followed_live_on_the_dashboard_the_history_and_its_page(
    site, browser, release
):
    member = ApiMember.register(site)
    log_in(browser, site, member.username, PASSWORD)
    dashboard = browser.current_window_handle
    browser.get(site.page("/"))
    mark_page(browser)

    soon = release(30)
    asked = member.ask(COURT, soon.day, SLOT)
    request_id = asked["request_id"]
    # The new request reaches the open dashboard by itself.
    row_css = f"#requests [data-request-id='{request_id}']"
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, row_css), message="the new row")

    day = soon.day.isoformat()
    history = _tab(browser, site.page(f"/bookings/history?court={COURT}&from={day}&to={day}"))
    history_chip = f"#history-table tr[data-request-id='{request_id}'] .chip"
    assert browser.find_elements(By.CSS_SELECTOR, history_chip), page_text(browser)

    _tab(browser, site.page(f"/bookings/{request_id}/"))
    # The steps so far (replayed), then the wait counting down to the release.
    wait_for(
        browser,
        lambda d: any(s["step"] == "wait" for s in _steps(d)),
        timeout=RUN_WITHIN,
        message="the wait step",
    )
    countdown = browser.find_elements(By.CSS_SELECTOR, "#live-steps .live-countdown")
    if countdown and countdown[0].text != "now":  # a slow machine may be past it already
        first = countdown[0].text
        left = re.fullmatch(r"in (\d+\.\d) s", first)
        assert left, first
        # On this machine's clock, though the portal's runs tens of seconds apart.
        assert float(left[1]) == pytest.approx(soon.seconds_left(), abs=2), first
        wait_for(
            browser,
            lambda d: d.find_element(By.CSS_SELECTOR, "#live-steps .live-countdown").text != first,
            timeout=3,
            message="the countdown ticking",
        )
        axe_check(browser, MINE)
        screenshots(browser, "live-request-waiting")

    # The release: submit, the portal's reply, the check, the end; then the recorded parts.
    wait_text(browser, "#request-status .chip", "Booked", timeout=RUN_WITHIN)
    wait_for(
        browser,
        lambda d: any(s["step"] == "finished" for s in _steps(d)),
        message="the finished step",
    )
    steps = _steps(browser)
    names = [s["step"] for s in steps]
    found = [names.index(name) for name in IN_ORDER if name in names]
    assert len(found) == len(IN_ORDER), names
    assert found == sorted(found), names
    for step in steps:
        assert re.search(r"\d\d:\d\d:\d\d\.\d{3}", step["text"]), step  # its instant
    clock = next(s for s in steps if s["step"] == "clock_sync")
    assert re.search(r"[\d.]+ ms", clock["text"]), clock  # how long it took, and the offset
    assert "state-started" not in " ".join(s["state"] for s in steps), steps  # none left open
    assert browser.find_element(By.ID, "live-run-error").text == ""
    wait_for(
        browser,
        lambda d: d.find_elements(By.CSS_SELECTOR, "#run-report #attempts tbody tr"),
        message="the recorded attempts",
    )
    assert (
        f"Booked: {COURT_NAMES[str(COURT)]}" in browser.find_element(By.ID, "request-status").text
    )
    assert same_page(browser), "the request's page was reloaded"
    axe_check(browser, MINE)
    screenshots(browser, "live-request-booked")

    browser.switch_to.window(history)
    wait_text(browser, history_chip, "Booked", timeout=30)
    row = browser.find_element(By.CSS_SELECTOR, f"tr[data-request-id='{request_id}']")
    assert "no longer matches" not in row.text, row.text
    assert same_page(browser), "the history was reloaded"

    browser.switch_to.window(dashboard)
    wait_text(browser, f"{row_css} .chip", "Booked", timeout=30)
    assert same_page(browser), "the dashboard was reloaded"
    axe_check(browser, MINE)

    # Opened afresh, the request's page replays nothing of the run it already records.
    browser.get(site.page(f"/bookings/{request_id}/"))
    wait_for(browser, lambda d: d.execute_script(LIVE_STATE) == "live", message="the socket")
    browser.execute_async_script("setTimeout(arguments[0], 1000)")  # the replay's time
    assert not browser.find_element(By.ID, "live-run").is_displayed(), _steps(browser)
    assert browser.find_elements(By.CSS_SELECTOR, "#run-report #attempts tbody tr")


def test_a_refused_login_shows_the_portals_words_at_once(site, browser):
    name, password = f"live{uuid.uuid4().hex[:8]}", f"pw-{uuid.uuid4().hex[:12]}"
    site.portal.add_member(name, password, "Live page test")
    member = ApiMember.register(site, portal_account=False)
    member.post(
        "/api/users/me/config",
        {"portal_username": name, "portal_password": "not-the-portal-password"},
        expect=(200, 201),
    )
    log_in(browser, site, member.username, PASSWORD)
    asked = member.ask(COURT_2, club_day(2), SIX_AM)  # open already: the engine runs now
    browser.get(site.page(f"/bookings/{asked['request_id']}/"))
    mark_page(browser)

    alert = wait_text(browser, "#live-run-error", BAD_LOGIN, timeout=RUN_WITHIN)
    assert alert.get_attribute("role") == "alert"
    assert alert.text.startswith("Login failed"), alert.text
    failed = [s for s in _steps(browser) if "state-error" in s["state"]]
    assert failed, _steps(browser)
    assert failed[0]["step"] == "login", failed
    wait_text(browser, "#request-status .chip", "Not booked", timeout=RUN_WITHIN)
    assert BAD_LOGIN in browser.find_element(By.ID, "request-status").text
    assert same_page(browser), "the request's page was reloaded"
    axe_check(browser, MINE)


def test_without_the_socket_the_dashboard_still_follows_by_polling(site, browser):
    # Every document of this browser starts without WebSocket: live.js never gets live.
    browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": NO_SOCKET})
    member = ApiMember.register(site)
    asked = member.ask(COURT_2, club_day(24), SIX_AM)  # far ahead: it waits
    log_in(browser, site, member.username, PASSWORD)
    row = f"#requests [data-request-id='{asked['request_id']}'] .chip"
    wait_text(browser, row, "Waiting for the release")
    assert browser.find_element(By.ID, "live-state").get_attribute("data-state") != "live"
    mark_page(browser)

    member.cancel(asked["request_id"])
    wait_text(browser, row, "Cancelled", timeout=POLL_WITHIN)
    assert same_page(browser), "the dashboard was reloaded"
    state = browser.find_element(By.ID, "live-state").get_attribute("data-state")
    assert state in ("reconnecting", "offline"), state  # it was the poll, not an event
