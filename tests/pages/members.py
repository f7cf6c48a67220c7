"""The member pages' own verbs, as a member does them in the browser.

- ``new_member(driver, site)``: a visitor registers (landing in the wizard)
  and, unless told otherwise, saves the demo portal's account at step 1.
- the booking form: ``booking_window``, ``far_date`` (a date whose release
  is days away, so a request for it waits), ``fill_first_choice``,
  ``add_alternative``, ``alternatives``, ``field_error``.
- ``mark_page``/``same_page``: whether the browser is still on the very
  document it was (nothing was submitted, no navigation happened).

The club is the stack's default one: the demo portal's courts 5 ("Cancha de
Tenis 1") and 7 ("Cancha de Tenis 2"), hourly slots from 06:00 to 19:00,
court 5's dates opening 8 days ahead and court 7's 9 days ahead.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import Select

from democlub.__main__ import DEMO_MEMBER

from .browser import (
    choose,
    click_through,
    current_path,
    register,
    type_into,
    unique_username,
    wait_for,
)

PASSWORD = "a-long-court-password-7"  # the member's tennisbook password
COURT_1, COURT_2 = "5", "7"
COURT_NAMES = {COURT_1: "Cancha de Tenis 1", COURT_2: "Cancha de Tenis 2"}
SLOT_07 = "De 07:00 AM a 08:00 AM"
SLOT_08 = "De 08:00 AM a 09:00 AM"
SLOT_09 = "De 09:00 AM a 10:00 AM"
SLOT_10 = "De 10:00 AM a 11:00 AM"
SLOT_11 = "De 11:00 AM a 12:00 PM"
SLOT_04PM = "De 04:00 PM a 05:00 PM"
SLOT_05PM = "De 05:00 PM a 06:00 PM"


def page_text(driver: WebDriver) -> str:
    """Where the browser is and what ``<main>`` says, to explain a failed assertion."""
    text = driver.find_element(By.TAG_NAME, "main").text
    return f"{driver.current_url} ({driver.title!r}): {text[:600]!r}"


def button_named(driver: WebDriver, name: str) -> WebElement:
    return driver.find_element(By.XPATH, f"//main//button[normalize-space()={name!r}]")


# --- an account ---------------------------------------------------------------------


def new_member(driver: WebDriver, site: Any, *, portal_password: str | None = "demo") -> str:
    """Register a fresh member; then save the demo portal account at the wizard's step 1.

    ``portal_password`` is the portal password to save: ``"demo"`` (the
    default) the demo member's real one, None saves no account at all (the
    member stays on step 1). Returns the tennisbook username.
    """
    username = unique_username()
    register(driver, site, username, PASSWORD, f"{username}@example.org")
    assert current_path(driver) == "/welcome/", page_text(driver)
    if portal_password is not None:
        password = DEMO_MEMBER.password if portal_password == "demo" else portal_password
        save_portal_account(driver, DEMO_MEMBER.member, password)
        assert "step=2" in driver.current_url, page_text(driver)
    return username


def save_portal_account(driver: WebDriver, username: str, password: str) -> None:
    """The wizard's step 1: type the portal account and click "Save and continue"."""
    type_into(driver, "#portal_username", username)
    type_into(driver, "#portal_password", password)
    click_through(driver, button_named(driver, "Save and continue"))


def wizard_steps(driver: WebDriver) -> tuple[list[str], list[str]]:
    """The step indicator: the titles marked aria-current="step", and those marked done."""
    items = driver.find_elements(By.CSS_SELECTOR, "nav.wizard-steps li")
    current = [li.text for li in items if li.get_attribute("aria-current") == "step"]
    done = [li.text for li in items if "done" in li.get_attribute("class").split()]
    return current, done


# --- the booking form ---------------------------------------------------------------


def booking_window(driver: WebDriver) -> tuple[date, date]:
    """The first and last dates the form accepts, as it tells the member."""
    box = driver.find_element(By.ID, "date")
    return date.fromisoformat(box.get_attribute("data-min")), date.fromisoformat(
        box.get_attribute("data-max")
    )


def far_date(driver: WebDriver, days_before_last: int) -> str:
    """A date near the window's end: its release is weeks away, so a request waits.

    Each test takes its own ``days_before_last`` (and slot): requests of one
    test never hold a slot another test asks for.
    """
    return (booking_window(driver)[1] - timedelta(days=days_before_last)).isoformat()


# The date field asks the server when the date opens (htmx, 400 ms after the last
# key, again on change): settled once no request is out and none came for 600 ms.
_WATCH_OPENING = """
window.tbOpeningAt = performance.now();
if (!window.tbOpeningWatched) {
  window.tbOpeningWatched = true;
  for (const name of ["htmx:beforeRequest", "htmx:afterSettle"]) {
    document.addEventListener(name, () => { window.tbOpeningAt = performance.now(); });
  }
}
"""
_OPENING_SETTLED = """
return document.getElementById("opening").innerText.trim() !== ""
  && !document.querySelector(".htmx-request")
  && performance.now() - window.tbOpeningAt > 600;
"""


def fill_first_choice(driver: WebDriver, court: str, day: str, slot: str) -> None:
    """Court, date and slot as a member picks them; returns once "opens ..." stopped moving.

    The hint arrives after the fields are filled; clicking on while it lands
    would aim at a button that is about to move.
    """
    driver.execute_script(_WATCH_OPENING)
    choose(driver, "#court_id", court)
    type_into(driver, "#date", day)
    choose(driver, "#time_slot", slot)
    driver.execute_script(_WATCH_OPENING)
    wait_for(driver, lambda d: d.execute_script(_OPENING_SETTLED), message="the opening hint")


def add_alternative(driver: WebDriver, court: str, slot: str) -> WebElement:
    """Click "Add an alternative" and fill the new (last) row."""
    driver.find_element(By.ID, "add-alternative").click()
    row = driver.find_elements(By.CSS_SELECTOR, "#alternatives .alternative")[-1]
    Select(row.find_element(By.CSS_SELECTOR, ".alt-court")).select_by_value(court)
    Select(row.find_element(By.CSS_SELECTOR, ".alt-slot")).select_by_value(slot)
    return row


def alternative_rows(driver: WebDriver) -> list[WebElement]:
    return driver.find_elements(By.CSS_SELECTOR, "#alternatives .alternative")


def alternatives(driver: WebDriver) -> list[tuple[str, str]]:
    """The alternatives' (court, slot) in the order the form shows them."""
    return [
        (
            row.find_element(By.CSS_SELECTOR, ".alt-court").get_attribute("value"),
            row.find_element(By.CSS_SELECTOR, ".alt-slot").get_attribute("value"),
        )
        for row in alternative_rows(driver)
    ]


def value_of(driver: WebDriver, css: str) -> str:
    return driver.find_element(By.CSS_SELECTOR, css).get_attribute("value")


def field_error(driver: WebDriver, field_id: str) -> str:
    """The message shown next to the field (its ``#<id>-error`` box), and nothing else."""
    return driver.find_element(By.ID, f"{field_id}-error").text.strip()


def is_invalid(driver: WebDriver, field_id: str) -> bool:
    return driver.find_element(By.ID, field_id).get_attribute("aria-invalid") == "true"


def mark_page(driver: WebDriver) -> None:
    """Tag the current document; ``same_page`` is False once the browser left it."""
    driver.execute_script("window.__tennisbookSameDocument = true;")


def same_page(driver: WebDriver) -> bool:
    return driver.execute_script("return window.__tennisbookSameDocument === true;")
