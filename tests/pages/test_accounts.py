"""The account pages in a real browser: a reset by e-mail, the lockout, a session that ends.

- Every account page (log in, register, logged out, reset: form, sent,
  a broken link, new password, done; change: form, done) looks like the
  rest of the site, passes axe-core and is photographed at 375 and 1280 px.
- A member who forgot their password follows the link the stack e-mailed
  (the local settings' console backend: the web's output) and logs in with
  the new one.
- Five wrong passwords lock the account: the login page itself says so with
  a 429, and once the cool-off has passed the member logs in. The lock is
  the per-account one (axes, ``LOGIN_LOCKOUT_FAILURES``), which the page
  tests' loosened per-address limits leave as it is in production; the
  wait is simulated by moving the account's recorded failures into the
  past in the stack's database, as tests/accounts/test_lockout.py does in
  the test database.
- A member whose session ended (its cookie deleted) and who clicks a link,
  submits a form, or only watches a polling page, lands on the login page
  told why, and after logging in is back where they were.
"""

from __future__ import annotations

import re
import sqlite3
import time
from urllib.parse import parse_qs, urlsplit

from selenium.webdriver.common.by import By

from accounts.services import INVALID_CREDENTIALS

from .browser import (
    axe_check,
    click_through,
    current_path,
    focused,
    log_in,
    log_out,
    register,
    screenshots,
    type_into,
    unique_username,
    wait_for,
    wait_text,
)
from .members import (
    COURT_1,
    PASSWORD,
    SLOT_05PM,
    far_date,
    fill_first_choice,
    new_member,
    page_text,
)

NEW_PASSWORD = "another-court-password-9"
LOCKOUT_FAILURES = 5  # the stack's LOGIN_LOCKOUT_FAILURES (the production default)
SESSION_ENDED = "Your session ended; log in again to continue."
# The reset e-mail as the console backend prints it: "Hello <username>," then the link.
RESET_LINK = re.compile(r"(https?://[^\s/]+/accounts/reset/[^\s/]+/[^\s/]+/)")


def _check_page(browser, name: str) -> None:
    """No serious accessibility problem, and photographed at 375 and 1280 px."""
    axe_check(browser)
    screenshots(browser, f"accounts-{name}")


def _status(browser) -> int:
    """The HTTP status of the document the browser shows."""
    return browser.execute_script(
        "return performance.getEntriesByType('navigation')[0].responseStatus;"
    )


def _submit_login(browser, username: str, password: str) -> None:
    """Fill the login form on the page the browser is on (keeping its ``next``)."""
    type_into(browser, "#id_username", username)
    type_into(browser, "#id_password", password)
    click_through(browser, browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))


def _member(browser, site) -> str:
    username = unique_username()
    register(browser, site, username, PASSWORD, f"{username}@example.org")
    assert current_path(browser) == "/welcome/", page_text(browser)
    return username


def _emailed_reset_link(site, username: str, timeout: float = 10.0) -> str:
    """The link of the reset e-mail sent to ``username``, read from the stack's output."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = list(site.stack.lines)
        for i, line in enumerate(lines):
            if f"Hello {username}," in line:
                for later in lines[i : i + 12]:
                    if found := RESET_LINK.search(later):
                        return found.group(1)
        time.sleep(0.2)
    raise AssertionError(f"no reset e-mail to {username} in the stack's output\n{site.tail()}")


def _let_the_lock_cool_off(site, username: str) -> None:
    """Move the account's failed logins 16 minutes back (past the 15-minute cool-off)."""
    with sqlite3.connect(site.stack.var_dir / "db.sqlite3", timeout=10) as db:
        moved = db.execute(
            "UPDATE axes_accessattempt SET attempt_time = datetime(attempt_time, '-16 minutes')"
            " WHERE username = ?",
            (username,),
        ).rowcount
    assert moved, f"no failed login of {username} recorded"


# --- how the pages look ---------------------------------------------------------------


def test_the_visitors_account_pages_look_like_the_site(site, browser):
    for path, name, heading in [
        ("/accounts/login/", "login", "Log in"),
        ("/accounts/register/", "register", "Create an account"),
        ("/accounts/password/reset/", "password-reset-form", "Reset your password"),
        ("/accounts/password/reset/done/", "password-reset-done", "Check your e-mail"),
        ("/accounts/reset/MQ/not-a-token/", "password-reset-invalid", "This link no longer works"),
        ("/accounts/logout/", "logged-out", "You are logged out"),
    ]:
        browser.get(site.page(path))
        wait_text(browser, "main h1", heading)
        card = browser.find_element(By.CSS_SELECTOR, "main .card")
        assert card.size["width"] <= 32 * 16 + 1, name  # the account pages' narrow card
        assert browser.find_element(By.CSS_SELECTOR, "header .brand").text == "tennisbook"
        _check_page(browser, name)


def test_a_form_sent_back_with_errors_puts_the_focus_on_its_summary(site, browser):
    browser.get(site.page("/accounts/register/"))
    type_into(browser, "#id_username", "x")
    type_into(browser, "#id_email", "not-an-address")
    click_through(browser, browser.find_element(By.CSS_SELECTOR, "main form button"))

    assert focused(browser).get_attribute("id") == "form-errors"
    summary = focused(browser).text
    assert "Please correct the fields marked below:" in summary
    assert "E-mail address: Enter a valid email address." in summary
    # Each line of the summary leads to its field.
    browser.find_element(By.CSS_SELECTOR, "#form-errors a[href='#id_email']").click()
    assert focused(browser).get_attribute("id") == "id_email"
    email = browser.find_element(By.ID, "id_email")
    assert email.get_attribute("aria-invalid") == "true"
    assert "id_email_error" in email.get_attribute("aria-describedby").split()
    assert "valid email" in browser.find_element(By.ID, "id_email_error").text
    form = browser.find_element(By.CSS_SELECTOR, "main form")
    assert form.get_attribute("aria-describedby") == "form-errors"
    _check_page(browser, "register-errors")


# --- passwords --------------------------------------------------------------------------


def test_a_member_who_forgot_their_password_follows_the_emailed_link(site, browser):
    username = _member(browser, site)
    log_out(browser)
    browser.get(site.page("/accounts/login/"))
    click_through(browser, browser.find_element(By.LINK_TEXT, "Forgot your password?"))
    type_into(browser, "#id_email", f"{username}@example.org")
    click_through(browser, browser.find_element(By.CSS_SELECTOR, "main form button"))
    wait_text(browser, "main h1", "Check your e-mail")

    link = _emailed_reset_link(site, username)
    assert link.startswith(site.url)
    browser.get(link)
    wait_text(browser, "main h1", "Choose a new password")
    _check_page(browser, "password-reset-confirm")
    type_into(browser, "#id_new_password1", NEW_PASSWORD)
    type_into(browser, "#id_new_password2", "not-the-same-password")
    click_through(browser, browser.find_element(By.CSS_SELECTOR, "main form button"))
    assert focused(browser).get_attribute("id") == "form-errors"
    assert "match" in browser.find_element(By.ID, "id_new_password2_error").text
    type_into(browser, "#id_new_password1", NEW_PASSWORD)
    type_into(browser, "#id_new_password2", NEW_PASSWORD)
    click_through(browser, browser.find_element(By.CSS_SELECTOR, "main form button"))
    wait_text(browser, "main h1", "Your password is set")
    _check_page(browser, "password-reset-complete")

    browser.get(link)  # the link works once
    wait_text(browser, "main h1", "This link no longer works")
    log_in(browser, site, username, PASSWORD)
    wait_text(browser, "#form-errors", INVALID_CREDENTIALS)
    log_in(browser, site, username, NEW_PASSWORD)
    assert current_path(browser) == "/", page_text(browser)


def test_a_member_changes_their_password_from_the_profile(site, browser):
    username = _member(browser, site)
    browser.get(site.page("/accounts/"))
    click_through(browser, browser.find_element(By.LINK_TEXT, "Change your password"))
    wait_text(browser, "main h1", "Change your password")
    _check_page(browser, "password-change-form")
    type_into(browser, "#id_old_password", "not-my-password-1")
    type_into(browser, "#id_new_password1", NEW_PASSWORD)
    type_into(browser, "#id_new_password2", NEW_PASSWORD)
    click_through(browser, browser.find_element(By.CSS_SELECTOR, "main form button"))
    assert focused(browser).get_attribute("id") == "form-errors"
    assert "incorrect" in browser.find_element(By.ID, "id_old_password_error").text

    type_into(browser, "#id_old_password", PASSWORD)
    type_into(browser, "#id_new_password1", NEW_PASSWORD)
    type_into(browser, "#id_new_password2", NEW_PASSWORD)
    click_through(browser, browser.find_element(By.CSS_SELECTOR, "main form button"))

    wait_text(browser, "main h1", "Your password was changed")
    _check_page(browser, "password-change-done")
    assert "Log out" in browser.find_element(By.CSS_SELECTOR, "header nav").text  # still in
    browser.get(site.page("/accounts/logout/"))  # an old bookmark: asked, not logged out
    wait_text(browser, "main h1", "Log out?")
    _check_page(browser, "logout-confirm")
    click_through(browser, browser.find_element(By.XPATH, "//main//button[.='Log out']"))
    wait_text(browser, "main h1", "You are logged out")
    log_in(browser, site, username, NEW_PASSWORD)
    assert current_path(browser) == "/", page_text(browser)


# --- the lockout ----------------------------------------------------------------------


def test_a_locked_account_is_told_on_the_login_page_and_logs_in_once_the_lock_cooled_off(
    site, browser
):
    username = _member(browser, site)
    log_out(browser)
    browser.get(site.page("/accounts/login/"))
    for _ in range(LOCKOUT_FAILURES):
        _submit_login(browser, username, "not-the-password-7")
        wait_text(browser, "#form-errors", INVALID_CREDENTIALS)

    _submit_login(browser, username, PASSWORD)  # the right password, too late

    assert current_path(browser) == "/accounts/login/"
    assert _status(browser) == 429
    summary = wait_text(browser, "#form-errors", "This account is locked")
    assert f"locked after {LOCKOUT_FAILURES} failed logins" in summary.text
    assert "Try again in 15 minutes" in summary.text
    assert focused(browser).get_attribute("id") == "form-errors"
    assert summary.find_element(By.LINK_TEXT, "Reset your password")
    _check_page(browser, "login-locked")

    _let_the_lock_cool_off(site, username)
    # A next off the site is never followed: the login lands on the dashboard
    # (and the browser fixture fails the test if any page left loopback).
    browser.get(site.page("/accounts/login/?next=https://example.org/phish"))
    assert SESSION_ENDED not in browser.find_element(By.TAG_NAME, "main").text
    _submit_login(browser, username, PASSWORD)

    assert browser.current_url == site.page("/"), page_text(browser)
    assert username in browser.find_element(By.CSS_SELECTOR, "header nav").text


# --- a session that ended ------------------------------------------------------------


def _end_the_session(browser) -> None:
    browser.delete_cookie("sessionid")


def _log_out_elsewhere(browser) -> None:
    """End the session on the server, as another tab's logout or its expiry does."""
    browser.execute_script(
        """
        const token = JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
        const body = new URLSearchParams({csrfmiddlewaretoken: token});
        fetch("/accounts/logout/", {method: "POST", body, credentials: "same-origin"});
        """
    )


def _on_login_page_told_why(browser, back_to: str) -> None:
    wait_for(
        browser,
        lambda d: current_path(d) == "/accounts/login/",
        timeout=15,
        message="the login page",
    )
    query = parse_qs(urlsplit(browser.current_url).query)
    assert query.get("next") == [back_to], browser.current_url
    notice = wait_text(browser, "#session-notice", SESSION_ENDED)
    assert notice.get_attribute("role") == "status"


def test_a_member_whose_session_ended_comes_back_after_logging_in_from_a_link_or_a_form(
    site, browser
):
    username = _member(browser, site)
    browser.get(site.page("/book/"))
    _end_the_session(browser)

    click_through(browser, browser.find_element(By.LINK_TEXT, "Settings"))

    _on_login_page_told_why(browser, "/settings/")
    _check_page(browser, "login-session-ended")
    _submit_login(browser, username, PASSWORD)
    assert current_path(browser) == "/settings/", page_text(browser)

    # A form sent after the session ended: back to the page it was on.
    browser.get(site.page("/accounts/"))
    _end_the_session(browser)
    type_into(browser, "#id_first_name", "Lost")
    click_through(browser, browser.find_element(By.XPATH, "//button[.='Save details']"))

    _on_login_page_told_why(browser, "/accounts/")
    _submit_login(browser, username, PASSWORD)
    assert current_path(browser) == "/accounts/", page_text(browser)
    # What the form carried is not applied behind the member's back after the login.
    assert browser.find_element(By.ID, "id_first_name").get_attribute("value") == ""


def test_a_live_page_whose_session_ended_goes_whole_to_login_and_back(site, browser):
    username = new_member(browser, site)
    browser.get(site.page("/book/"))
    fill_first_choice(browser, COURT_1, far_date(browser, 5), SLOT_05PM)
    click_through(browser, browser.find_element(By.ID, "submit-booking"))
    wait_text(browser, "#confirmation", "Request saved")
    request_page = current_path(browser)
    assert re.fullmatch(r"/bookings/[0-9a-f-]{36}/", request_page), request_page

    # The request's page is live: its socket is closed when the session ends.
    browser.get(site.page(request_page))
    _log_out_elsewhere(browser)
    _on_login_page_told_why(browser, request_page)
    _submit_login(browser, username, PASSWORD)
    assert current_path(browser) == request_page, page_text(browser)

    browser.get(site.page("/"))
    _log_out_elsewhere(browser)
    _on_login_page_told_why(browser, "/")
    _submit_login(browser, username, PASSWORD)
    assert current_path(browser) == "/", page_text(browser)
    assert browser.find_element(By.ID, "requests").text  # the whole dashboard, not a fragment
