"""The calendar page and the calendar feed in Chromium, on requests made for real.

One member (``story``) has court 1 of the club's tomorrow at 14:00 booked
by the engine, a request waiting for its release and a cancelled one. The
member moves through months and weeks, reads each day's requests (status
in words and colour) and the club's release instants, opens the booking
form from a day, reads the month as a list on a phone, and subscribes: the
feed URL is fetched with ``requests`` and no session, parsed with
``icalendar``, regenerated (the old URL answers 404 at once) and stopped.
A second member sees none of it and cannot stop it. Each page passes
axe-core and is photographed at 375 and 1280 px.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import icalendar
import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from .browser import (
    axe_check,
    click_through,
    current_path,
    log_in,
    log_out,
    screenshots,
    wait_for,
    wait_text,
)
from .member_api import ApiMember, PortalTidy, club_day
from .members import COURT_1, COURT_2, COURT_NAMES, PASSWORD, page_text, value_of

# Slots and dates no other page test asks for.
TWO_PM = "De 02:00 PM a 03:00 PM"
NOON = "De 12:00 PM a 01:00 PM"
ONE_PM = "De 01:00 PM a 02:00 PM"
CLUB_ZONE = ZoneInfo("America/Costa_Rica")
FEED_URL = re.compile(r"^http://127\.0\.0\.1:\d+/calendar/[A-Za-z0-9_-]{43}\.ics$")


@pytest.fixture(scope="module")
def story(site):
    tidy = PortalTidy(site)
    member, other = ApiMember.register(site), ApiMember.register(site, portal_account=False)
    tomorrow = club_day(1)
    tidy.booked_for_members(COURT_1, tomorrow, TWO_PM)
    booked = member.ask(COURT_1, tomorrow, TWO_PM)  # open already: the engine books it now
    waiting = member.ask(COURT_2, club_day(19), NOON)
    cancelled = member.cancel(member.ask(COURT_1, club_day(18), ONE_PM)["request_id"])
    booked = member.wait_until_finished(booked["request_id"])
    assert booked["status"] == "completed", site.describe(booked["request_id"])
    yield {
        "member": member,
        "other": other,
        "booked": booked,
        "waiting": waiting,
        "cancelled": cancelled,
    }
    member.cancel(waiting["request_id"])
    tidy.cancel_all()


def day_label(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def query(browser) -> dict[str, list[str]]:
    return parse_qs(urlsplit(browser.current_url).query)


def cell(browser, day: date):
    return browser.find_element(By.CSS_SELECTOR, f"#calendar-days li[data-date='{day}']")


def events(browser, day: date) -> list[tuple[str, str]]:
    """Each event of the day: its text and its status (the colour's class says the same)."""
    found = []
    for event in cell(browser, day).find_elements(By.CSS_SELECTOR, ".cal-event"):
        status = event.get_attribute("data-status")
        assert f"cal-status-{status}" in event.get_attribute("class").split()
        found.append((event.text, status))
    return found


def open_month(browser, site, day: date) -> None:
    browser.get(site.page(f"/calendar/?month={day:%Y-%m}"))


def accept_confirmation(browser) -> None:
    wait_for(browser, EC.alert_is_present(), message="the confirmation question")
    browser.switch_to.alert.accept()


def test_the_month_shows_the_members_days_and_the_clubs_releases(site, browser, story):
    log_in(browser, site, story["member"].username, PASSWORD)
    click_through(browser, browser.find_element(By.LINK_TEXT, "Calendar"))
    assert current_path(browser) == "/calendar/", page_text(browser)
    assert browser.find_element(By.LINK_TEXT, "Calendar").get_attribute("aria-current") == "page"
    today = club_day(0)
    assert browser.find_element(By.ID, "calendar-title").text == f"{today:%B %Y}"
    today_cell = cell(browser, today)
    assert today_cell.get_attribute("aria-current") == "date"
    assert "Today" in today_cell.text
    legend = browser.find_element(By.CSS_SELECTOR, ".cal-legend").text
    for words in ("Waiting for the release", "Booking now", "Booked", "Not booked", "Cancelled"):
        assert words in legend
    assert "Release:" in legend

    # Previous, next and today.
    click_through(browser, browser.find_element(By.ID, "cal-next"))
    following = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    assert query(browser) == {"month": [f"{following:%Y-%m}"]}
    assert browser.find_element(By.ID, "calendar-title").text == f"{following:%B %Y}"
    click_through(browser, browser.find_element(By.ID, "cal-previous"))
    assert query(browser) == {"month": [f"{today:%Y-%m}"]}
    click_through(browser, browser.find_element(By.ID, "cal-previous"))
    click_through(browser, browser.find_element(By.ID, "cal-today"))
    assert query(browser) == {}
    assert browser.find_element(By.ID, "calendar-title").text == f"{today:%B %Y}"

    # The member's requests on their days, each status in words.
    tomorrow = club_day(1)
    open_month(browser, site, tomorrow)
    assert events(browser, tomorrow) == [(f"14:00 {COURT_NAMES[COURT_1]}: Booked", "completed")]
    for day, words, status in [
        (club_day(19), f"12:00 {COURT_NAMES[COURT_2]}: Waiting for the release", "pending"),
        (club_day(18), f"13:00 {COURT_NAMES[COURT_1]}: Cancelled", "cancelled"),
    ]:
        open_month(browser, site, day)
        assert (words, status) in events(browser, day)

    # The club's release instants on the days they happen: at midnight tomorrow
    # court 2 (nine days ahead) opens the date ten days from today.
    open_month(browser, site, tomorrow)
    releases = cell(browser, tomorrow).find_element(By.CSS_SELECTOR, ".cal-releases").text
    assert f"Release 00:00: {COURT_NAMES[COURT_2]} for {day_label(club_day(10))}" in releases
    axe_check(browser)
    screenshots(browser, "calendar-month")

    # A day leads to the booking form for it.
    day = club_day(3)
    open_month(browser, site, day)
    link = cell(browser, day).find_element(By.CSS_SELECTOR, "a.cal-book")
    click_through(browser, link)
    assert current_path(browser) == "/book/", page_text(browser)
    assert query(browser) == {"date": [day.isoformat()], "club": ["default"]}
    assert value_of(browser, "#date") == day.isoformat()


def test_the_week_view_moves_by_weeks_and_tells_the_whole_slot(site, browser, story):
    log_in(browser, site, story["member"].username, PASSWORD)
    browser.get(site.page("/calendar/"))
    click_through(browser, browser.find_element(By.ID, "view-week"))
    today = club_day(0)
    assert query(browser) == {"view": ["week"], "date": [today.isoformat()]}
    days = browser.find_elements(By.CSS_SELECTOR, "#calendar-days > li")
    monday = today - timedelta(days=today.weekday())
    assert [d.get_attribute("data-date") for d in days] == [
        (monday + timedelta(days=n)).isoformat() for n in range(7)
    ]
    click_through(browser, browser.find_element(By.ID, "cal-next"))
    assert query(browser) == {"view": ["week"], "date": [(today + timedelta(days=7)).isoformat()]}
    click_through(browser, browser.find_element(By.ID, "cal-previous"))
    assert query(browser) == {"view": ["week"], "date": [today.isoformat()]}

    tomorrow = club_day(1)
    browser.get(site.page(f"/calendar/?view=week&date={tomorrow}"))
    assert events(browser, tomorrow) == [
        (f"14:00 {COURT_NAMES[COURT_1]}, {TWO_PM}: Booked", "completed")
    ]
    event = cell(browser, tomorrow).find_element(By.CSS_SELECTOR, ".cal-event a")
    assert event.get_attribute("href").endswith(f"/bookings/{story['booked']['request_id']}/")
    axe_check(browser)
    screenshots(browser, "calendar-week")
    click_through(browser, browser.find_element(By.ID, "view-month"))
    assert query(browser) == {"month": [f"{tomorrow:%Y-%m}"]}


def test_on_a_phone_the_month_is_a_list_of_the_days_with_something_on_them(site, browser, story):
    log_in(browser, site, story["member"].username, PASSWORD)
    browser.set_window_size(360, 800)
    tomorrow = club_day(1)
    open_month(browser, site, tomorrow)
    grid = browser.find_element(By.ID, "calendar-days")
    assert grid.value_of_css_property("display") == "block"
    assert not browser.find_element(By.CSS_SELECTOR, ".cal-weekdays").is_displayed()
    booked = cell(browser, tomorrow)
    assert booked.is_displayed()
    assert booked.find_element(By.CSS_SELECTOR, ".cal-date").text.startswith(
        f"{tomorrow:%a} {tomorrow.day} {tomorrow:%b}"
    )
    empty = browser.find_elements(By.CSS_SELECTOR, "#calendar-days li.cal-empty")
    assert empty, "a month has days with nothing on them"
    assert not any(day.is_displayed() for day in empty)
    assert browser.execute_script(
        "return document.documentElement.scrollWidth <= window.innerWidth"
    ), "the page is wider than the phone"
    assert browser.find_element(By.CSS_SELECTOR, ".phone-only").is_displayed()
    axe_check(browser)


def fetch_in_page(browser, url: str) -> int:
    """The status of ``url`` fetched by the page (with the browser's session)."""
    return browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0]).then((r) => done(r.status));",
        url,
    )


def test_the_feed_is_a_secret_url_shown_once_that_can_be_replaced_and_stopped(site, browser, story):
    member, other = story["member"], story["other"]
    log_in(browser, site, member.username, PASSWORD)
    browser.get(site.page("/calendar/"))
    wait_text(browser, "#feed-state", "Get your booked courts in Google Calendar")
    browser.find_element(By.ID, "feed-make").click()
    url_box = wait_for(browser, lambda d: d.find_elements(By.ID, "feed-url"), message="the link")[0]
    url = url_box.get_attribute("value")
    assert FEED_URL.match(url), url
    wait_text(browser, "#feed-status", "Your calendar link is ready.")
    assert browser.switch_to.active_element.get_attribute("id") == "feed-url"

    # Copy puts the link on the clipboard.
    browser.execute_cdp_cmd(
        "Browser.grantPermissions",
        {"origin": site.url, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]},
    )
    browser.find_element(By.ID, "copy-feed-url").click()
    wait_text(browser, "#copy-status", "Copied")
    pasted = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "navigator.clipboard.readText().then(done, (e) => done(String(e)));"
    )
    assert pasted == url
    axe_check(browser)
    screenshots(browser, "calendar-feed")

    # A calendar app fetches it without any session: the booked court, on the club's clock.
    answer = requests.get(url, timeout=15)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/calendar")
    feed = icalendar.Calendar.from_ical(answer.content)
    (event,) = feed.walk("VEVENT")  # neither the waiting nor the cancelled request
    assert str(event["UID"]) == f"{story['booked']['request_id']}@tennisbook"
    assert str(event["DTSTART"].params["TZID"]) == "America/Costa_Rica"
    two_pm = datetime.combine(club_day(1), datetime.min.time().replace(hour=14), CLUB_ZONE)
    assert event.decoded("DTSTART") == two_pm
    assert COURT_NAMES[COURT_1] in str(event["SUMMARY"])

    # Shown once: the next visit says the feed is on, not what its link is.
    browser.get(site.page("/calendar/"))
    wait_text(browser, "#feed-state", "Your calendar feed is on")
    assert not browser.find_elements(By.ID, "feed-url")
    assert url not in browser.page_source

    # Regenerate: a new link, and the old one answers 404 at once.
    browser.find_element(By.ID, "feed-rotate").click()
    accept_confirmation(browser)
    wait_text(browser, "#feed-status", "A new link replaces the old one")
    new_url = browser.find_element(By.ID, "feed-url").get_attribute("value")
    assert FEED_URL.match(new_url)
    assert new_url != url
    old = requests.get(url, timeout=15)
    assert (old.status_code, old.text) == (404, "Not found.\n")
    assert requests.get(new_url, timeout=15).status_code == 200

    # Another member: no feed of the first one's, no way to stop it, an old link useless.
    log_out(browser)
    log_in(browser, site, other.username, PASSWORD)
    open_month(browser, site, club_day(1))
    assert events(browser, club_day(1)) == []
    wait_text(browser, "#feed-state", "Get your booked courts")
    assert fetch_in_page(browser, url) == 404
    browser.find_element(By.ID, "feed-make").click()
    others_url = wait_for(
        browser, lambda d: d.find_elements(By.ID, "feed-url"), message="the second link"
    )[0].get_attribute("value")
    others_feed = icalendar.Calendar.from_ical(requests.get(others_url, timeout=15).content)
    assert others_feed.walk("VEVENT") == []
    browser.find_element(By.ID, "feed-revoke").click()
    accept_confirmation(browser)
    wait_text(browser, "#feed-status", "The feed is stopped")
    assert requests.get(others_url, timeout=15).status_code == 404
    assert requests.get(new_url, timeout=15).status_code == 200  # the first member's still works

    # The first member stops theirs.
    log_out(browser)
    log_in(browser, site, member.username, PASSWORD)
    browser.get(site.page("/calendar/"))
    browser.find_element(By.ID, "feed-revoke").click()
    accept_confirmation(browser)
    wait_text(browser, "#feed-status", "The feed is stopped")
    wait_text(browser, "#feed-state", "Get your booked courts")
    assert requests.get(new_url, timeout=15).status_code == 404
