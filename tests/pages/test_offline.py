"""Offline, in Chromium: saved pages, changes queued in the browser, and forgetting them.

The browser reaches the site through ``Relay``, a loopback TCP relay the
test cuts and restores: Chrome's offline emulation (DevTools) reaches a
page's own requests and ``navigator.onLine``, but not the service worker's
fetches, which must fail as they would with no network. "Offline" here is
both: the relay cut and the page emulated offline.

The member asks through the API (``ApiMember``) and logs in in the browser.
Court 1's 06:00 slot on the club's days 27 to 29 is this module's alone.
"""

from __future__ import annotations

import re
import socket
import struct
import threading
from contextlib import suppress
from typing import Any

import pytest
from selenium.webdriver.common.by import By

from . import browser as harness
from .browser import axe_check, log_in, log_out, screenshots, wait_for, wait_text
from .member_api import ApiMember, club_day
from .members import COURT_1, PASSWORD, fill_first_choice, mark_page, same_page

SIX_AM = "De 06:00 AM a 07:00 AM"
QUEUED = "queued, will be sent when you are back online"
# What a page says in the console while its network is gone (polls, the live socket).
OFFLINE_NOISE = re.compile(
    r"net::ERR_(INTERNET_DISCONNECTED|CONNECTION_\w+|SOCKET_\w+|EMPTY_RESPONSE|FAILED|NETWORK_CHANGED)"
    r"|WebSocket connection to .* failed|Failed to fetch"
)


class Relay:
    """The browser's only way to the site: a loopback TCP relay that can be cut."""

    def __init__(self, port: int):
        self.target = ("127.0.0.1", port)
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.up = True
        self.lock = threading.Lock()
        self.sockets: set[socket.socket] = set()
        self.sent = bytearray()  # what the browser sent that reached the site
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return  # closed
            with self.lock:
                upstream = None
                if self.up:
                    with suppress(OSError):
                        upstream = socket.create_connection(self.target, timeout=5)
                if upstream is None:
                    _reset(client)
                    continue
                upstream.settimeout(None)
                self.sockets |= {client, upstream}
            for source, sink, kept in ((client, upstream, True), (upstream, client, False)):
                pump = threading.Thread(target=self._pump, args=(source, sink, kept), daemon=True)
                pump.start()

    def _pump(self, source: socket.socket, sink: socket.socket, kept: bool) -> None:
        with suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
                if kept:
                    with self.lock:
                        self.sent += data
        for end in (source, sink):
            with suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        """Refuse every new connection and reset the open ones (the browser keeps some)."""
        with self.lock:
            self.up = False
            for open_socket in self.sockets:
                _reset(open_socket)
            self.sockets.clear()

    def requests_sent(self, line: bytes) -> int:
        """How many requests starting with ``line`` reached the site."""
        with self.lock:
            return self.sent.count(line)

    def restore(self) -> None:
        with self.lock:
            self.up = True

    def close(self) -> None:
        self.cut()
        self.server.close()


def _reset(sock: socket.socket) -> None:
    with suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with suppress(OSError):
        sock.close()


class Behind:
    """The site as the browser sees it: through the relay (``.url``, ``.page``)."""

    def __init__(self, site: Any, relay: Relay):
        self.site, self.relay = site, relay
        self.url = f"http://127.0.0.1:{relay.port}"

    def page(self, path: str) -> str:
        return f"{self.url}{path}"


@pytest.fixture
def web(site):
    relay = Relay(int(site.url.rsplit(":", 1)[1]))
    yield Behind(site, relay)
    relay.close()


def go_offline(driver, web: Behind) -> None:
    web.relay.cut()
    driver.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )


def open_offline(driver, web: Behind, path: str) -> None:
    """Open ``path`` while offline (Chrome's emulation holds for one document only)."""
    web.relay.cut()
    driver.get(web.page(path))
    go_offline(driver, web)


def go_online(driver, web: Behind) -> None:
    web.relay.restore()
    driver.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    # The page's network failures while it was offline are what offline means, not faults.
    kept = [e for e in harness.console_entries(driver) if not OFFLINE_NOISE.search(e["message"])]
    harness._CONSOLE[driver] = kept


def worker_controls(driver) -> None:
    """Wait until the service worker runs and controls this page."""
    controlled = driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        navigator.serviceWorker.ready.then(() => {
          const look = () => navigator.serviceWorker.controller ? done(true) : setTimeout(look, 50);
          look();
        });
        """
    )
    assert controlled


def saved_pages(driver) -> list[str]:
    """The paths the worker keeps a copy of."""
    return driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        caches.has("tennisbook-pages").then(async (has) => {
          if (!has) return done([]);
          const keys = await (await caches.open("tennisbook-pages")).keys();
          done(keys.map((r) => new URL(r.url)).filter((u) => !u.pathname.startsWith("/__"))
            .map((u) => u.pathname + u.search));
        });
        """
    )


def visit_and_keep(driver, web: Behind, *paths: str) -> None:
    """Open each page online and wait until the worker saved it."""
    for path in paths:
        driver.get(web.page(path))
        worker_controls(driver)
        wait_for(driver, lambda d, p=path: p in saved_pages(d), message=f"{path} saved")


def member_logged_in(driver, site, web: Behind) -> ApiMember:
    member = ApiMember.register(site)
    log_in(driver, web, member.username, PASSWORD)
    return member


def requests_of(member: ApiMember) -> list[dict]:
    return member.get("/api/bookings?status=pending")["results"]


def test_a_page_visited_online_opens_offline_read_only_from_the_saved_copy(site, web, browser):
    member = member_logged_in(browser, site, web)
    asked = member.ask(COURT_1, club_day(27), SIX_AM)
    detail = f"/bookings/{asked['request_id']}/"
    visit_and_keep(browser, web, "/", detail, "/book/")

    open_offline(browser, web, detail)

    root = browser.find_element(By.TAG_NAME, "html")
    assert root.get_attribute("data-offline-copy") is not None
    banner = wait_text(browser, "#offline-state", "Offline, saved at ")
    assert "This copy is read-only." in banner.text
    saved_at = banner.find_element(By.TAG_NAME, "time").get_attribute("datetime")
    assert saved_at.startswith(root.get_attribute("data-offline-saved-at")[:16])
    assert club_day(27).isoformat() in browser.find_element(By.TAG_NAME, "main").text
    # The cancel can wait for the network: it stays; it is queued when used.
    assert browser.find_element(By.CSS_SELECTOR, "[data-offline-queue=cancel] button").is_enabled()
    axe_check(browser)
    screenshots(browser, "offline-saved-copy")

    open_offline(browser, web, "/book/")
    wait_text(browser, "#offline-state", "Offline, saved at ")
    assert browser.find_element(By.ID, "submit-booking").is_enabled()  # queued offline
    template = browser.find_element(By.ID, "save-template")
    assert not template.is_enabled()
    assert template.get_attribute("data-offline-disabled") == ""

    open_offline(browser, web, "/bookings/history")  # never visited: no copy
    wait_text(browser, "h1", "You are offline")
    saved = browser.find_elements(By.CSS_SELECTOR, "#offline-saved-list a")
    assert {a.get_attribute("pathname") for a in saved} >= {"/", detail, "/book/"}

    go_online(browser, web)
    browser.get(web.page(detail))
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("data-offline-copy") is None
    assert not browser.find_element(By.ID, "offline-state").is_displayed()


def test_a_request_made_offline_is_queued_then_sent_once_back_online(site, web, browser):
    member = member_logged_in(browser, site, web)
    visit_and_keep(browser, web, "/book/")
    day = club_day(28).isoformat()
    fill_first_choice(browser, COURT_1, day, SIX_AM)
    mark_page(browser)

    go_offline(browser, web)
    wait_text(browser, "#offline-state", "You are offline.")
    browser.find_element(By.ID, "submit-booking").click()

    queued = wait_text(browser, "#offline-queued li", QUEUED)
    assert f"New request: Cancha de Tenis 1, {day}, {SIX_AM}" in queued.text
    assert same_page(browser)  # nothing was sent: the form stays
    assert browser.find_element(By.ID, "submit-booking").is_enabled()
    open_offline(browser, web, "/book/")  # the saved copy shows the queue too
    wait_text(browser, "#offline-queued li", QUEUED)
    assert requests_of(member) == []

    go_online(browser, web)
    sent = wait_text(browser, "#offline-outcomes", "created", timeout=20)
    assert f"Sent: New request: Cancha de Tenis 1, {day}, {SIX_AM}: created." in sent.text
    (made,) = requests_of(member)
    assert (made["court_id"], made["date"], made["time_slot"]) == (int(COURT_1), day, SIX_AM)
    link = sent.find_element(By.LINK_TEXT, "See the request")
    assert link.get_attribute("pathname") == f"/bookings/{made['request_id']}/"
    wait_for(browser, lambda d: not d.find_element(By.ID, "offline-queue").is_displayed())

    browser.get(web.page("/"))  # a page load replays what is left: nothing
    wait_for(
        browser,
        lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("data-offline-replayed"),
        message="the replay at page load",
    )
    assert web.relay.requests_sent(b"POST /api/bookings HTTP/") == 1
    assert len(requests_of(member)) == 1


def test_a_cancel_made_offline_is_sent_back_online(site, web, browser):
    member = member_logged_in(browser, site, web)
    asked = member.ask(COURT_1, club_day(29), SIX_AM)
    visit_and_keep(browser, web, f"/bookings/{asked['request_id']}/")

    go_offline(browser, web)
    browser.find_element(By.CSS_SELECTOR, "[data-offline-queue=cancel] button").click()
    browser.switch_to.alert.accept()  # "Cancel this request? …"

    wait_text(browser, "#offline-queued li", f"Cancel: Cancha de Tenis 1, {club_day(29)}")
    assert member.request(asked["request_id"])["status"] == "pending"

    go_online(browser, web)
    wait_text(browser, "#offline-outcomes", "cancelled.", timeout=20)
    assert member.request(asked["request_id"])["status"] == "cancelled"


def test_logging_out_forgets_the_saved_pages_and_the_queue(site, web, browser):
    member_logged_in(browser, site, web)
    visit_and_keep(browser, web, "/", "/book/")
    # A change still waiting (its next try far ahead), as one left from an offline moment.
    browser.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        const member = document.querySelector('meta[name="tennisbook-member"]').content;
        import("/static/js/offline-queue.js").then((queue) => queue.put({
          key: "left-behind", member, kind: "cancel", requestId: "x", label: "x",
          queuedAt: Date.now(), attempts: 1, nextAt: Date.now() + 3600e3,
        })).then(() => done(true));
        """
    )
    browser.get(web.page("/book/"))
    wait_text(browser, "#offline-queued li", QUEUED)

    log_out(browser)

    def forgotten(driver) -> bool:
        databases = driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "indexedDB.databases().then((found) => done(found.map((d) => d.name)));"
        )
        return saved_pages(driver) == [] and "tennisbook-offline" not in databases

    wait_for(browser, forgotten, message="the saved pages and the queue removed")
    open_offline(browser, web, "/")
    wait_text(browser, "h1", "You are offline")  # no copy of the member's dashboard
    assert browser.find_elements(By.CSS_SELECTOR, "#offline-saved-list a") == []
    go_online(browser, web)
