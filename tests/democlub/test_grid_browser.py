"""The grid in a real browser: grid.js fills end_time and the search, clicks book."""

from __future__ import annotations

import datetime as dt

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.democlub.helpers import grid_at

pytestmark = pytest.mark.browser

NOW = grid_at(dt.date(2031, 2, 3), 12)
DAY = "2031-02-07"
WAIT = 20  # seconds: a bound for a busy machine; each wait ends as soon as the page is there


def _login(driver, url: str) -> None:
    driver.get(url + "/login")
    driver.find_element(By.ID, "username").send_keys("alex")
    driver.find_element(By.ID, "password").send_keys("grid-demo-alex")
    driver.find_element(By.ID, "login-button").click()
    WebDriverWait(driver, WAIT).until(ec.presence_of_element_located((By.ID, "day-grid")))


def _value(driver, element_id: str) -> str:
    return driver.find_element(By.ID, element_id).get_attribute("value")


def test_a_member_books_by_clicking_and_finds_the_booking_in_the_search(gridclub, democlub_browser):
    driver = democlub_browser
    gridclub.control.set_clock(now=NOW.isoformat())
    _login(driver, gridclub.url)
    driver.get(f"{gridclub.url}/day?date={DAY}")
    driver.find_element(
        By.CSS_SELECTOR, 'tr[data-start="07:00"] td.free a.book[href*="court=1&"]'
    ).click()

    WebDriverWait(driver, WAIT).until(ec.presence_of_element_located((By.ID, "booking-form")))
    # The HTML leaves end_time empty (test_grid_booking); the script sets it on load.
    assert _value(driver, "end_time") == str(8 * 3600)
    assert driver.find_element(By.ID, "end-label").text == "until 8:00 AM"
    start = Select(driver.find_element(By.ID, "start"))
    start.select_by_visible_text("1:00 PM")
    assert _value(driver, "end_time") == str(14 * 3600)
    assert driver.find_element(By.ID, "end-label").text == "until 2:00 PM"
    start.select_by_visible_text("7:00 AM")
    driver.find_element(By.ID, "notes").send_keys("doubles")
    driver.find_element(By.ID, "book-button").click()

    flash = WebDriverWait(driver, WAIT).until(ec.presence_of_element_located((By.ID, "flash")))
    [booking] = gridclub.control.reservations()
    assert flash.text == (
        f"Booking confirmed: Court 1 on Friday, February 7, 2031 at 7:00 AM (ref {booking['id']})."
    )
    assert (booking["member"], booking["comments"], booking["door"]) == ("alex", "doubles", "web")

    driver.find_element(By.LINK_TEXT, "My bookings").click()
    WebDriverWait(driver, WAIT).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, '#results[data-state="loaded"]'))
    )
    [row] = driver.find_elements(By.CSS_SELECTOR, "#results tr.booking")
    assert row.get_attribute("data-id") == str(booking["id"])
    cells = {
        c: row.find_element(By.CSS_SELECTOR, f"td.{c}").text
        for c in ("when", "court", "length", "who", "ref")
    }
    assert cells == {
        "when": "Friday, February 7, 2031 at 7:00 AM",
        "court": "Court 1",
        "length": "1 hour",
        "who": "alex",
        "ref": f"#{booking['id']}",
    }

    row.find_element(By.CSS_SELECTOR, "button.cancel").click()
    WebDriverWait(driver, WAIT).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, '#results[data-state="loaded"] tr.empty'))
    )
    assert driver.find_element(By.CSS_SELECTOR, "#results tr.empty").text == "No bookings found."
    assert gridclub.control.reservations() == []


def test_the_search_page_arrives_empty_and_fills_after_load(
    gridclub, democlub_browser, grid_member
):
    driver = democlub_browser
    gridclub.control.set_clock(now=NOW.isoformat())
    gridclub.control.add_member("sam", "sam-pass")
    grid_member("sam", "sam-pass").book(2, DAY, 9 * 3600)
    _login(driver, gridclub.url)
    driver.get(f"{gridclub.url}/bookings")  # no member filter: everyone's bookings
    WebDriverWait(driver, WAIT).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, '#results[data-state="loaded"]'))
    )
    [row] = driver.find_elements(By.CSS_SELECTOR, "#results tr.booking")
    assert row.find_element(By.CSS_SELECTOR, "td.who").text == "sam"
    assert row.find_elements(By.CSS_SELECTOR, "button.cancel") == []  # not the viewer's
