"""A request's page shows what the engine did, and the member acts on it, in Chromium.

Two members, each with a portal account of their own on the stack's demo
portal, ask once each for a court that is already open (the club's
tomorrow), so the real engine runs at once: one is booked (its attempts,
steps and the portal clock's offset are on its page), the other's portal
password is wrong, so the login fails and the engine keeps a screenshot.
Those two requests are made once for the module (``story``); the tests
below read them, in this order, and the last one tries the failed request
again after the member fixed the password. The slots starting at 12:00,
13:00, 14:00, 15:00 and 18:00, and the far dates 5 and 7 days before the
window's end, are this module's alone.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import timedelta

import pytest
from selenium.webdriver.common.by import By

from .browser import (
    assert_only_local_requests,
    axe_check,
    choose,
    click_through,
    console_entries,
    current_path,
    log_in,
    log_out,
    new_browser,
    page_errors,
    requested_urls,
    screenshots,
    type_into,
    wait_for,
    wait_text,
)
from .members import (
    COURT_1,
    COURT_2,
    COURT_NAMES,
    PASSWORD,
    booking_window,
    button_named,
    far_date,
    fill_first_choice,
    new_member,
    page_text,
    save_portal_account,
    value_of,
)

SLOT_12PM = "De 12:00 PM a 01:00 PM"
SLOT_01PM = "De 01:00 PM a 02:00 PM"
SLOT_02PM = "De 02:00 PM a 03:00 PM"
SLOT_03PM = "De 03:00 PM a 04:00 PM"
SLOT_06PM = "De 06:00 PM a 07:00 PM"
ENGINE_WITHIN = 90  # seconds from a saved request (date already open) to its outcome
BAD_LOGIN = "Número de filial o contraseña incorrectos."  # the demo portal's own words
MADE_UP = "00000000-0000-4000-8000-000000000000"
OPERATOR = ("operator", "tennisbook-operator")  # the stack's demo operator


@dataclass(frozen=True)
class Member:
    username: str
    portal: str
    portal_password: str


@dataclass(frozen=True)
class Story:
    booked_by: Member
    booked: str  # request ids
    failed_for: Member
    failed: str


def _portal_account(site) -> tuple[str, str]:
    """A member of the demo portal for this module alone (its quota is nobody else's)."""
    name, password = f"det{uuid.uuid4().hex[:8]}", f"pw-{uuid.uuid4().hex[:12]}"
    site.portal.add_member(name, password, "Request page test")
    return name, password


def _member(driver, site, *, typed_password: str | None = None) -> Member:
    """Register; save the portal account (with ``typed_password`` instead of the right one)."""
    portal, password = _portal_account(site)
    username = new_member(driver, site, portal_password=None)
    save_portal_account(driver, portal, typed_password or password)
    return Member(username, portal, password)


def _ask(driver, site, court: str, day: str, slot: str, partner: str = "") -> str:
    """Fill the booking form and send it; returns the new request's id."""
    driver.get(site.page("/book/"))
    fill_first_choice(driver, court, day, slot)
    if partner:
        type_into(driver, "#partner-1", partner)
    click_through(driver, driver.find_element(By.ID, "submit-booking"))
    wait_text(driver, "#confirmation", "Request saved")
    return current_path(driver).split("/")[2]


def _chip(driver, text: str, timeout: float = ENGINE_WITHIN) -> None:
    """The status chip says ``text`` (the page polls and reloads itself once finished)."""
    wait_text(driver, "#request-status .chip", text, timeout=timeout)


@pytest.fixture(scope="module")
def story(site, tmp_path_factory):
    driver = new_browser(tmp_path_factory.mktemp("request-detail") / "chromium-profile")
    try:
        booked_by = _member(driver, site)
        driver.get(site.page("/book/"))
        tomorrow = (booking_window(driver)[0] + timedelta(days=1)).isoformat()
        booked = _ask(driver, site, COURT_1, tomorrow, SLOT_03PM)
        log_out(driver)
        failed_for = _member(driver, site, typed_password="not-the-portal-password")
        failed = _ask(driver, site, COURT_2, tomorrow, SLOT_06PM)
        _chip(driver, "Not booked")
        log_out(driver)
        log_in(driver, site, booked_by.username, PASSWORD)
        driver.get(site.page(f"/bookings/{booked}/"))
        _chip(driver, "Booked")
        yield Story(booked_by, booked, failed_for, failed)
        urls, entries = requested_urls(driver), console_entries(driver)
    finally:
        driver.quit()
    assert_only_local_requests(urls)
    assert not page_errors(entries), page_errors(entries)


def _status_of(driver, path: str) -> int:
    """What the site answers the logged-in browser for ``path`` (fetch, no redirects followed)."""
    return driver.execute_async_script(
        "const [path, done] = arguments;"
        "fetch(path, {redirect: 'manual'}).then((r) => done(r.status), (e) => done(String(e)));",
        path,
    )


def _image_loaded(driver, css: str) -> bool:
    return driver.execute_script(
        "const img = document.querySelector(arguments[0]);"
        "return Boolean(img && img.complete && img.naturalWidth > 0);",
        css,
    )


def _check_page(driver, name: str) -> None:
    axe_check(driver)
    screenshots(driver, f"request-detail-{name}")


# --- what the engine did ------------------------------------------------------------------


def test_a_booked_request_shows_its_attempts_its_steps_and_the_portals_clock(site, browser, story):
    log_in(browser, site, story.booked_by.username, PASSWORD)
    browser.get(site.page(f"/bookings/{story.booked}/"))
    _chip(browser, "Booked", timeout=5)

    rows = browser.find_elements(By.CSS_SELECTOR, "#attempts tbody tr")
    assert rows, page_text(browser)
    last = rows[-1].text
    assert COURT_NAMES[COURT_1] in last, last
    assert SLOT_03PM in last, last
    assert "Accepted" in last, last
    assert re.search(r"The portal said: “.+”", last), last
    arrived = rows[-1].find_element(By.CSS_SELECTOR, "td[data-label='After the release']").text
    assert re.fullmatch(r"[\d.,]+ ms( \([\d.]+ s\))?( before it)?", arrived), arrived
    assert re.search(r"Direct HTTP|Browser", last), last

    steps = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#timeline li")]
    wanted = ["Logging in", "Measuring the portal's clock", "Submitting", "Confirming"]
    found = [next(i for i, text in enumerate(steps) if text.startswith(w)) for w in wanted]
    assert found == sorted(found), steps  # in the order the engine ran them
    assert all(re.search(r"\d ms", text) for text in steps), steps
    widths = browser.execute_script(
        "const width = (node) => node.getBoundingClientRect().width;"
        "return [...document.querySelectorAll('#timeline .step-bar')]"
        "  .map((bar) => [width(bar.firstElementChild), width(bar)]);"
    )
    assert all(inner > 0 for inner, _ in widths), widths
    assert max(inner for inner, _ in widths) == pytest.approx(widths[0][1], abs=1)  # the longest

    clock = browser.find_element(By.ID, "clock-offset").text
    assert re.match(
        r"The portal's clock (was [\d.,]+ ms (ahead of|behind)|matched) tennisbook's, ± [\d.,]+ ms",
        clock,
    ), clock
    assert not browser.find_elements(By.ID, "detail-title")  # operators only

    browser.set_window_size(360, 900)  # the narrowest phone: nothing wider than the screen
    assert browser.execute_script(
        "return document.documentElement.scrollWidth <= window.innerWidth"
    ), "the request page is wider than a 360 px screen"
    browser.set_window_size(1280, 900)
    _check_page(browser, "booked")


def test_a_failed_login_shows_the_portals_words_and_the_screenshot_it_left(site, browser, story):
    log_in(browser, site, story.failed_for.username, PASSWORD)
    browser.get(site.page(f"/bookings/{story.failed}/"))

    status = browser.find_element(By.ID, "request-status").text
    assert "The portal refused your username or password." in status, status
    assert f"The portal said: “{BAD_LOGIN}”" in status, status
    shot = browser.find_element(By.ID, "evidence-screenshot")
    assert "Screenshot of" in shot.get_attribute("alt")
    wait_for(browser, lambda d: _image_loaded(d, "#evidence-screenshot"), message="the screenshot")
    full_size = browser.find_element(By.CSS_SELECTOR, ".evidence-shot figcaption a")
    assert full_size.text.startswith("Open it full size")
    url = full_size.get_attribute("href")
    assert url.endswith(f"/bookings/{story.failed}/evidence/screenshot")
    _check_page(browser, "failed-login")

    browser.get(url)  # what the link opens: the image itself
    assert browser.execute_script("return document.contentType") == "image/png"
    assert _image_loaded(browser, "img")


def test_another_member_gets_404s_for_the_page_and_the_screenshot(site, browser, story):
    log_in(browser, site, story.booked_by.username, PASSWORD)
    browser.get(site.page("/"))
    other = f"/bookings/{story.failed}"
    for path in (
        f"{other}/",
        f"{other}/status",
        f"{other}/edit",
        f"{other}/evidence/screenshot",
        f"{other}/evidence/html",
        f"/bookings/{MADE_UP}/",
        f"/bookings/{MADE_UP}/evidence/screenshot",
        f"/bookings/{story.booked}/evidence/screenshot",  # own request, nothing kept
        f"/bookings/{story.booked}/evidence/passwords",
    ):
        assert _status_of(browser, path) == 404, path
    browser.get(site.page(f"{other}/"))
    assert "not found" in browser.find_element(By.TAG_NAME, "h1").text.lower()


def test_an_operator_sees_the_members_screenshot_and_the_operators_part(site, browser, story):
    log_in(browser, site, *OPERATOR)
    browser.get(site.page(f"/bookings/{story.failed}/"))

    assert story.failed_for.username in browser.find_element(By.ID, "operator-view").text
    wait_for(browser, lambda d: _image_loaded(d, "#evidence-screenshot"), message="the screenshot")
    assert browser.find_element(By.ID, "detail-title").text == "For operators"
    assert not browser.find_elements(By.CSS_SELECTOR, "form[action$='/retry']")  # the member's
    answer = browser.execute_async_script(
        "const [path, done] = arguments; fetch(path).then((r) => done([r.status,"
        " r.headers.get('cache-control'), r.headers.get('x-content-type-options')]));",
        f"/bookings/{story.failed}/evidence/screenshot",
    )
    assert answer == [200, "private, no-store", "nosniff"]
    axe_check(browser)


# --- what the member does -------------------------------------------------------------------


def test_a_pending_request_is_edited_in_place_then_moved_to_another_slot(site, browser, story):
    log_in(browser, site, story.booked_by.username, PASSWORD)
    browser.get(site.page("/book/"))
    day = far_date(browser, 5)
    first = _ask(browser, site, COURT_1, day, SLOT_12PM, partner="Ana")

    click_through(browser, browser.find_element(By.ID, "edit-request"))
    assert current_path(browser) == f"/bookings/{first}/edit"
    assert browser.find_element(By.ID, "form-title").text.startswith("Edit your request")
    assert (value_of(browser, "#court_id"), value_of(browser, "#date")) == (COURT_1, day)
    assert value_of(browser, "#time_slot") == SLOT_12PM
    assert value_of(browser, "#partner-1") == "Ana"
    assert "Save changes" in browser.find_element(By.ID, "submit-booking").text
    _check_page(browser, "edit")

    # Partners and notes: the same request, changed in place.
    type_into(browser, "#partner-2", "Luis")
    type_into(browser, "#notes", "Bring balls")
    click_through(browser, browser.find_element(By.ID, "submit-booking"))
    assert current_path(browser) == f"/bookings/{first}/", page_text(browser)
    wait_text(browser, ".messages", "Your changes are saved.")
    asked = browser.find_element(By.CSS_SELECTOR, ".facts").text
    assert "Ana, Luis" in asked, asked
    assert "Bring balls" in asked, asked
    assert "edited: partners, notes" in browser.find_element(By.ID, "history").text

    # Another slot: a new request replaces this one, and each history names the other.
    click_through(browser, browser.find_element(By.ID, "edit-request"))
    assert value_of(browser, "#notes") == "Bring balls"
    choose(browser, "#time_slot", SLOT_01PM)
    click_through(browser, browser.find_element(By.ID, "submit-booking"))
    second = current_path(browser).split("/")[2]
    assert second != first, page_text(browser)
    wait_text(browser, ".messages", "this one replaces the one you edited")
    assert browser.find_element(By.TAG_NAME, "h1").text.endswith(SLOT_01PM)
    _chip(browser, "Waiting for the release", timeout=5)
    click_through(browser, browser.find_element(By.LINK_TEXT, f"replaces request {first[:8]}"))
    assert current_path(browser) == f"/bookings/{first}/"
    _chip(browser, "Cancelled", timeout=5)
    assert browser.find_element(By.LINK_TEXT, f"replaced by request {second[:8]}")
    assert not browser.find_elements(By.ID, "edit-request")


def test_a_pending_request_is_cancelled_from_its_page(site, browser, story):
    log_in(browser, site, story.booked_by.username, PASSWORD)
    browser.get(site.page("/book/"))
    request_id = _ask(browser, site, COURT_2, far_date(browser, 7), SLOT_02PM)

    browser.execute_script("window.confirm = () => true;")  # "Cancel this request?" - yes
    click_through(browser, button_named(browser, "Cancel request"))

    assert current_path(browser) == f"/bookings/{request_id}/"
    wait_text(browser, ".messages", "The request is cancelled")
    _chip(browser, "Cancelled", timeout=5)
    assert button_named(browser, "Try again")


def test_a_failed_request_is_tried_again_once_the_password_is_right(site, browser, story):
    member = story.failed_for
    log_in(browser, site, member.username, PASSWORD)
    browser.get(site.page("/settings/"))
    type_into(browser, "#portal_password", member.portal_password)
    click_through(browser, button_named(browser, "Save settings"))
    browser.get(site.page(f"/bookings/{story.failed}/"))

    click_through(browser, button_named(browser, "Try again"))

    wait_text(browser, ".messages", "The request is pending again.")
    _chip(browser, "Booked")
    rows = browser.find_elements(By.CSS_SELECTOR, "#attempts tbody tr")
    assert rows, page_text(browser)
    assert COURT_NAMES[COURT_2] in rows[-1].text
    assert SLOT_06PM in rows[-1].text
    assert "Accepted" in rows[-1].text
    assert not browser.find_elements(By.ID, "evidence-screenshot")  # a success keeps none
