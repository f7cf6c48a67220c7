"""The booking form answers as the member types, and the server's answers land by their field.

The browser checks a date while it is typed (format, a date that does not
exist, outside the club's window) and refuses to send a form with a required
field empty; what only the server refuses comes back next to the field it
names; a slot another member already asked for offers the free ones, and
one click asks for one of them. The form fits a 360 px phone.
"""

from __future__ import annotations

from datetime import timedelta

from selenium.webdriver.common.by import By

from .browser import (
    axe_check,
    choose,
    click_through,
    current_path,
    focused,
    log_out,
    requested_urls,
    screenshots,
    type_into,
    wait_text,
)
from .members import (
    COURT_1,
    COURT_2,
    COURT_NAMES,
    SLOT_04PM,
    SLOT_08,
    SLOT_09,
    SLOT_10,
    SLOT_11,
    add_alternative,
    booking_window,
    far_date,
    field_error,
    fill_first_choice,
    is_invalid,
    mark_page,
    new_member,
    page_text,
    same_page,
    value_of,
)

NOTES_MAX = 500
PARTNER_MAX = 64


def _times_sent(browser, path: str) -> int:
    """How many times the browser asked for ``path`` (a GET or a POST alike)."""
    return sum(1 for url in requested_urls(browser) if url.split("?")[0].endswith(path))


def test_the_date_is_checked_as_it_is_typed_and_the_message_clears_once_it_is_right(site, browser):
    new_member(browser, site)
    browser.get(site.page("/book/"))
    first, last = booking_window(browser)
    choose(browser, "#court_id", COURT_1)
    mark_page(browser)

    for typed, message in [
        ("12/05/2026", f"Use the format YYYY-MM-DD, for example {first.isoformat()}."),
        ("2026-02-30", "There is no such date as 2026-02-30."),
        ((last + timedelta(days=1)).isoformat(), "beyond the club's booking window"),
        ((first - timedelta(days=1)).isoformat(), "is in the past for the club"),
    ]:
        type_into(browser, "#date", typed)
        wait_text(browser, "#date-error", message)
        assert is_invalid(browser, "date"), typed
        # The hint below the field says nothing of a date it knows is wrong.
        assert browser.find_element(By.ID, "opening").text == "", typed

    date = browser.find_element(By.ID, "date")
    assert "date-error" in date.get_attribute("aria-describedby").split()
    type_into(browser, "#date", far_date(browser, 4))
    assert field_error(browser, "date") == ""
    assert not is_invalid(browser, "date")
    wait_text(browser, "#opening", "This date opens")  # asked of the server once it is right
    assert same_page(browser)  # all of it without sending the form


def test_sending_with_a_required_field_empty_focuses_it_and_sends_nothing(site, browser):
    new_member(browser, site)
    browser.get(site.page("/book/"))
    mark_page(browser)
    sent = _times_sent(browser, "/book/")

    browser.find_element(By.ID, "submit-booking").click()

    assert focused(browser).get_attribute("id") == "court_id"
    assert field_error(browser, "court_id") == "Choose a court."
    assert field_error(browser, "date").startswith("Enter the date you want to play")
    assert field_error(browser, "time_slot") == "Choose a time slot."
    assert all(is_invalid(browser, name) for name in ("court_id", "date", "time_slot"))

    choose(browser, "#court_id", COURT_2)
    browser.find_element(By.ID, "submit-booking").click()

    assert focused(browser).get_attribute("id") == "date"  # now the first field still wrong
    assert not is_invalid(browser, "court_id")
    assert same_page(browser)
    assert _times_sent(browser, "/book/") == sent


def test_what_only_the_server_refuses_comes_back_next_to_its_field(site, browser):
    new_member(browser, site)
    browser.get(site.page("/book/"))
    day = far_date(browser, 6)
    fill_first_choice(browser, COURT_2, day, SLOT_04PM)
    # The browser's own limits, lifted as a script could: the server still counts.
    browser.execute_script(
        "for (const id of ['notes', 'partner-1'])"
        "  document.getElementById(id).removeAttribute('maxlength');"
    )
    type_into(browser, "#partner-1", "P" * (PARTNER_MAX + 1))
    type_into(browser, "#notes", "Bring balls. " * 40)  # 520 characters

    click_through(browser, browser.find_element(By.ID, "submit-booking"))

    assert current_path(browser) == "/book/", page_text(browser)
    summary = wait_text(browser, "#form-errors", "Please correct the fields marked below.")
    assert focused(browser) == summary  # read out first
    assert field_error(browser, "notes").startswith(f"Must be at most {NOTES_MAX} characters")
    assert is_invalid(browser, "notes")
    assert field_error(browser, "partner-1").startswith(f"Must be at most {PARTNER_MAX}")
    assert is_invalid(browser, "partner-1")
    assert field_error(browser, "date") == ""  # nothing said of the fields that were right
    # What the member typed is all still there.
    assert value_of(browser, "#court_id") == COURT_2
    assert value_of(browser, "#date") == day
    assert value_of(browser, "#time_slot") == SLOT_04PM
    assert len(value_of(browser, "#notes")) == 520
    axe_check(browser)
    screenshots(browser, "member-booking-form-server-errors")

    type_into(browser, "#partner-1", "Ana")
    type_into(browser, "#notes", "Bring balls.")
    click_through(browser, browser.find_element(By.ID, "submit-booking"))

    wait_text(browser, "#confirmation", "Request saved")


def test_a_slot_another_member_asked_for_offers_free_ones_and_one_click_asks_for_one(site, browser):
    new_member(browser, site)  # the first member gets the slot
    browser.get(site.page("/book/"))
    day = far_date(browser, 3)
    fill_first_choice(browser, COURT_2, day, SLOT_11)
    click_through(browser, browser.find_element(By.ID, "submit-booking"))
    wait_text(browser, "#confirmation", "Request saved")
    log_out(browser)

    new_member(browser, site)  # a second member wants the same
    browser.get(site.page("/book/"))
    fill_first_choice(browser, COURT_2, day, SLOT_11)
    browser.find_element(By.ID, "on_conflict-suggest").click()
    click_through(browser, browser.find_element(By.ID, "submit-booking"))

    wait_text(browser, "#suggestions", "That slot is taken")
    assert focused(browser).get_attribute("id") == "suggestions"
    suggestions = browser.find_elements(By.CSS_SELECTOR, "#suggestions .suggestion")
    assert suggestions, page_text(browser)
    axe_check(browser)
    screenshots(browser, "member-booking-form-slot-taken")

    pick = suggestions[0]
    court, slot = pick.get_attribute("data-court"), pick.get_attribute("data-slot")
    assert pick.get_attribute("data-date") == day
    assert (court, slot) != (COURT_2, SLOT_11)
    assert pick.text == f"{COURT_NAMES[court]}, {day}, {slot}"  # the court by its name
    click_through(browser, pick)

    wait_text(browser, "#confirmation", "Request saved")
    heading = browser.find_element(By.CSS_SELECTOR, "main h1").text
    assert heading.startswith(f"{COURT_NAMES[court]}, "), heading
    assert heading.endswith(f", {slot}"), heading
    assert f"({day})" in browser.find_element(By.CSS_SELECTOR, ".facts").text


def test_the_booking_form_fits_a_360_px_phone(site, browser):
    browser.set_window_size(360, 800)
    new_member(browser, site)
    browser.get(site.page("/book/"))
    fill_first_choice(browser, COURT_1, far_date(browser, 8), SLOT_08)
    for court, slot in [(COURT_2, SLOT_08), (COURT_1, SLOT_09), (COURT_2, SLOT_10)]:
        add_alternative(browser, court, slot)
    browser.find_element(By.CSS_SELECTOR, ".save-template summary").click()

    width, inner, right = browser.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth,"
        " document.getElementById('submit-booking').getBoundingClientRect().right];"
    )
    assert inner <= 360
    assert width <= inner, f"the page scrolls sideways: {width} px wide in {inner} px"
    assert right <= inner
