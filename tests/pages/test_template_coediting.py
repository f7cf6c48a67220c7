"""Two members edit one shared template at once, in two real Chromiums, with no reload.

Ana saves a template from the booking form and shares it with Ben by
username; both open its edit page ("Edit together"). Ben starts typing a
second partner. Ana changes the notes and the first partner and saves: on
Ben's open page the notes take her text at once (a notice says "ana
changed notes"), while the partners, which he touched, keep his and offer
hers instead. Ben keeps his and saves: Ana's notes stay (nothing of hers
is lost), and her page, still open, takes his partners by itself. Neither
document is ever left (a window marker survives).
"""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from .browser import (
    assert_only_local_requests,
    axe_check,
    choose,
    click_through,
    console_entries,
    current_path,
    log_in,
    new_browser,
    page_errors,
    requested_urls,
    screenshots,
    type_into,
    wait_for,
    wait_text,
)
from .member_api import ApiMember
from .members import COURT_1, PASSWORD, SLOT_09, button_named, mark_page, page_text, same_page

TEMPLATE = "Thursday doubles"
LIVE_STATE = "return document.getElementById('live-state').dataset.state"


@pytest.fixture
def other_browser(tmp_path, monkeypatch):
    """A second Chromium, held to the ``browser`` fixture's rules: loopback only, no errors."""
    monkeypatch.setenv("SE_AVOID_STATS", "true")
    driver = new_browser(tmp_path / "other-chromium-profile")
    try:
        yield driver
        urls = requested_urls(driver)
        entries = console_entries(driver)
    finally:
        driver.quit()
    assert_only_local_requests(urls)
    errors = page_errors(entries)
    if errors:
        pytest.fail("a page script failed in the second browser:\n  " + "\n  ".join(errors))


def _value(driver, css: str) -> str:
    return driver.find_element(By.CSS_SELECTOR, css).get_attribute("value")


def _live(driver) -> None:
    wait_for(driver, lambda d: d.execute_script(LIVE_STATE) == "live", message="the live socket")


def test_two_members_see_each_others_changes_on_the_edit_page_without_a_reload(
    site, browser, other_browser
):
    ana = ApiMember.register(site, portal_account=False).username
    ben = ApiMember.register(site, portal_account=False).username

    # --- Ana: a template from the booking form, shared with Ben by username ------------------
    log_in(browser, site, ana, PASSWORD)
    browser.get(site.page("/book/"))
    choose(browser, "#court_id", COURT_1)
    choose(browser, "#time_slot", SLOT_09)
    type_into(browser, "#partner-1", "Bea")
    browser.find_element(By.CSS_SELECTOR, ".save-template summary").click()
    type_into(browser, "#template-name", TEMPLATE)
    click_through(browser, browser.find_element(By.ID, "save-template"))
    wait_text(browser, ".messages", f"Saved the template “{TEMPLATE}”.")
    browser.get(site.page("/templates/"))
    browser.find_element(By.CSS_SELECTOR, ".template-card .share summary").click()
    type_into(browser, ".template-card input[name=username]", ben)
    click_through(browser, button_named(browser, "Share with this member"))
    wait_text(browser, ".messages", f"Offered “{TEMPLATE}” to {ben}")
    card = wait_text(browser, ".template-card", TEMPLATE)
    click_through(browser, card.find_element(By.PARTIAL_LINK_TEXT, "Edit together"))
    edit_path = current_path(browser)
    assert edit_path.endswith("/edit"), page_text(browser)
    mark_page(browser)

    # --- Ben: the offer links to editing together; he starts typing a second partner ---------
    log_in(other_browser, site, ben, PASSWORD)
    other_browser.get(site.page("/templates/"))
    offer = wait_text(other_browser, ".template-card.offer", TEMPLATE)
    click_through(other_browser, offer.find_element(By.PARTIAL_LINK_TEXT, "Edit together"))
    assert current_path(other_browser) == edit_path
    wait_text(other_browser, "#edit-who", f"{ana}'s template")
    mark_page(other_browser)
    _live(other_browser)
    _live(browser)
    type_into(other_browser, "#partner-2", "Cleo")

    # --- Ana changes the notes and the first partner, and saves ------------------------------
    type_into(browser, "#notes", "Bring two cans")
    type_into(browser, "#partner-1", "Bo")
    click_through(browser, button_named(browser, "Save changes"))
    wait_text(browser, ".messages", "Saved your changes (partners, notes).")
    mark_page(browser)  # her fresh page, at the new version

    # Ben's page: the notes he never touched are hers at once, said in a notice ...
    wait_for(
        other_browser,
        lambda d: _value(d, "#notes") == "Bring two cans",
        message="Ana's notes on Ben's open page",
    )
    wait_text(other_browser, "#edit-news", f"{ana} changed notes")
    # ... the partners he touched stay his, with hers offered beside them.
    offered = wait_text(other_browser, "#partners-other", f"{ana} changed the partners")
    assert "“Bo”" in offered.text
    assert (_value(other_browser, "#partner-1"), _value(other_browser, "#partner-2")) == (
        "Bea",
        "Cleo",
    )
    # Until he answers, his form stays on the version it was drawn from (a save would be refused).
    assert _value(other_browser, "#edit-version") == "1"
    assert same_page(other_browser), "Ben's page reloaded"
    axe_check(other_browser, {"include": [["main"]]})
    screenshots(other_browser, "template-coediting-offer")

    # --- Ben keeps his partners and saves: Ana's notes stay ---------------------------------
    offered.find_element(By.XPATH, ".//button[normalize-space()='Keep mine']").click()
    wait_for(
        other_browser,
        lambda d: _value(d, "#edit-version") == "2",
        message="Ben's form following the version he has answered",
    )
    click_through(other_browser, button_named(other_browser, "Save changes"))
    wait_text(other_browser, ".messages", "Saved your changes (partners).")
    assert _value(other_browser, "#notes") == "Bring two cans"
    assert (_value(other_browser, "#partner-1"), _value(other_browser, "#partner-2")) == (
        "Bea",
        "Cleo",
    )

    # Ana's page, left open, takes his partners by itself: she had not touched them since.
    wait_for(
        browser,
        lambda d: (_value(d, "#partner-1"), _value(d, "#partner-2")) == ("Bea", "Cleo"),
        message="Ben's partners on Ana's open page",
    )
    wait_text(browser, "#edit-news", f"{ben} changed partners")
    assert _value(browser, "#notes") == "Bring two cans"
    assert _value(browser, "#edit-version") == "3"
    assert same_page(browser), "Ana's page reloaded"

    # The list says who changed it last.
    browser.get(site.page("/templates/"))
    wait_text(browser, ".template-card", f"Last changed by {ben}")
