"""Page objects against the portal's saved pages (real Chromium, file:// URLs)."""

from __future__ import annotations

import copy
import time
from pathlib import Path

import pytest

from booker.browser import BrowserSession, BrowserSettings
from booker.pages import LoginPage, Page, PageError, ReservationForm, ReservationList
from booker.profiles import default_profile

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "democlub"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    session = BrowserSession(BrowserSettings())
    try:
        yield session
    finally:
        session.close()


@pytest.fixture
def profile():
    # Point the pages at the saved files instead of the live portal.
    data = copy.deepcopy(default_profile())
    data["base_url"] = FIXTURES.as_uri()
    data["reservations"]["url"] = "/my_reservations.html"
    return data


def open_fixture(browser, name: str) -> None:
    browser.driver.switch_to.default_content()
    browser.driver.get((FIXTURES / name).as_uri())


def test_the_form_is_read_as_data_with_opaque_ids_per_label(browser, profile):
    open_fixture(browser, "new_reservation.html")
    snapshot = ReservationForm(browser.driver, profile).snapshot()
    labels = dict(snapshot["options"])
    assert "De 07:00 AM a 08:00 AM" in labels
    assert all(value.isdigit() for value in labels.values())
    assert snapshot["schedule_name"] == "schedule"
    assert set(snapshot["fields"]) >= {"area", "day"}
    assert snapshot["action"].endswith("/utilities/process/actions/add_reservation.php")


@pytest.mark.parametrize(
    ("fixture", "words"),
    [("reply_success.html", "con éxito"), ("reply_quota.html", "límite permitido")],
)
def test_the_reply_message_is_read_from_the_profile_locator(browser, profile, fixture, words):
    open_fixture(browser, fixture)
    message, html = ReservationForm(browser.driver, profile).reply()
    assert words in message
    assert 'id="message"' in html


def test_the_reservation_list_gives_rows_with_ids(browser, profile):
    rows = ReservationList(browser.driver, profile).rows()
    assert rows == [
        {
            "id": "1",
            "area_name": "Cancha de Tenis 1",
            "day": "2031-03-12",
            "slot": "De 07:00 AM a 08:00 AM",
        }
    ]


def test_the_login_page_locators_find_both_unnamed_inputs(browser, profile):
    open_fixture(browser, "login.html")
    page = LoginPage(browser.driver, profile)
    user = page.find(profile["login"]["username"])
    password = page.find(profile["login"]["password"])
    assert user.get_attribute("type") == "text"
    assert password.get_attribute("type") == "password"
    assert page.find(profile["login"]["submit"]).text == "Ingresar"


def test_a_wait_on_an_error_page_fails_at_once_not_after_the_timeout(browser, profile, tmp_path):
    page = tmp_path / "500.html"
    page.write_text(
        "<html><body><h1>500</h1><p>Error interno del servidor.</p></body></html>",
        encoding="utf-8",
    )
    browser.driver.switch_to.default_content()
    browser.driver.get(page.as_uri())
    started = time.monotonic()
    with pytest.raises(PageError, match="error page instead of 'select#schedule'"):
        Page(browser.driver, profile).find({"css": "select#schedule"}, timeout=15)
    assert time.monotonic() - started < 5  # a few checks, not the 15 s timeout


def test_a_wait_on_a_slow_but_healthy_page_still_waits_for_its_element(browser, profile):
    open_fixture(browser, "login.html")
    with pytest.raises(PageError, match="element not found"):
        Page(browser.driver, profile).find({"css": "select#schedule"}, timeout=0.6)


def test_a_list_its_script_fills_late_is_read_once_the_row_count_settles(
    browser, profile, tmp_path
):
    page = tmp_path / "late_list.html"
    page.write_text(
        "<html><body><table><tbody id='rows'></tbody></table><script>"
        "setTimeout(() => { document.getElementById('rows').innerHTML = "
        '\'<tr class="reservation" data-id="9"><td class="area">Cancha de Tenis 1</td>'
        '<td class="day">2031-3-12</td><td class="schedule">De 07:00 AM a 08:00 AM</td>'
        "</tr>'; }, 1000);</script></body></html>",
        encoding="utf-8",
    )
    spec = profile["reservations"]
    spec.update(url=f"/{page.name}", settle_ms=1500, timeout_s=6)
    profile["base_url"] = tmp_path.as_uri()
    rows = ReservationList(browser.driver, profile).rows()
    assert [(r["id"], r["day"]) for r in rows] == [("9", "2031-03-12")]
    spec["settle_ms"] = 0  # read at once: the script has not run yet
    assert ReservationList(browser.driver, profile).rows() == []
