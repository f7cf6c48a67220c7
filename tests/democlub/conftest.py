"""Fixtures for democlub tests, reusable by other test packages.

- ``democlub_server`` (session): one real ``python -m democlub --demo``
  subprocess on a free port, stopped at the end of the session.
- ``democlub`` (function): that server after ``POST /_control/reset``, so
  every test starts from a clean portal (config as loaded, no bookings).
- ``democlub_browser`` (function): a headless Chromium WebDriver, always quit.
- ``web_member`` (function): a factory of cookie-keeping HTTP members that
  walk the web flow without a browser.
- ``gridclub_server`` (session) and ``gridclub`` (function): the same for the
  grid kind (``python -m democlub --kind grid --demo``), reset per test.
- ``grid_member`` (function): a factory of logged-in ``GridMember`` objects.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import pytest

from democlub.testing import RunningPortal, start_portal
from tests.democlub.grid_member import GridMember

DEMO_MEMBER, DEMO_PASSWORD = "101", "cancha-demo-101"
GRID_MEMBER, GRID_PASSWORD = "alex", "grid-demo-alex"


@pytest.fixture(scope="session")
def democlub_server(tmp_path_factory) -> RunningPortal:
    portal = start_portal(tmp_path_factory.mktemp("democlub"), demo=True)
    try:
        yield portal
    finally:
        portal.stop()


@pytest.fixture
def democlub(democlub_server) -> RunningPortal:
    democlub_server.control.reset()
    return democlub_server


@pytest.fixture(scope="session")
def gridclub_server(tmp_path_factory) -> RunningPortal:
    portal = start_portal(tmp_path_factory.mktemp("gridclub"), kind="grid", demo=True)
    try:
        yield portal
    finally:
        portal.stop()


@pytest.fixture
def gridclub(gridclub_server) -> RunningPortal:
    gridclub_server.control.reset()
    return gridclub_server


@pytest.fixture
def grid_member(gridclub):
    """``grid_member(username="alex", password=...)`` -> a logged-in ``GridMember``."""

    def make(username: str = GRID_MEMBER, password: str = GRID_PASSWORD, login: bool = True):
        person = GridMember(gridclub.url, username, password)
        if login:
            person.login()
        return person

    return make


@pytest.fixture
def democlub_browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_AVOID_STATS", "true")
    profile = tempfile.mkdtemp(prefix="democlub-chrome-")
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", f"--user-data-dir={profile}",
    ):  # fmt: skip
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
    driver.implicitly_wait(0)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class WebMember:
    """A member using the web pages over plain HTTP (cookie jar, no JavaScript)."""

    def __init__(self, base_url: str, member: str, password: str):
        self.base_url = base_url.rstrip("/")
        self.member, self.password = member, password
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.raw = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect
        )

    def get(self, path: str, **query) -> tuple[int, str, str]:
        """(status, final URL, body)."""
        url = self.base_url + path + ("?" + urllib.parse.urlencode(query) if query else "")
        return self._open(urllib.request.Request(url))

    def post(self, path: str, fields: dict) -> tuple[int, str, str]:
        data = urllib.parse.urlencode(fields).encode()
        return self._open(urllib.request.Request(self.base_url + path, data=data))

    def _open(self, request) -> tuple[int, str, str]:
        try:
            with self.opener.open(request, timeout=10) as resp:
                return resp.status, resp.url, resp.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.url, exc.read().decode(errors="replace")

    def login(self) -> str:
        status, url, _ = self.post("/login.php", {"house": self.member, "password": self.password})
        assert status == 200
        assert "/dashboard.php?w=" in url, url
        return url

    def schedule_ids(self, area: int, day: str) -> dict[str, str]:
        """Label -> option value, read from the form like an engine would."""
        _, _, body = self.get("/new_reservation.php", day=day, area=area)
        return {
            label: value
            for value, label in re.findall(r'<option value="(\d+)">([^<]+)</option>', body)
        }

    def reserve(self, area: int, day: str, label: str, comments: str = "") -> tuple[int, str]:
        """Submit the form for ``label``; (status, reply message or page)."""
        schedule = self.schedule_ids(area, day)[label]
        return self.submit(area, day, schedule, comments)

    def submit(self, area: int, day: str, schedule: str, comments: str = "") -> tuple[int, str]:
        fields = {"area": area, "day": day, "schedule": schedule, "comments": comments}
        status, _url, body = self.post("/utilities/process/actions/add_reservation.php", fields)
        match = re.search(r'<div id="message"[^>]*>([^<]+)</div>', body)
        return status, match.group(1) if match else body


@pytest.fixture
def web_member(democlub):
    """``web_member(member="101", password=...)`` -> a logged-in ``WebMember``."""

    def make(member: str = DEMO_MEMBER, password: str = DEMO_PASSWORD, login: bool = True):
        person = WebMember(democlub.url, member, password)
        if login:
            person.login()
        return person

    return make
