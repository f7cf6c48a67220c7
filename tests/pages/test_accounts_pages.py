"""The account pages in a real browser: a visitor registers, logs out and in again.

Every page a member sees here passes axe-core (no serious or critical
violation), errors are tied to what they are about, and nothing is asked of
a host other than this machine (the ``browser`` fixture checks that).
"""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from accounts.services import INVALID_CREDENTIALS

from .browser import (
    axe_check,
    current_path,
    log_in,
    log_out,
    register,
    screenshots,
    unique_username,
    wait_text,
)

PASSWORD = "a-long-court-password-7"


def _page_text(browser) -> str:
    """The page's title and the start of its text, to explain a failed assertion."""
    text = browser.find_element(By.TAG_NAME, "body").text
    return f"{browser.current_url} ({browser.title!r}): {text[:400]!r}"


def _assert_no_template_syntax(browser) -> None:
    """No Django tag, comment or variable leaked into the page's text."""
    text = browser.find_element(By.TAG_NAME, "body").text
    assert not any(mark in text for mark in ("{%", "{#", "{{", "#}", "%}")), _page_text(browser)


def _new_member(browser, site) -> str:
    """A visitor registers through the page; returns the username."""
    username = unique_username()
    register(browser, site, username, PASSWORD, f"{username}@example.org")
    assert current_path(browser) != "/accounts/register/", _page_text(browser)
    return username


def _assert_logged_in_as(browser, site, username: str) -> None:
    """The header offers to log out, and the profile names the member."""
    nav = browser.find_element(By.CSS_SELECTOR, "header nav").text
    assert username in nav, _page_text(browser)
    assert "Log out" in nav
    assert "Log in" not in nav
    browser.get(site.page("/accounts/"))
    assert current_path(browser) == "/accounts/", _page_text(browser)
    wait_text(browser, "main h1", "Your profile")
    wait_text(browser, "main", f"You log in as {username}")


def test_a_new_visitor_registers_through_the_page_and_lands_logged_in(site, browser):
    username = _new_member(browser, site)

    wait_text(browser, ".messages", "Welcome! Your account is ready.")
    _assert_logged_in_as(browser, site, username)


def test_a_member_logs_out_and_logs_back_in(site, browser):
    username = _new_member(browser, site)

    log_out(browser)
    wait_text(browser, "main h1", "You are logged out")
    browser.get(site.page("/accounts/"))
    assert current_path(browser) == "/accounts/login/"  # the account page asks to log in

    log_in(browser, site, username, PASSWORD)
    assert current_path(browser) != "/accounts/login/", _page_text(browser)
    _assert_logged_in_as(browser, site, username)


def test_a_wrong_password_shows_an_error_tied_to_the_form(site, browser):
    username = _new_member(browser, site)
    log_out(browser)

    log_in(browser, site, username, "not-the-password-7")

    assert current_path(browser) == "/accounts/login/"
    error = wait_text(browser, "#form-errors", INVALID_CREDENTIALS)
    assert error.get_attribute("role") == "alert"  # announced when the page shows it
    form = browser.find_element(By.CSS_SELECTOR, "main form")
    assert form.accessible_name == "Log in"  # a named form: its description is read out
    assert form.get_attribute("aria-describedby").split() == ["form-errors"]
    assert "Log in" in browser.find_element(By.CSS_SELECTOR, "header nav").text  # a visitor
    axe_check(browser)
    _assert_no_template_syntax(browser)


def test_a_weak_password_is_refused_with_every_reason_read_with_the_field(site, browser):
    username = unique_username()

    register(browser, site, username, "password", f"{username}@example.org")

    assert current_path(browser) == "/accounts/register/"
    box = browser.find_element(By.ID, "id_password")
    assert box.get_attribute("aria-invalid") == "true"
    described_by = box.get_attribute("aria-describedby").split()
    assert described_by == ["id_password_error"]
    reasons = browser.find_element(By.ID, "id_password_error").text
    assert "too short" in reasons
    assert "too common" in reasons
    axe_check(browser)
    _assert_no_template_syntax(browser)


@pytest.mark.parametrize(
    ("path", "name"), [("/accounts/login/", "login"), ("/accounts/register/", "register")]
)
def test_the_page_has_no_serious_accessibility_problem(site, browser, path, name):
    browser.get(site.page(path))

    axe_check(browser)
    _assert_no_template_syntax(browser)

    shots = screenshots(browser, f"accounts-{name}")
    assert [shot.name for shot in shots] == [
        f"accounts-{name}-375.png",
        f"accounts-{name}-1280.png",
    ]
    assert all(shot.stat().st_size > 1000 for shot in shots)


def test_the_page_a_new_member_lands_on_has_no_serious_accessibility_problem(site, browser):
    _new_member(browser, site)

    axe_check(browser)
