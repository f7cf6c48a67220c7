"""The page-test harness itself: what counts as leaving the machine, axe, screenshots."""

from __future__ import annotations

import hashlib
import json
import struct

import pytest
import requests

from tennisbook.devstack import vendor

from .browser import (
    assert_only_local_requests,
    axe_check,
    is_local,
    requested_urls,
    screenshots,
)

LOCAL = [
    "http://127.0.0.1:8000/accounts/login/",
    "http://localhost:8000/static/css/site.css",
    "http://[::1]:8000/",
    "ws://127.0.0.1:8000/ws/bookings/",
    "data:image/png;base64,iVBORw0KGgo=",
    "blob:http://127.0.0.1:8000/0b6c3c4e",
    "about:blank",
]
FOREIGN = [
    "https://unpkg.com/htmx.org@2.0.11/dist/htmx.min.js",
    "https://fonts.googleapis.com/css2?family=Inter",
    "wss://example.com/socket",
    "http://127.0.0.1.example.com/",
    "chrome://new-tab-page/",
]


@pytest.mark.parametrize("url", LOCAL)
def test_loopback_and_inline_urls_stay_on_the_machine(url):
    assert is_local(url)


@pytest.mark.parametrize("url", FOREIGN)
def test_any_other_host_or_scheme_leaves_it(url):
    assert not is_local(url)


def test_the_check_names_each_url_off_loopback_once():
    urls = [*LOCAL, FOREIGN[0], FOREIGN[1], FOREIGN[0]]

    with pytest.raises(pytest.fail.Exception) as failure:
        assert_only_local_requests(urls)

    message = str(failure.value)
    assert message.count(FOREIGN[0]) == 1
    assert FOREIGN[1] in message
    assert "127.0.0.1:8000" not in message


def test_the_browser_records_what_a_page_asks_for(site, browser):
    browser.get(site.page("/accounts/login/"))

    urls = requested_urls(browser)

    assert site.page("/accounts/login/") in urls
    assert any(url.startswith(site.page("/static/css/site")) for url in urls), urls


def test_the_site_serves_the_vendored_htmx_as_committed(site):
    manifest = json.loads((vendor.ROOT / "static/vendor/htmx/VENDOR.json").read_text())

    answer = requests.get(site.page("/static/vendor/htmx/htmx.min.js"), timeout=10)

    assert answer.status_code == 200
    assert hashlib.sha256(answer.content).hexdigest() == manifest["files"]["htmx.min.js"]["sha256"]


def test_axe_check_fails_listing_the_rule_and_the_nodes(browser):
    browser.get("data:text/html,<html><body><img id=court src='data:,'></body></html>")

    with pytest.raises(pytest.fail.Exception) as failure:
        axe_check(browser)

    message = str(failure.value)
    assert "image-alt (critical)" in message
    assert "['#court']" in message


def test_screenshots_are_full_page_at_both_widths_and_restore_the_window(
    site, browser, tmp_path, monkeypatch
):
    monkeypatch.setenv("TENNISBOOK_TEST_ARTIFACTS", str(tmp_path))
    browser.get(site.page("/accounts/register/"))
    before = browser.get_window_size()

    shots = screenshots(browser, "harness register")

    assert [shot.parent for shot in shots] == [tmp_path, tmp_path]
    assert [_png_size(shot)[0] for shot in shots] == [375, 1280]
    assert all(_png_size(shot)[1] > 400 for shot in shots)
    assert browser.get_window_size() == before


def _png_size(path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])
