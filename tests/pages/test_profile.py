"""The member's profile in a real browser: details, notifications, display zone, deletion.

- A member changes their names and e-mail address from ``/accounts/``
  ("Your profile"); an address another account uses is refused on the
  field, the summary taking the focus. Notification choices (event type by
  channel) are shown as saved.
- A member who picks "Asia/Tokyo" sees Tokyo times beside the club's times
  on the dashboard, whatever the browser's own zone; with no zone chosen the
  browser's is used.
- A member deletes their account: the page says what happens, a wrong
  password is refused, the right one logs them out onto "your account is
  deleted"; the stack's API (as an operator) then finds their portal
  credentials gone and their pending request cancelled.

Each page passes axe-core and is photographed at 375 and 1280 px.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from selenium.webdriver.common.by import By

from accounts.services import DELETION_REFUSED, INVALID_CREDENTIALS

from .browser import (
    axe_check,
    choose,
    click_through,
    current_path,
    focused,
    log_in,
    log_out,
    register,
    screenshots,
    type_into,
    unique_username,
    wait_text,
)
from .members import (
    COURT_1,
    PASSWORD,
    SLOT_04PM,
    button_named,
    far_date,
    fill_first_choice,
    new_member,
    page_text,
)

BROWSER_ZONE = "Europe/Madrid"  # the browser's own: neither the club's, nor UTC, nor Tokyo
MEMBER_ZONE = "Asia/Tokyo"


def _check_page(browser, name: str) -> None:
    axe_check(browser)
    screenshots(browser, f"profile-{name}")


def _open_profile(browser) -> None:
    """The header's link to the profile (the member's username)."""
    click_through(browser, browser.find_element(By.CSS_SELECTOR, "header a[href='/accounts/']"))
    wait_text(browser, "main h1", "Your profile")
    assert browser.title == "Your profile · tennisbook"


def _your_time(instant: str, zone: str) -> str:
    """A time as site.js writes it beside the club's: "Wed 2 Dec 01:58"."""
    local = datetime.fromisoformat(instant).astimezone(ZoneInfo(zone))
    return f"{local:%a} {local.day} {local:%b %H:%M}"


def _release_times(browser) -> list[tuple[str, str]]:
    """Each club time on the dashboard's releases table and the "(your time: ...)" beside it."""
    rows = browser.execute_script(
        """
        return [...document.querySelectorAll("main table time[data-local]")].map((time) => {
          const yours = time.nextElementSibling;
          return [time.getAttribute("datetime"),
                  yours && yours.classList.contains("local-time") ? yours.textContent : ""];
        });
        """
    )
    assert rows, page_text(browser)
    return [tuple(row) for row in rows]


def _api(session, site, path: str):
    answer = session.get(f"{site.url}{path}", timeout=15)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_member_edits_their_details_and_notification_choices(site, browser):
    taken = unique_username()
    register(browser, site, taken, PASSWORD, f"{taken}@example.org")
    log_out(browser)
    new_member(browser, site)

    browser.get(site.page("/"))
    _open_profile(browser)
    _check_page(browser, "page")

    type_into(browser, "#id_first_name", "Ana")
    type_into(browser, "#id_last_name", "Court")
    type_into(browser, "#id_email", f"{taken.upper()}@example.org")  # the other member's
    click_through(browser, button_named(browser, "Save details"))

    assert focused(browser).get_attribute("id") == "details-errors"
    email = browser.find_element(By.ID, "id_email")
    assert email.get_attribute("aria-invalid") == "true"
    assert "id_email_error" in email.get_attribute("aria-describedby").split()
    error = browser.find_element(By.ID, "id_email_error").text
    assert error == "An account with this e-mail address already exists."
    _check_page(browser, "email-taken")

    type_into(browser, "#id_email", "ana.court@example.org")
    click_through(browser, button_named(browser, "Save details"))

    wait_text(browser, ".messages", "Saved your name and e-mail address.")
    browser.refresh()
    assert browser.find_element(By.ID, "id_first_name").get_attribute("value") == "Ana"
    assert browser.find_element(By.ID, "id_email").get_attribute("value") == "ana.court@example.org"

    # Notifications: a choice per event type and channel (tests/pages/test_notifications.py).
    form = browser.find_element(By.ID, "notification-preferences")
    boxes = {
        box.get_attribute("name"): box
        for box in form.find_elements(By.CSS_SELECTOR, "input[type=checkbox]")
    }
    assert {"pref.booked.email", "pref.failed.browser"} <= set(boxes)
    assert boxes["pref.booked.email"].is_selected()  # the defaults
    assert not boxes["pref.failed.browser"].is_selected()
    boxes["pref.booked.email"].click()
    boxes["pref.failed.browser"].click()
    click_through(browser, button_named(browser, "Save notifications"))

    wait_text(browser, ".messages", "Saved your notification choices.")
    ticked = browser.execute_script(
        "return [...document.querySelectorAll('#notification-preferences input:checked')]"
        ".map((box) => box.name);"
    )
    assert "pref.failed.browser" in ticked
    assert "pref.booked.email" not in ticked
    browser.get(site.page("/"))
    wait_text(browser, "main h1", "Hello, Ana")


def test_a_member_who_picks_tokyo_sees_tokyo_times_beside_the_club_times(site, browser):
    browser.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": BROWSER_ZONE})
    new_member(browser, site)

    browser.get(site.page("/"))
    for instant, yours in _release_times(browser):
        assert yours == f" (your time: {_your_time(instant, BROWSER_ZONE)})"

    _open_profile(browser)
    zone = browser.find_element(By.ID, "id_display_time_zone")
    assert zone.accessible_name == "Show my own times in"
    choose(browser, "#id_display_time_zone", MEMBER_ZONE)
    click_through(browser, button_named(browser, "Save time zone"))
    wait_text(browser, ".messages", f"Your own times are now shown in {MEMBER_ZONE}.")
    _check_page(browser, "time-zone")

    browser.get(site.page("/"))
    body = browser.find_element(By.TAG_NAME, "body")
    assert body.get_attribute("data-member-zone") == MEMBER_ZONE
    for instant, yours in _release_times(browser):
        assert yours == f" (your time: {_your_time(instant, MEMBER_ZONE)})"
    screenshots(browser, "profile-dashboard-in-tokyo")

    # Back to "each club's own zone": the browser's zone again.
    _open_profile(browser)
    choose(browser, "#id_display_time_zone", "")
    click_through(browser, button_named(browser, "Save time zone"))
    browser.get(site.page("/"))
    assert browser.find_element(By.TAG_NAME, "body").get_attribute("data-member-zone") is None
    for instant, yours in _release_times(browser):
        assert yours == f" (your time: {_your_time(instant, BROWSER_ZONE)})"


def test_a_member_deletes_their_account(site, browser):
    username = new_member(browser, site)
    browser.get(site.page("/book/"))
    fill_first_choice(browser, COURT_1, far_date(browser, 7), SLOT_04PM)
    click_through(browser, browser.find_element(By.ID, "submit-booking"))
    wait_text(browser, "#confirmation", "Request saved")
    request_id = current_path(browser).split("/")[2]
    user_id = _api(site.operator, site, f"/api/bookings/{request_id}")["user_id"]
    assert len(_api(site.operator, site, f"/api/users/{user_id}/clubs")) == 1

    _open_profile(browser)
    click_through(browser, browser.find_element(By.LINK_TEXT, "Delete my account…"))
    wait_text(browser, "main h1", "Delete your account")
    said = browser.find_element(By.CSS_SELECTOR, "ul.consequences").text
    assert "Your club portal username and password are erased from tennisbook" in said
    assert "Your 1 request still waiting or under way is cancelled" in said
    assert "Courts already booked for you stay booked at the club" in said
    assert "stays with the club as its booking history" in said
    _check_page(browser, "delete")

    type_into(browser, "#id_password", "not-my-password-7")
    click_through(browser, button_named(browser, "Delete my account"))

    assert focused(browser).get_attribute("id") == "form-errors"
    assert browser.find_element(By.ID, "id_password_error").text == DELETION_REFUSED
    assert browser.find_element(By.ID, "id_password").get_attribute("aria-invalid") == "true"
    _check_page(browser, "delete-wrong-password")

    type_into(browser, "#id_password", PASSWORD)
    click_through(browser, button_named(browser, "Delete my account"))

    assert current_path(browser) == "/accounts/deleted/", page_text(browser)
    wait_text(browser, "main h1", "Your account is deleted")
    assert "Log in" in browser.find_element(By.CSS_SELECTOR, "header nav").text
    _check_page(browser, "deleted")
    assert _api(site.operator, site, f"/api/users/{user_id}/clubs") == []
    assert _api(site.operator, site, f"/api/bookings/{request_id}")["status"] == "cancelled"

    log_in(browser, site, username, PASSWORD)
    wait_text(browser, "#form-errors", INVALID_CREDENTIALS)
