"""The first-run wizard and the settings page, as a new member meets them.

The wizard shows where the member is, says what is missing next to each
field, and can be skipped (the dashboard then asks to finish); the settings
page saves the portal account (the password is never shown again, only
that one is saved) and the preferences the booking form starts with.
"""

from __future__ import annotations

from selenium.webdriver.common.by import By

from democlub.__main__ import DEMO_MEMBER

from .browser import (
    axe_check,
    choose,
    click_through,
    current_path,
    focused,
    screenshots,
    type_into,
    wait_text,
)
from .members import (
    COURT_2,
    SLOT_10,
    button_named,
    field_error,
    is_invalid,
    new_member,
    page_text,
    value_of,
    wizard_steps,
)

REQUIRED = "This field is required to set up your account at this club."


def test_the_wizard_can_be_skipped_and_the_dashboard_asks_to_finish_it(site, browser):
    new_member(browser, site, portal_password=None)
    assert wizard_steps(browser) == (["Your club account"], [])

    click_through(browser, browser.find_element(By.ID, "skip-setup"))

    assert current_path(browser) == "/", page_text(browser)
    wait_text(browser, "#setup-title", "Finish setting up")
    wait_text(browser, "#requests", "You have no requests yet.")
    axe_check(browser)
    screenshots(browser, "member-dashboard-empty")

    click_through(browser, browser.find_element(By.LINK_TEXT, "Set up your club account"))

    assert current_path(browser) == "/welcome/"
    assert wizard_steps(browser) == (["Your club account"], [])


def test_the_wizard_says_what_is_missing_next_to_each_field(site, browser):
    new_member(browser, site, portal_password=None)

    click_through(browser, button_named(browser, "Save and continue"))

    assert wizard_steps(browser) == (["Your club account"], [])  # still step 1
    summary = wait_text(browser, "#form-errors", "Please correct the fields marked below.")
    assert focused(browser) == summary  # read out first
    for name in ("portal_username", "portal_password"):
        assert field_error(browser, name) == REQUIRED, name
        assert is_invalid(browser, name), name
        box = browser.find_element(By.ID, name)
        assert f"{name}-error" in box.get_attribute("aria-describedby").split()
    axe_check(browser)


def test_settings_save_the_account_and_the_preferences_the_form_starts_with(site, browser):
    new_member(browser, site, portal_password=None)
    browser.get(site.page("/settings/"))

    assert not browser.find_element(By.ID, "test-login").is_enabled()  # nothing to test yet
    assert "Not saved yet." in browser.find_element(By.ID, "portal_password-help").text
    axe_check(browser)
    screenshots(browser, "member-settings-no-account")

    type_into(browser, "#portal_username", DEMO_MEMBER.member)
    type_into(browser, "#portal_password", DEMO_MEMBER.password)
    choose(browser, "#preferred_court", COURT_2)
    choose(browser, "#preferred_slot", SLOT_10)
    click_through(browser, button_named(browser, "Save settings"))

    wait_text(browser, ".messages", "Saved your settings for")
    assert value_of(browser, "#portal_username") == DEMO_MEMBER.member
    assert value_of(browser, "#portal_password") == ""  # never shown again...
    assert "Saved" in browser.find_element(By.ID, "portal_password-help").text  # ...but kept
    assert value_of(browser, "#preferred_court") == COURT_2
    assert value_of(browser, "#preferred_slot") == SLOT_10
    assert browser.find_element(By.ID, "test-login").is_enabled()
    axe_check(browser)
    screenshots(browser, "member-settings-with-account")

    click_through(browser, browser.find_element(By.LINK_TEXT, "Book a court"))

    assert value_of(browser, "#court_id") == COURT_2
    assert value_of(browser, "#time_slot") == SLOT_10
