"""A visitor becomes a member and gets a court, through the pages only.

The landing page, registration, the four wizard steps (portal account, the
login test against the stack's demo portal, preferences, the first request),
the confirmation, and the dashboard that follows the request until the demo
portal has booked it. Each page passes axe-core and is photographed at 375
and 1280 px.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from selenium.webdriver.common.by import By

from democlub.__main__ import DEMO_MEMBER
from tests.integration.booking_stack import COURT

from .browser import (
    axe_check,
    choose,
    click_through,
    current_path,
    screenshots,
    type_into,
    unique_username,
    wait_for,
    wait_text,
)
from .members import (
    COURT_NAMES,
    PASSWORD,
    SLOT_07,
    button_named,
    mark_page,
    new_member,
    page_text,
    same_page,
    save_portal_account,
    value_of,
    wizard_steps,
)

MEMBER_ZONE = "Europe/Madrid"  # the member's own zone, neither the club's nor UTC
BOOKED_WITHIN = 120  # seconds from the dashboard to "Booked" (the release is ~50 s away)


@pytest.fixture
def release(site):
    """``release(seconds_ahead)``: court 5's 07:00 slot of the club's tomorrow opens soon.

    ``schedule_release`` rewrites the club's release rules, the portal's
    court 5 rule and the portal's clock; all three are put back afterwards,
    so the other tests see the stack as it started.
    """
    rules = site.system_value("release_rules")
    portal = site.portal.config()
    area = next(area for area in portal["areas"] if area["id"] == COURT)
    yield site.schedule_release
    site.set_system_value("release_rules", rules)
    site.portal.set_area(COURT, release=area["release"])
    site.portal.set_clock(offset_ms=portal["clock_offset_ms"])


def _your_time(instant: datetime) -> str:
    """The member's own time as site.js shows it beside the club's: "Wed 2 Dec 01:58"."""
    local = instant.astimezone(ZoneInfo(MEMBER_ZONE))
    return f"{local:%a} {local.day} {local:%b %H:%M}"


def _check_page(browser, name: str) -> None:
    axe_check(browser)
    screenshots(browser, f"member-{name}")


def test_a_visitor_sets_up_asks_for_a_release_and_sees_it_booked(site, browser, release):
    browser.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": MEMBER_ZONE})

    # A visitor sees what tennisbook does and registers.
    browser.get(site.page("/"))
    wait_text(browser, "main h1", "Get the court you want")
    _check_page(browser, "landing")
    click_through(browser, browser.find_element(By.LINK_TEXT, "Create an account"))
    username = unique_username()
    type_into(browser, "main form [name=username]", username)
    type_into(browser, "main form [name=email]", f"{username}@example.org")
    type_into(browser, "main form [name=password]", PASSWORD)
    click_through(browser, button_named(browser, "Create account"))

    # Step 1: the portal account.
    assert current_path(browser) == "/welcome/", page_text(browser)
    assert wizard_steps(browser) == (["Your club account"], [])
    _check_page(browser, "wizard-1-account")
    save_portal_account(browser, DEMO_MEMBER.member, DEMO_MEMBER.password)

    # Step 2: one real login at the demo portal.
    assert wizard_steps(browser) == (["Test your login"], ["Your club account"])
    wait_text(browser, "#login-check", "Not tested yet.")
    browser.find_element(By.ID, "test-login").click()
    result = wait_text(browser, "#login-check", "Login works.", timeout=20)
    assert result.find_element(By.CSS_SELECTOR, "[role=status]")
    _check_page(browser, "wizard-2-login-test")
    click_through(browser, browser.find_element(By.ID, "wizard-next"))

    # Step 3: the preferences the booking form starts with.
    assert wizard_steps(browser) == (["Preferences"], ["Your club account", "Test your login"])
    choose(browser, "#preferred_court", str(COURT))
    choose(browser, "#preferred_slot", SLOT_07)  # offered once the court is chosen
    _check_page(browser, "wizard-3-preferences")
    click_through(browser, button_named(browser, "Save and book a court"))

    # Step 4: the booking form, started from the preferences.
    assert current_path(browser) == "/book/", page_text(browser)
    assert wizard_steps(browser) == (
        ["Your first request"],
        ["Your club account", "Test your login", "Preferences"],
    )
    assert value_of(browser, "#court_id") == str(COURT)
    assert value_of(browser, "#time_slot") == SLOT_07
    _check_page(browser, "wizard-4-first-request")

    # Far enough ahead that the checks below (axe, screenshots) end before it on
    # a loaded machine: the dashboard is to show the request still counting down.
    soon = release(50)
    type_into(browser, "#date", soon.day.isoformat())
    wait_text(browser, "#opening", "This slot opens")
    click_through(browser, browser.find_element(By.ID, "submit-booking"))

    # The confirmation says what was saved and what happens next.
    assert current_path(browser).startswith("/bookings/"), page_text(browser)
    wait_text(browser, "#confirmation", "Request saved")
    assert "What happens next" in browser.find_element(By.ID, "request-status").text
    heading = browser.find_element(By.CSS_SELECTOR, "main h1").text
    assert heading.startswith(COURT_NAMES[str(COURT)]), heading
    assert heading.endswith(SLOT_07), heading
    _check_page(browser, "request-pending")

    # The dashboard lists it, counts down to its fire time, and follows it to "Booked".
    click_through(browser, browser.find_element(By.LINK_TEXT, "Home"))
    row = wait_text(browser, "#requests .request", COURT_NAMES[str(COURT)])
    assert row.find_element(By.CSS_SELECTOR, ".chip").text in (
        "Waiting for the release",
        "Booking now",
    ), row.text
    assert f"(your time: {_your_time(soon.portal_at)})" in row.text, row.text
    countdown = row.find_element(By.CSS_SELECTOR, "[data-countdown]").text
    if countdown != "now":  # past its instant (a slow machine) there is nothing left to count
        wait_for(
            browser,
            lambda d: (
                d.find_element(By.CSS_SELECTOR, "#requests [data-countdown]").text != countdown
            ),
            timeout=3,
            message="the countdown ticking",
        )
    _check_page(browser, "dashboard-with-requests")
    mark_page(browser)
    wait_text(browser, "#requests .chip", "Booked", timeout=BOOKED_WITHIN)
    assert same_page(browser)  # the list refreshed itself: nobody reloaded the page

    click_through(browser, browser.find_element(By.CSS_SELECTOR, "#requests .request-title"))
    wait_text(browser, "#request-status", f"Booked: {COURT_NAMES[str(COURT)]}, ")
    _check_page(browser, "request-booked")


def test_a_wrong_portal_password_fails_the_login_test(site, browser):
    new_member(browser, site, portal_password="not-the-demo-password")

    browser.find_element(By.ID, "test-login").click()

    result = wait_text(browser, "#login-check", "Wrong username or password", timeout=20)
    state = result.find_element(By.CSS_SELECTOR, "[role=status]")
    assert "state-wrong_password" in state.get_attribute("class").split()
    assert browser.find_element(By.ID, "test-login").is_enabled()  # free to try again
    axe_check(browser)
