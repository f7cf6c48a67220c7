"""The keyboard: shortcuts that never fire while the member types, and a focus one can see."""

from __future__ import annotations

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from .browser import (
    axe_check,
    current_path,
    focused,
    press,
    screenshots,
    type_into,
    wait_for,
)
from .members import mark_page, new_member, same_page, value_of

TABS = 14  # the header, the templates and the booking form's first fields


def _dialog_open(browser) -> bool:
    return browser.execute_script("return document.getElementById('shortcuts').open;")


def _wait_for_path(browser, path: str) -> None:
    wait_for(browser, lambda d: current_path(d) == path, message=f"the page at {path}")


def test_question_mark_lists_the_shortcuts_and_escape_closes_the_list(site, browser):
    new_member(browser, site, portal_password=None)
    browser.get(site.page("/"))

    press(browser, "?")

    assert _dialog_open(browser)
    dialog = browser.find_element(By.ID, "shortcuts")
    assert dialog.accessible_name == "Keyboard shortcuts"
    assert browser.execute_script("return arguments[0].contains(document.activeElement);", dialog)
    assert "New booking request" in dialog.text
    axe_check(browser)
    screenshots(browser, "member-shortcuts-dialog")

    press(browser, Keys.ESCAPE)

    assert not _dialog_open(browser)


def test_letters_go_to_their_pages_but_never_while_the_member_types(site, browser):
    new_member(browser, site, portal_password=None)
    browser.get(site.page("/"))

    press(browser, "n")
    _wait_for_path(browser, "/book/")

    mark_page(browser)
    type_into(browser, "#notes", "n? h s")
    type_into(browser, "#partner-1", "?n")
    type_into(browser, "#date", "n")
    assert same_page(browser)
    assert not _dialog_open(browser)
    assert value_of(browser, "#notes") == "n? h s"  # the keys were the member's text
    assert value_of(browser, "#partner-1") == "?n"

    browser.execute_script("document.activeElement.blur();")
    press(browser, "h")
    _wait_for_path(browser, "/")
    press(browser, "s")
    _wait_for_path(browser, "/settings/")


def test_a_keyboard_member_always_sees_where_the_focus_is(site, browser):
    new_member(browser, site)
    browser.get(site.page("/book/"))

    press(browser, Keys.TAB)
    skip = focused(browser)
    assert skip.text == "Skip to content"  # the first stop...
    assert skip.rect["x"] >= 0  # ...moved into view once focused

    seen = []
    for _ in range(TABS):
        element = focused(browser)
        style = browser.execute_script(
            "const s = getComputedStyle(arguments[0]);"
            "return [s.outlineStyle, parseFloat(s.outlineWidth)];",
            element,
        )
        seen.append((element.tag_name, element.text or element.get_attribute("id"), *style))
        press(browser, Keys.TAB)

    invisible = [entry for entry in seen if entry[2] == "none" or entry[3] == 0]
    assert not invisible, f"focused without a visible outline: {invisible}"
    assert any(tag == "button" for tag, *_ in seen), seen
