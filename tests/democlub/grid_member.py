"""A member of the grid portal over plain HTTP: a cookie jar, no JavaScript.

It does what grid.js does for a browser where a test needs it (the booking
form's ``end_time``), and never follows redirects, so tests read the
``Location`` a page answers with.
"""

from __future__ import annotations

import html
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from http.cookiejar import CookieJar

_TOKEN = re.compile(r'name="csrf_token" value="([^"]*)"')
_ERRORS = re.compile(r'<ul class="errorlist">(.*?)</ul>', re.DOTALL)
_FLASH = re.compile(r'<div id="flash"[^>]*>([^<]*)</div>')


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Reply:
    """One HTTP answer: status, headers, body."""

    status: int
    headers: dict[str, str]
    body: str

    @property
    def location(self) -> str | None:
        return self.headers.get("Location")

    def errors(self) -> list[str]:
        """The texts of the page's ``ul.errorlist``."""
        found = _ERRORS.search(self.body)
        items = re.findall(r"<li>(.*?)</li>", found.group(1)) if found else []
        return [html.unescape(item) for item in items]

    def token(self) -> str:
        return html.unescape(_TOKEN.search(self.body).group(1))

    def flash(self) -> str | None:
        found = _FLASH.search(self.body)
        return html.unescape(found.group(1)) if found else None


class GridMember:
    """``GridMember(url, "alex", "grid-demo-alex").login()``; then ``book(...)``."""

    def __init__(self, base_url: str, username: str, password: str):
        self.base_url = base_url.rstrip("/")
        self.username, self.password = username, password
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect
        )

    def cookie(self, name: str = "gridsid") -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)

    def get(self, path: str, **query) -> Reply:
        url = self.base_url + path + ("?" + urllib.parse.urlencode(query) if query else "")
        return self._open(urllib.request.Request(url))

    def post(self, path: str, fields: dict) -> Reply:
        data = urllib.parse.urlencode(fields).encode()
        return self._open(urllib.request.Request(self.base_url + path, data=data))

    def _open(self, request) -> Reply:
        try:
            with self.opener.open(request, timeout=10) as resp:
                return Reply(resp.status, dict(resp.headers), resp.read().decode())
        except urllib.error.HTTPError as exc:
            return Reply(exc.code, dict(exc.headers), exc.read().decode(errors="replace"))

    def login(self, next_path: str = "") -> Reply:
        token = self.get("/login").token()
        reply = self.post(
            "/login",
            {
                "csrf_token": token,
                "next": next_path,
                "username": self.username,
                "password": self.password,
            },
        )
        assert reply.status == 302, reply.errors()
        return reply

    def booking_fields(self, court: int, date: str, start: int, notes: str = "") -> dict:
        """Open the form (a fresh token) and fill it as grid.js would."""
        form = self.get("/book", court=court, date=date, start=start)
        assert form.status == 200, form.errors()
        duration = int(re.search(r'data-duration="(\d+)"', form.body).group(1))
        return {
            "csrf_token": form.token(),
            "court": court,
            "date": date,
            "start": start,
            "end_time": start + duration,
            "notes": notes,
        }

    def book(self, court: int, date: str, start: int, notes: str = "") -> Reply:
        return self.post("/book", self.booking_fields(court, date, start, notes))
