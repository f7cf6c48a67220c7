"""Favourites first in the form; templates saved, shared by username and by link, copied.

Three members in one browser, one after the other: Ana marks favourites and
saves a template, shares it with Ben by username and with anyone by a link;
Ben copies the offer; Cleo, a stranger, gets 404 for Ana's ids until she
holds the link, and 404 again once Ana withdrew it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from .browser import (
    axe_check,
    click_through,
    log_in,
    log_out,
    screenshots,
    type_into,
    wait_for,
    wait_text,
)
from .members import (
    COURT_1,
    COURT_2,
    COURT_NAMES,
    PASSWORD,
    SLOT_04PM,
    SLOT_11,
    button_named,
    far_date,
    fill_first_choice,
    new_member,
    value_of,
)

TEMPLATE = "Late mornings on court 2"


def _groups(browser, css: str) -> list[tuple[str, list[str]]]:
    """The <optgroup>s of the select at ``css``: label and option values."""
    return [
        tuple(group)
        for group in browser.execute_script(
            "return [...document.querySelector(arguments[0]).querySelectorAll('optgroup')]"
            ".map((g) => [g.label, [...g.querySelectorAll('option')].map((o) => o.value)]);",
            css,
        )
    ]


def _submit_confirmed(browser, button) -> None:
    """Click a button whose form asks "are you sure?" and accept; wait for the next page."""
    button.click()
    browser.switch_to.alert.accept()
    wait_for(browser, EC.staleness_of(button), message="the page after confirming")


def test_favourites_come_first_and_a_template_is_shared_copied_and_withdrawn(site, browser):
    # --- Ana: favourites in settings, first in the form --------------------------------
    ana = new_member(browser, site)
    browser.get(site.page("/settings/"))
    browser.find_element(By.ID, f"favourite-court-{COURT_2}").click()
    slot_box = browser.find_element(
        By.CSS_SELECTOR, f"input[name=favourite_slot][value='{SLOT_11}']"
    )
    slot_box.click()
    axe_check(browser)
    click_through(browser, button_named(browser, "Save settings"))
    wait_text(browser, ".messages", "Saved your settings")

    browser.get(site.page("/book/"))
    courts = _groups(browser, "#court_id")
    assert courts[0] == ("Favourites", [COURT_2])
    assert courts[1][0] == "Other courts"
    assert COURT_1 in courts[1][1]
    Select(browser.find_element(By.ID, "court_id")).select_by_value(COURT_2)
    slots = _groups(browser, "#time_slot")
    assert slots[0] == ("Favourite slots", [SLOT_11])
    assert slots[1][0] == "Other slots"

    # --- a template saved from the form, then used from the server --------------------
    day = far_date(browser, 12)
    fill_first_choice(browser, COURT_2, day, SLOT_11)
    browser.find_element(By.ID, "add-alternative").click()
    row = browser.find_elements(By.CSS_SELECTOR, "#alternatives .alternative")[-1]
    Select(row.find_element(By.CSS_SELECTOR, ".alt-court")).select_by_value(COURT_1)
    Select(row.find_element(By.CSS_SELECTOR, ".alt-slot")).select_by_value(SLOT_04PM)
    type_into(browser, "#partner-1", "Ben")
    browser.find_element(By.CSS_SELECTOR, ".save-template summary").click()
    type_into(browser, "#template-name", TEMPLATE)
    click_through(browser, browser.find_element(By.ID, "save-template"))
    wait_text(browser, ".messages", f"Saved the template “{TEMPLATE}”.")

    browser.get(site.page("/templates/"))
    card = wait_text(browser, ".template-card", TEMPLATE)
    assert f"{COURT_NAMES[COURT_2]}, {SLOT_11}" in card.text
    assert f"{COURT_NAMES[COURT_1]}, {SLOT_04PM}" in card.text
    assert "Ben" in card.text
    axe_check(browser)
    click_through(
        browser, card.find_element(By.XPATH, ".//a[starts-with(normalize-space(), 'Use')]")
    )
    assert value_of(browser, "#court_id") == COURT_2
    assert value_of(browser, "#time_slot") == SLOT_11
    assert value_of(browser, "#partner-1") == "Ben"

    # --- Ben (registered) gets it by username; a link for anyone ------------------------
    log_out(browser)
    ben = new_member(browser, site, portal_password=None)
    log_out(browser)
    log_in(browser, site, ana, PASSWORD)
    browser.get(site.page("/templates/"))
    browser.find_element(By.CSS_SELECTOR, ".template-card .share summary").click()
    type_into(browser, ".template-card input[name=username]", ben)
    click_through(browser, button_named(browser, "Share with this member"))
    wait_text(browser, ".messages", f"Offered “{TEMPLATE}” to {ben}")
    click_through(browser, button_named(browser, "Make a share link"))
    link = browser.find_element(By.ID, "new-link-url").get_attribute("value")
    assert urlsplit(link).path.startswith("/templates/shared/")
    screenshots(browser, "member-templates")
    browser.get(site.page("/templates/"))
    assert browser.find_elements(By.ID, "new-link-url") == []  # shown once
    template_id = browser.find_element(By.CSS_SELECTOR, ".template-card").get_attribute("id")

    log_out(browser)
    log_in(browser, site, ben, PASSWORD)
    browser.get(site.page("/templates/"))
    offer = wait_text(browser, ".template-card.offer", TEMPLATE)
    assert f"from {ana}" in offer.text
    axe_check(browser)
    screenshots(browser, "member-templates-offered")
    click_through(browser, offer.find_element(By.XPATH, ".//button[starts-with(., 'Copy')]"))
    wait_text(browser, ".messages", f"Copied “{TEMPLATE} (from {ana})”")
    assert browser.find_elements(By.CSS_SELECTOR, ".template-card.offer") == []
    wait_text(browser, ".template-card", f"{TEMPLATE} (from {ana})")

    # --- Cleo, a stranger: nothing of Ana's without the link ------------------------------
    log_out(browser)
    new_member(browser, site, portal_password=None)
    share_path = urlsplit(link).path
    browser.get(site.page(share_path[:-4] + "abcd"))  # a guessed secret
    assert "not found" in browser.title.lower()
    browser.get(site.page("/templates/"))
    assert TEMPLATE not in browser.find_element(By.TAG_NAME, "main").text
    browser.get(site.page(share_path))
    wait_text(browser, "h1", f"“{TEMPLATE}”, shared by {ana}")
    axe_check(browser)
    click_through(browser, button_named(browser, "Copy to my templates"))
    wait_text(browser, ".template-card", f"{TEMPLATE} (from {ana})")
    assert template_id.removeprefix("template-") not in browser.page_source

    # --- Ana withdraws the link: it is dead; deleting hers leaves the copies ---------------
    log_out(browser)
    log_in(browser, site, ana, PASSWORD)
    browser.get(site.page("/templates/"))
    withdraw = browser.find_elements(By.XPATH, "//li[starts-with(., 'A link')]//button")
    assert len(withdraw) == 1
    click_through(browser, withdraw[0])
    wait_text(browser, ".messages", "The share is withdrawn")
    delete = browser.find_element(By.XPATH, "//button[starts-with(., 'Delete')]")
    _submit_confirmed(browser, delete)
    wait_text(browser, ".messages", f"Deleted the template “{TEMPLATE}”.")

    browser.get(site.page(share_path))
    assert "not found" in browser.title.lower()
    browser.get(site.page("/templates/"))
    log_out(browser)
    log_in(browser, site, ben, PASSWORD)
    browser.get(site.page("/templates/"))
    wait_text(browser, ".template-card", f"{TEMPLATE} (from {ana})")  # Ben's copy stays his
