"""What the booking form keeps for the member: drafts, templates, the alternatives' order.

A started request survives a reload until it is discarded or sent; a
ready-made template or one the member saved fills the form in one click;
alternatives are reordered with their buttons, from the keyboard and by
drag and drop, and the request saved keeps that order.
"""

from __future__ import annotations

from datetime import date, timedelta

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC

from .browser import (
    click_through,
    current_path,
    drag,
    focused,
    press,
    screenshots,
    type_into,
    wait_for,
    wait_text,
)
from .members import (
    COURT_1,
    COURT_2,
    COURT_NAMES,
    SLOT_05PM,
    SLOT_07,
    SLOT_08,
    SLOT_09,
    SLOT_10,
    add_alternative,
    alternative_rows,
    alternatives,
    booking_window,
    button_named,
    far_date,
    fill_first_choice,
    new_member,
    value_of,
)

SATURDAY = 5  # date.weekday()


def _form_values(browser) -> dict:
    return {
        "court_id": value_of(browser, "#court_id"),
        "date": value_of(browser, "#date"),
        "time_slot": value_of(browser, "#time_slot"),
        "alternatives": alternatives(browser),
        "partner": value_of(browser, "#partner-1"),
        "notes": value_of(browser, "#notes"),
    }


def _draft_saved(browser, text: str) -> None:
    """Wait until the browser's stored draft holds ``text`` (drafts are saved 200 ms late)."""
    wait_for(
        browser,
        lambda d: text in d.execute_script("return Object.values(localStorage).join(' ');"),
        timeout=3,
        message=f"a draft holding {text!r}",
    )


def _first_on(first: date, last: date, weekdays: set[int]) -> str:
    day = first
    while day.weekday() not in weekdays:
        day += timedelta(days=1)
    assert day <= last
    return day.isoformat()


def test_a_started_request_survives_a_reload_until_it_is_discarded_or_sent(site, browser):
    new_member(browser, site)
    browser.get(site.page("/book/"))
    day = far_date(browser, 2)
    fill_first_choice(browser, COURT_2, day, SLOT_05PM)
    add_alternative(browser, COURT_1, SLOT_05PM)
    type_into(browser, "#partner-1", "Ana")
    type_into(browser, "#notes", "Bring balls")
    _draft_saved(browser, "Bring balls")
    started = _form_values(browser)

    browser.refresh()

    assert browser.find_element(By.ID, "draft-notice").is_displayed()
    assert _form_values(browser) == started

    click_through(browser, browser.find_element(By.ID, "draft-discard"))

    assert not browser.find_element(By.ID, "draft-notice").is_displayed()
    assert _form_values(browser) == {
        "court_id": "",
        "date": "",
        "time_slot": "",
        "alternatives": [],
        "partner": "",
        "notes": "",
    }

    fill_first_choice(browser, COURT_2, day, SLOT_05PM)
    type_into(browser, "#notes", "Sent this time")
    click_through(browser, browser.find_element(By.ID, "submit-booking"))
    wait_text(browser, "#confirmation", "Request saved")
    browser.get(site.page("/book/"))

    assert not browser.find_element(By.ID, "draft-notice").is_displayed()
    assert value_of(browser, "#notes") == ""
    assert value_of(browser, "#date") == ""


def test_templates_fill_the_form_and_a_members_own_one_is_kept_until_deleted(site, browser):
    new_member(browser, site)
    browser.get(site.page("/book/"))
    first, last = booking_window(browser)

    button_named(browser, "Weekday 07:00 singles").click()

    assert _form_values(browser) == {
        "court_id": COURT_1,
        "date": _first_on(first, last, {0, 1, 2, 3, 4}),
        "time_slot": SLOT_07,
        "alternatives": [],
        "partner": "",
        "notes": "Singles",
    }
    assert focused(browser).get_attribute("id") == "court_id"

    name = f"Saturday doubles, {COURT_NAMES[COURT_1]} then {COURT_NAMES[COURT_2]}"
    button_named(browser, name).click()

    assert _form_values(browser) == {
        "court_id": COURT_1,
        "date": _first_on(first, last, {SATURDAY}),
        "time_slot": SLOT_08,
        "alternatives": [(COURT_2, SLOT_08)],
        "partner": "",
        "notes": "Doubles",
    }

    # The member's own: saved with a name. Enter in the name saves it on the server (the
    # booking is not sent) and the form comes back as it was, from the draft.
    day = far_date(browser, 9)
    fill_first_choice(browser, COURT_2, day, SLOT_10)
    browser.find_element(By.CSS_SELECTOR, ".save-template summary").click()
    type_into(browser, "#template-name", "Evening on court 2")
    name_box = browser.find_element(By.ID, "template-name")
    press(browser, Keys.ENTER)
    wait_for(browser, EC.staleness_of(name_box), message="the form after saving the template")
    wait_text(browser, ".messages", "Saved the template “Evening on court 2”.")
    assert current_path(browser) == "/book/"
    assert browser.find_element(By.ID, "draft-notice").is_displayed()
    assert value_of(browser, "#time_slot") == SLOT_10

    click_through(browser, browser.find_element(By.ID, "draft-discard"))  # a clean form
    assert value_of(browser, "#court_id") == ""

    button_named(browser, "Evening on court 2").click()

    weekday = date.fromisoformat(day).weekday()
    assert _form_values(browser) == {
        "court_id": COURT_2,
        "date": _first_on(first, last, {weekday}),  # the template keeps the weekday
        "time_slot": SLOT_10,
        "alternatives": [(COURT_2, SLOT_08)],
        "partner": "",
        "notes": "Doubles",
    }

    delete = browser.find_element(
        By.CSS_SELECTOR, "[aria-label='Delete the template Evening on court 2']"
    )
    delete.click()
    browser.switch_to.alert.accept()  # "Delete the template …?"
    wait_for(browser, EC.staleness_of(delete), message="the form after deleting the template")
    wait_text(browser, ".messages", "Deleted the template “Evening on court 2”.")

    own = browser.find_elements(By.CSS_SELECTOR, "#template-list .own-template")
    assert own == []


def test_alternatives_are_reordered_by_buttons_keys_and_drag_and_the_request_keeps_it(
    site, browser
):
    new_member(browser, site)
    browser.get(site.page("/book/"))
    fill_first_choice(browser, COURT_2, far_date(browser, 1), SLOT_09)
    a, b, c = (COURT_1, SLOT_09), (COURT_2, SLOT_10), (COURT_1, SLOT_10)
    for court, slot in (a, b, c):
        add_alternative(browser, court, slot)

    assert alternatives(browser) == [a, b, c]
    assert not browser.find_element(By.ID, "add-alternative").is_enabled()  # at most 3
    numbers = [
        row.find_element(By.CSS_SELECTOR, ".alt-number").text for row in alternative_rows(browser)
    ]
    assert numbers == ["1.", "2.", "3."]

    # The keyboard: focus a button, press Enter (then Space on another).
    up = alternative_rows(browser)[2].find_element(By.CSS_SELECTOR, ".alt-up")
    browser.execute_script("arguments[0].focus();", up)
    press(browser, Keys.ENTER)
    assert alternatives(browser) == [a, c, b]
    assert focused(browser) == up  # the focus moved with its row
    wait_text(browser, "#alternatives-status", "Moved to position 2 of 3.")

    down = alternative_rows(browser)[0].find_element(By.CSS_SELECTOR, ".alt-down")
    browser.execute_script("arguments[0].focus();", down)
    press(browser, Keys.SPACE)
    assert alternatives(browser) == [c, a, b]

    # The mouse: drag the last row above the first.
    rows = alternative_rows(browser)
    drag(browser, rows[2].find_element(By.CSS_SELECTOR, ".drag-handle"), rows[0])
    assert alternatives(browser) == [b, c, a]
    wait_text(browser, "#alternatives-status", "Moved to position 1 of 3.")
    labels = [
        row.find_element(By.CSS_SELECTOR, ".alt-court").accessible_name
        for row in alternative_rows(browser)
    ]
    assert labels == [f"Court (alternative {n})" for n in (1, 2, 3)]
    screenshots(browser, "member-booking-form-alternatives")

    # Remove the middle one: the focus lands on the row that took its place.
    alternative_rows(browser)[1].find_element(By.CSS_SELECTOR, ".alt-remove").click()
    assert alternatives(browser) == [b, a]
    assert browser.find_element(By.ID, "add-alternative").is_enabled()
    assert focused(browser) == alternative_rows(browser)[1].find_element(
        By.CSS_SELECTOR, ".alt-court"
    )

    click_through(browser, browser.find_element(By.ID, "submit-booking"))

    wait_text(browser, "#confirmation", "Request saved")
    then = browser.find_elements(By.CSS_SELECTOR, ".facts ol li")
    assert [item.text for item in then] == [
        f"{COURT_NAMES[b[0]]}, {b[1]}",
        f"{COURT_NAMES[a[0]]}, {a[1]}",
    ]
