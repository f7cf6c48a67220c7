"""A member turns a booking into a weekly series, sees its dates, skips one, pauses it.

In real Chromium against the running site: the booking form's "Repeat every
week…" opens the series form filled with its court, slot and weekday; the
member names it, picks the last date, starts it, and the series page lists
the dates to come with when each request is made and opens.
"""

from __future__ import annotations

from datetime import date, timedelta

from selenium.webdriver.common.by import By

from .browser import axe_check, click_through, type_into, wait_text
from .members import COURT_1, SLOT_09, button_named, far_date, fill_first_choice, new_member

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _set_date(browser, css: str, day: str) -> None:
    """A date field set as its picker would (the typed form depends on the locale)."""
    browser.execute_script(
        "const box = document.querySelector(arguments[0]); box.value = arguments[1];"
        "box.dispatchEvent(new Event('change', {bubbles: true}));",
        css,
        day,
    )


def test_a_booking_becomes_a_weekly_series_whose_dates_are_shown_and_skipped(site, browser):
    new_member(browser, site)
    browser.get(site.page("/book/"))
    first = far_date(browser, 9)
    fill_first_choice(browser, COURT_1, first, SLOT_09)
    click_through(browser, browser.find_element(By.ID, "repeat-weekly"))

    weekday = date.fromisoformat(first).weekday()
    assert browser.find_element(By.ID, f"weekday-{weekday}").is_selected()
    assert browser.find_element(By.ID, "court_id").get_attribute("value") == COURT_1
    assert browser.find_element(By.ID, "time_slot").get_attribute("value") == SLOT_09
    axe_check(browser)
    type_into(browser, "#name", f"{WEEKDAY_NAMES[weekday]} nines")
    last = (date.fromisoformat(first) + timedelta(days=28)).isoformat()
    _set_date(browser, "#ends_on", last)
    click_through(browser, button_named(browser, "Start the series"))

    wait_text(browser, ".messages", "Started")
    rows = browser.find_elements(By.CSS_SELECTOR, ".series-dates tbody tr")
    assert [row.get_attribute("data-date") for row in rows] == [
        (date.fromisoformat(first) + timedelta(days=7 * week)).isoformat() for week in range(5)
    ]
    assert "Made " in rows[0].text  # when its request is made, ahead of its release
    axe_check(browser)

    second = rows[1].get_attribute("data-date")
    click_through(browser, rows[1].find_element(By.TAG_NAME, "button"))
    wait_text(browser, ".messages", f"Skipped {second}")
    assert second not in [
        row.get_attribute("data-date")
        for row in browser.find_elements(By.CSS_SELECTOR, ".series-dates tbody tr")
    ]
    wait_text(browser, ".series-skipped", "Take back")

    series_page = browser.current_url
    browser.get(site.page(f"/calendar/?month={first[:7]}"))
    wait_text(browser, f"[data-date='{first}'] .cal-series", "request not made yet")

    browser.get(series_page)
    click_through(browser, button_named(browser, "Pause"))
    wait_text(browser, "main", "Paused: no new requests are made")
