"""Replay the browser's prepared form as a raw POST with the browser's cookies.

The browser logs in and opens the form ahead of time; its action URL, hidden
fields and session cookie are copied out, and at the release instant the
same POST is sent on a pre-opened connection. It is what the browser would
send, minus the browser's own latency (tens of milliseconds under load).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from .rawhttp import Target, build_request
from .submit import Reply, Unavailable, WarmPool, classify_html, exchange


class ReplayPath:
    name = "replay"

    def __init__(self, profile: dict):
        self.profile = profile
        self.target = Target.of(profile["base_url"])
        self.pool = WarmPool(self.target)
        self.requests: dict[object, bytes] = {}

    def prepare(self, key: object, snapshot: dict, schedule_id: str, cookies: list[dict]) -> None:
        """Build the POST for one choice from a form snapshot (``ReservationForm.snapshot``)."""
        action = urlsplit(snapshot["action"])
        if action.netloc and action.netloc != self.target.host_header:
            raise Unavailable(f"the form posts to another host ({action.netloc})")
        if snapshot.get("method", "POST") != "POST":
            raise Unavailable("the form is not a POST form")
        fields = dict(snapshot["fields"])
        fields.update(self.profile["form"]["fields"])
        fields[snapshot["schedule_name"]] = schedule_id
        path = action.path + (f"?{action.query}" if action.query else "")
        jar = cookie_jar(cookies, self.target.host)
        self.requests[key] = build_request(self.target, "POST", path, form=fields, cookies=jar)

    def ready(self, key: object) -> bool:
        return key in self.requests

    def warm(self) -> None:
        self.pool.warm()

    def arm(self, key: object) -> None:
        """Nothing to get ready: the request is prebuilt."""

    def send(self, key: object) -> Reply:
        return classify_html(exchange(self.pool, self.requests[key]), self.profile)

    def close(self) -> None:
        self.pool.close()


def cookie_jar(cookies: list[dict], host: str) -> dict[str, str]:
    """The browser's cookies (WebDriver ``get_cookies()``) that ``host`` would get."""
    return {c["name"]: c["value"] for c in cookies if _applies(c, host)}


def _applies(cookie: dict, host: str) -> bool:
    domain = (cookie.get("domain") or host).lstrip(".")
    return host == domain or host.endswith("." + domain)
