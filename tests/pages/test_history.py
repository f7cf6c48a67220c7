"""The history page in Chromium: a member's requests in every status, made for real.

One member's story, once per module (``story``): court 2 of the club's
tomorrow at noon booked by the engine, the 13:00 slot that a rival portal
member took first (failed: "taken"), three requests still waiting and
eight cancelled ones: at ten rows a page the list has two pages, and so
has court 1 alone. The member pages through it, sorts it by clicking
the headers, filters it with the form, exports it (CSV read back with the
``csv`` module, iCalendar with ``icalendar``), mistypes the address, and a
second member sees only their own. Each page passes axe-core and is
photographed at 375 and 1280 px.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import icalendar
import pytest
from selenium.webdriver.common.by import By

from .browser import (
    axe_check,
    choose,
    click_through,
    current_path,
    log_in,
    register,
    screenshots,
    type_into,
    unique_username,
    wait_text,
)
from .member_api import ApiMember, PortalTidy, club_day
from .members import COURT_1, COURT_2, COURT_NAMES, PASSWORD, page_text

# Slots no other page test asks for.
NOON = "De 12:00 PM a 01:00 PM"
ONE_PM = "De 01:00 PM a 02:00 PM"
TWO_PM = "De 02:00 PM a 03:00 PM"
CLUB_ZONE = ZoneInfo("America/Costa_Rica")
CANCELLED = 8
NOT_SUBMITTED = "\u2013\nnot submitted"  # a dash, and words for screen readers
TAKEN_TEXT = "Someone else booked the slot (and every alternative) first."


@pytest.fixture(scope="module")
def story(site):
    """The first member's 13 requests (and the second member's one), made through the API."""
    tidy = PortalTidy(site)
    first, second = ApiMember.register(site), ApiMember.register(site)
    tomorrow = club_day(1)
    tidy.rival_books(COURT_2, tomorrow, ONE_PM)
    tidy.booked_for_members(COURT_2, tomorrow, NOON)
    booked = first.ask(COURT_2, tomorrow, NOON)  # open already: the engine books it now
    taken = first.ask(COURT_2, tomorrow, ONE_PM)
    cancelled = []
    for n in range(CANCELLED):
        made = first.ask(COURT_1, club_day(15 + n), NOON)
        cancelled.append(first.cancel(made["request_id"]))
    booked = first.wait_until_finished(booked["request_id"])
    taken = first.wait_until_finished(taken["request_id"])
    assert booked["status"] == "completed", site.describe(booked["request_id"])
    assert (taken["status"], taken["reason"]) == ("failed", "slot_taken"), taken
    waiting = [first.ask(COURT_1, club_day(20 + n), TWO_PM) for n in range(3)]
    own = second.ask(COURT_2, club_day(26), TWO_PM)
    yield {
        "first": first,
        "second": second,
        "booked": booked,
        "taken": taken,
        "waiting": waiting,
        "cancelled": cancelled,
        "second_own": own,
    }
    for request in waiting:  # free the slots for any later module
        first.cancel(request["request_id"])
    second.cancel(own["request_id"])
    tidy.cancel_all()


def rows(browser) -> list[dict]:
    """The table's rows as the member reads them."""
    found = []
    for row in browser.find_elements(By.CSS_SELECTOR, "#history-table tbody tr"):
        cells = {
            name: row.find_element(By.CSS_SELECTOR, f".col-{name}").text
            for name in ("date", "slot", "court", "status", "outcome", "fired_at", "ms")
        }
        cells["id"] = row.get_attribute("data-request-id")
        cells["iso"] = row.find_element(By.CSS_SELECTOR, ".col-date time").get_attribute("datetime")
        found.append(cells)
    return found


def fits_the_window(browser) -> bool:
    """No sideways scrolling of the page (the table may scroll inside its own box)."""
    return browser.execute_script(
        "return document.documentElement.scrollWidth <= window.innerWidth"
    )


def query(browser) -> dict[str, list[str]]:
    return parse_qs(urlsplit(browser.current_url).query)


def header(browser, text: str):
    """The column header whose sort link starts with ``text``."""
    xpath = f"//table[@id='history-table']//th[.//a[starts-with(normalize-space(), {text!r})]]"
    return browser.find_element(By.XPATH, xpath)


def sort_by(browser, text: str) -> None:
    click_through(browser, header(browser, text).find_element(By.TAG_NAME, "a"))


def fetched(browser, element_id: str) -> str:
    """What the export link answers, fetched by the page itself (the member's session)."""
    href = browser.find_element(By.ID, element_id).get_attribute("href")
    return browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0]).then((r) => r.text().then((t) => done(r.status + '\\n' + t)));",
        href,
    )


def expected_fired_at(result: dict) -> str:
    sent = datetime.fromtimestamp(result["attempts"][0]["sent_at_ns"] / 1e9, UTC)
    local = sent.astimezone(CLUB_ZONE)
    return f"{local:%a} {local.day} {local:%b %H:%M:%S}.{local.microsecond // 1000:03d}"


def decided_ms(result: dict) -> str:
    attempts = result["attempts"]
    deciding = next((a for a in attempts if a["outcome"] == "success"), attempts[-1])
    return f"{deciding['ms_after_release']:,.1f}"


def test_the_member_pages_sorts_and_filters_the_history_by_clicking(site, browser, story):
    first = story["first"]
    log_in(browser, site, first.username, PASSWORD)
    click_through(browser, browser.find_element(By.LINK_TEXT, "History"))
    assert current_path(browser) == "/bookings/history", page_text(browser)
    assert browser.find_element(By.LINK_TEXT, "History").get_attribute("aria-current") == "page"
    caption = browser.find_element(By.CSS_SELECTOR, "#history-table caption").text
    assert caption.startswith("13 requests, sorted by date (descending)."), caption
    every = rows(browser)
    assert len(every) == 13
    assert [r["iso"] for r in every] == sorted((r["iso"] for r in every), reverse=True)
    assert fits_the_window(browser)
    axe_check(browser)
    screenshots(browser, "history")

    # On a phone each request is a card that names its cells; "Sort by" sorts.
    browser.set_window_size(360, 800)
    card = browser.find_element(By.CSS_SELECTOR, "#history-table tbody tr")
    assert card.value_of_css_property("display") == "block"
    headers = browser.find_element(By.CSS_SELECTOR, "#history-table thead")
    assert headers.size["height"] <= 1  # kept for screen readers, out of sight
    assert browser.find_element(By.ID, "filter-sort").is_displayed()
    assert fits_the_window(browser)
    axe_check(browser)
    browser.set_window_size(1280, 900)

    # Ten rows a page: page 2 holds the rest, and goes back.
    choose(browser, "#filter-per", "10")
    click_through(browser, browser.find_element(By.ID, "apply-filter"))
    assert query(browser) == {"per": ["10"]}  # the form's empty fields leave the address
    assert len(rows(browser)) == 10
    wait_text(browser, "#pages", "Page 1 of 2")
    click_through(browser, browser.find_element(By.LINK_TEXT, "Next page"))
    assert query(browser) == {"per": ["10"], "page": ["2"]}
    assert [r["id"] for r in rows(browser)] == [r["id"] for r in every[10:]]
    click_through(browser, browser.find_element(By.LINK_TEXT, "Previous page"))
    assert query(browser) == {"per": ["10"]}

    # Sorting: a click on a header sorts by it (back to page 1); another turns it around.
    sort_by(browser, "Date")
    assert query(browser) == {"per": ["10"], "sort": ["date"]}
    assert header(browser, "Date").get_attribute("aria-sort") == "ascending"
    dates = [r["iso"] for r in rows(browser)]
    assert dates == sorted(dates)
    assert dates[0] == club_day(1).isoformat()
    sort_by(browser, "Fired at")
    assert query(browser) == {"per": ["10"], "sort": ["fired_at"]}
    assert header(browser, "Fired at").get_attribute("aria-sort") == "ascending"
    assert header(browser, "Date").get_attribute("aria-sort") is None
    fired = rows(browser)
    by_time = sorted(
        (story["booked"], story["taken"]), key=lambda r: r["result"]["attempts"][0]["sent_at_ns"]
    )
    assert [r["id"] for r in fired[:2]] == [r["request_id"] for r in by_time]
    assert {r["fired_at"] for r in fired[2:]} == {NOT_SUBMITTED}  # never submitted: last
    sort_by(browser, "Fired at")
    assert query(browser) == {"per": ["10"], "sort": ["-fired_at"]}
    assert [r["id"] for r in rows(browser)[:2]] == [r["request_id"] for r in by_time[::-1]]

    # Filtering keeps the order chosen; the booked court's timing comes from its attempts.
    choose(browser, "#filter-status", "completed")
    click_through(browser, browser.find_element(By.ID, "apply-filter"))
    assert query(browser) == {"status": ["completed"], "per": ["10"], "sort": ["-fired_at"]}
    (booked,) = rows(browser)
    assert booked["id"] == story["booked"]["request_id"]
    assert (booked["court"], booked["slot"]) == (COURT_NAMES[COURT_2], NOON)
    assert (booked["status"], booked["outcome"]) == ("Booked", "Booked")
    assert booked["fired_at"] == expected_fired_at(story["booked"]["result"])
    assert booked["ms"] == decided_ms(story["booked"]["result"])

    choose(browser, "#filter-status", "failed")
    click_through(browser, browser.find_element(By.ID, "apply-filter"))
    (taken,) = rows(browser)
    assert (taken["status"], taken["outcome"]) == ("Not booked", TAKEN_TEXT)
    assert taken["fired_at"] == expected_fired_at(story["taken"]["result"])
    assert taken["ms"] == decided_ms(story["taken"]["result"])

    # Paging keeps the filter: court 1 alone is 11 requests, two pages of ten.
    choose(browser, "#filter-status", "")
    choose(browser, "#filter-court", COURT_1)
    click_through(browser, browser.find_element(By.ID, "apply-filter"))
    assert len(rows(browser)) == 10
    click_through(browser, browser.find_element(By.LINK_TEXT, "Next page"))
    assert query(browser) == {
        "court": [COURT_1],
        "per": ["10"],
        "sort": ["-fired_at"],
        "page": ["2"],
    }
    (last,) = rows(browser)
    assert last["court"] == COURT_NAMES[COURT_1]
    wait_text(browser, "#pages", "Page 2 of 2")

    # A date range, typed; then the other court.
    browser.get(site.page("/bookings/history?sort=date"))
    type_into(browser, "#filter-from", club_day(20).isoformat())
    type_into(browser, "#filter-to", club_day(22).isoformat())
    click_through(browser, browser.find_element(By.ID, "apply-filter"))
    in_range = rows(browser)
    assert {r["iso"] for r in in_range} == {club_day(d).isoformat() for d in (20, 21, 22)}
    statuses = sorted(r["status"] for r in in_range)
    assert statuses == ["Cancelled"] * 3 + ["Waiting for the release"] * 3
    choose(browser, "#filter-court", COURT_2)
    click_through(browser, browser.find_element(By.ID, "apply-filter"))
    assert rows(browser) == []
    wait_text(browser, "#history-empty", "No request matches this filter.")

    # Each row leads to the request's page.
    browser.get(site.page("/bookings/history?status=completed"))
    click_through(browser, browser.find_element(By.CSS_SELECTOR, "#history-table tbody a"))
    assert current_path(browser) == f"/bookings/{story['booked']['request_id']}/"
    wait_text(browser, "#request-status", f"Booked: {COURT_NAMES[COURT_2]}, ")


def test_the_exports_hold_the_filter_on_the_page(site, browser, story):
    log_in(browser, site, story["first"].username, PASSWORD)
    browser.get(site.page("/bookings/history?status=cancelled&sort=date"))

    status, text = fetched(browser, "export-csv").split("\n", 1)
    assert status == "200"
    exported = list(csv.DictReader(io.StringIO(text)))
    assert [r["request_id"] for r in exported] == [r["request_id"] for r in story["cancelled"]]
    assert len(exported) == CANCELLED
    assert {r["status"] for r in exported} == {"cancelled"}
    assert [r["date"] for r in exported] == sorted(r["date"] for r in exported)

    browser.get(site.page(f"/bookings/history?court={COURT_2}"))
    status, text = fetched(browser, "export-csv").split("\n", 1)
    by_id = {r["request_id"]: r for r in csv.DictReader(io.StringIO(text))}
    assert set(by_id) == {story["booked"]["request_id"], story["taken"]["request_id"]}
    booked = by_id[story["booked"]["request_id"]]
    first_sent = story["booked"]["result"]["attempts"][0]["sent_at_ns"]
    assert datetime.fromisoformat(booked["fired_at"]) == datetime.fromtimestamp(
        first_sent / 1e9, UTC
    )
    assert by_id[story["taken"]["request_id"]]["reason"] == "slot_taken"

    status, text = fetched(browser, "export-ics").split("\n", 1)
    assert status == "200"
    (event,) = icalendar.Calendar.from_ical(text).walk("VEVENT")  # the failed one is no event
    assert str(event["UID"]) == f"{story['booked']['request_id']}@tennisbook"
    noon = datetime.combine(club_day(1), datetime.min.time().replace(hour=12), CLUB_ZONE)
    assert event.decoded("DTSTART") == noon
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(hours=1)


BAD_ADDRESSES = [
    ("?status=bogus", "Status", "'bogus' is not a status"),
    ("?from=2026-13-40", "From", "'2026-13-40' is not a real calendar date."),
    ("?from=2026-12-20&to=2026-12-10", "To", "2026-12-10 is before the From date 2026-12-20"),
    ("?per=7", "Rows per page", "'7' is not one of 10, 20, 50, 100; showing 20 rows a page."),
    ("?page=999", "Page", "there is no page 999: this list has 1 page; showing page 1."),
    ("?page=abc", "Page", "'abc' is not a page number; showing page 1."),
]


def test_a_bad_address_names_the_field_and_still_shows_the_history(site, browser, story):
    log_in(browser, site, story["first"].username, PASSWORD)
    for address, field, words in BAD_ADDRESSES:
        browser.get(site.page(f"/bookings/history{address}"))
        summary = wait_text(browser, "#history-errors", f"{field}: {words}")
        assert summary.get_attribute("role") == "alert"
        assert browser.find_element(By.CSS_SELECTOR, "main h1").text == "History", address
        assert rows(browser), page_text(browser)  # the rest of the filter still applies
        if field in ("Status", "From", "To"):
            box = browser.find_element(By.ID, f"filter-{field.lower()}")
            assert box.get_attribute("aria-invalid") == "true", address
            described = box.get_attribute("aria-describedby")
            assert words in browser.find_element(By.ID, described).text, address
        if address == "?status=bogus":
            axe_check(browser)
            screenshots(browser, "history-bad-filter")


def test_a_date_typed_wrong_in_the_form_is_named_next_to_the_field(site, browser, story):
    log_in(browser, site, story["first"].username, PASSWORD)
    browser.get(site.page("/bookings/history"))
    type_into(browser, "#filter-to", "12/05/2026")
    click_through(browser, browser.find_element(By.ID, "apply-filter"))
    wait_text(browser, "#filter-to-error", "expected a date as YYYY-MM-DD, got '12/05/2026'.")
    assert browser.find_element(By.ID, "filter-to").get_attribute("value") == "12/05/2026"
    # The summary names the field and links to it.
    link = browser.find_element(By.CSS_SELECTOR, "#history-errors a[href='#filter-to']")
    assert link.text == "To"


def test_a_second_member_sees_only_their_own_requests(site, browser, story):
    log_in(browser, site, story["second"].username, PASSWORD)
    browser.get(site.page("/bookings/history"))
    (own,) = rows(browser)
    assert own["id"] == story["second_own"]["request_id"]
    status, text = fetched(browser, "export-csv").split("\n", 1)
    assert status == "200"
    ids = {r["request_id"] for r in csv.DictReader(io.StringIO(text))}
    assert ids == {own["id"]}
    browser.get(site.page(f"/bookings/{story['booked']['request_id']}/"))
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "not found" in body.lower(), body[:300]
    assert COURT_NAMES[COURT_2] not in body


def test_an_empty_history_says_so_and_leads_to_the_booking_form(site, browser):
    username = unique_username()
    register(browser, site, username, PASSWORD, f"{username}@example.org")
    browser.get(site.page("/bookings/history"))
    empty = wait_text(browser, "#history-empty", "You have no requests yet.")
    assert not browser.find_elements(By.ID, "history-table")
    axe_check(browser)
    screenshots(browser, "history-empty")
    click_through(browser, empty.find_element(By.LINK_TEXT, "Book a court"))
    assert current_path(browser) == "/book/", page_text(browser)
