"""The member's web flow in a real browser, by the selectors of PORTAL.md."""

from __future__ import annotations

import datetime as dt

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.democlub.helpers import SLOT_7AM, fixed_release, portal_day

pytestmark = pytest.mark.browser

DAY = dt.date(2031, 3, 12)
WAIT = 20  # seconds: a bound for a busy machine; each wait ends as soon as the page is there


def _login(driver, url, member="101", password="cancha-demo-101"):
    driver.get(url + "/")
    first, second = driver.find_elements(By.CSS_SELECTOR, "input")[:2]
    assert first.get_attribute("name") in (None, "")
    assert first.get_attribute("id") in (None, "")
    first.send_keys(member)
    second.send_keys(password)
    driver.find_element(By.XPATH, "//button[normalize-space()='Ingresar']").click()
    WebDriverWait(driver, WAIT).until(ec.url_contains("dashboard.php?w="))


def _open_day(driver, area: str, day: str):
    """Dashboard -> Reservaciones modal -> area -> calendar -> day (nested iframe)."""
    driver.find_element(By.CSS_SELECTOR, 'a[href="pre_reservations.php"]').click()
    WebDriverWait(driver, WAIT).until(ec.frame_to_be_available_and_switch_to_it("modal_iframe"))
    WebDriverWait(driver, WAIT).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, "select#area"))
    )
    Select(driver.find_element(By.CSS_SELECTOR, "select#area")).select_by_value(area)
    WebDriverWait(driver, WAIT).until(
        ec.visibility_of_element_located((By.CSS_SELECTOR, "input#btn_cont"))
    )
    driver.find_element(By.CSS_SELECTOR, "input#btn_cont").click()
    cell = f"td.calendar-day_clickable[onclick=\"f_change_reservation_day('{day}','{area}')\"]"
    WebDriverWait(driver, WAIT).until(ec.presence_of_element_located((By.CSS_SELECTOR, cell)))
    driver.find_element(By.CSS_SELECTOR, cell).click()
    WebDriverWait(driver, WAIT).until(ec.frame_to_be_available_and_switch_to_it("day_frame"))
    WebDriverWait(driver, WAIT).until(
        ec.presence_of_element_located((By.LINK_TEXT, "+ Solicitar Reserva"))
    )


def test_a_member_books_a_court_through_the_whole_web_flow(democlub, democlub_browser):
    driver = democlub_browser
    # The calendar opens on the current month: be in the month of DAY, just after its release.
    democlub.control.set_clock(now=fixed_release(DAY, 8).isoformat())
    _login(driver, democlub.url)
    _open_day(driver, "5", portal_day(DAY))

    driver.find_element(By.LINK_TEXT, "+ Solicitar Reserva").click()
    WebDriverWait(driver, WAIT).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, "select#schedule"))
    )
    assert (
        driver.find_element(By.CSS_SELECTOR, "input[type=hidden][name=area]").get_attribute("value")
        == "5"
    )
    assert driver.find_element(By.CSS_SELECTOR, "input[type=hidden][name=day]").get_attribute(
        "value"
    ) == portal_day(DAY)
    schedule = Select(driver.find_element(By.CSS_SELECTOR, "select#schedule"))
    labels = [o.text for o in schedule.options if o.get_attribute("value")]
    assert labels[0] == "De 06:00 AM a 07:00 AM"
    assert labels[-1] == "De 06:00 PM a 07:00 PM"
    schedule.select_by_visible_text(SLOT_7AM)
    driver.find_element(By.CSS_SELECTOR, "input#comments").send_keys("dobles")
    driver.find_element(By.CSS_SELECTOR, "input#save_btn").click()

    message = WebDriverWait(driver, WAIT).until(ec.presence_of_element_located((By.ID, "message")))
    assert message.text == "Su reservación se ha realizado con éxito y ya se encuentra aprobada."
    driver.find_element(By.LINK_TEXT, "Volver").click()
    WebDriverWait(driver, WAIT).until(
        ec.text_to_be_present_in_element(
            (By.CSS_SELECTOR, "ul.reserved_list"), "Reservado de 07:00 AM a 08:00 AM"
        )
    )
    [booking] = democlub.control.reservations(member="101")
    assert (booking["area"], booking["day"], booking["slot"]) == (5, DAY.isoformat(), SLOT_7AM)
    assert booking["comments"] == "dobles"
    assert booking["door"] == "web"


def test_a_member_lists_and_cancels_a_reservation_in_the_browser(
    democlub, democlub_browser, web_member
):
    driver = democlub_browser
    democlub.control.set_clock(now=fixed_release(DAY, 8).isoformat())
    web_member().reserve(5, portal_day(DAY), SLOT_7AM)
    _login(driver, democlub.url)
    driver.find_element(By.LINK_TEXT, "Mis Reservaciones").click()
    row = WebDriverWait(driver, WAIT).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, "tr.reservation"))
    )
    assert SLOT_7AM in row.text
    assert portal_day(DAY) in row.text
    row.find_element(By.CSS_SELECTOR, "input.btn_cancel").click()
    message = WebDriverWait(driver, WAIT).until(ec.presence_of_element_located((By.ID, "message")))
    assert message.text == "Su reservación ha sido cancelada."
    assert driver.find_elements(By.CSS_SELECTOR, "tr.reservation") == []
    assert democlub.control.reservations(member="101") == []


def _open_calendar(driver, area: str):
    driver.find_element(By.CSS_SELECTOR, 'a[href="pre_reservations.php"]').click()
    WebDriverWait(driver, WAIT).until(ec.frame_to_be_available_and_switch_to_it("modal_iframe"))
    WebDriverWait(driver, WAIT).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, "select#area"))
    )
    Select(driver.find_element(By.CSS_SELECTOR, "select#area")).select_by_value(area)
    WebDriverWait(driver, WAIT).until(
        ec.visibility_of_element_located((By.CSS_SELECTOR, "input#btn_cont"))
    )
    driver.find_element(By.CSS_SELECTOR, "input#btn_cont").click()
    WebDriverWait(driver, WAIT).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, "table.calendar"))
    )


def test_a_calendar_loaded_before_release_stays_stale_until_reloaded(democlub, democlub_browser):
    driver = democlub_browser
    release = fixed_release(DAY, 8)
    clickable = f"td.calendar-day_clickable[data-day='{portal_day(DAY)}']"
    democlub.control.set_clock(now=(release - dt.timedelta(seconds=60)).isoformat())
    _login(driver, democlub.url)
    _open_calendar(driver, "5")
    assert not driver.find_elements(By.CSS_SELECTOR, clickable)

    democlub.control.set_clock(now=release.isoformat())
    assert not driver.find_elements(By.CSS_SELECTOR, clickable)  # stale until reloaded
    driver.refresh()
    _open_calendar(driver, "5")
    assert len(driver.find_elements(By.CSS_SELECTOR, clickable)) == 1


def test_a_wrong_password_stays_on_the_login_page(democlub, democlub_browser):
    driver = democlub_browser
    driver.get(democlub.url + "/")
    first, second = driver.find_elements(By.CSS_SELECTOR, "input")[:2]
    first.send_keys("101")
    second.send_keys("wrong")
    driver.find_element(By.XPATH, "//button[normalize-space()='Ingresar']").click()
    error = WebDriverWait(driver, WAIT).until(
        ec.presence_of_element_located((By.ID, "login_error"))
    )
    assert "incorrectos" in error.text
    assert "dashboard" not in driver.current_url
    assert len(driver.find_elements(By.XPATH, "//button[normalize-space()='Ingresar']")) == 1
