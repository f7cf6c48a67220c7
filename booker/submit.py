"""The submit paths and what they share: a reply, warm connections, classification.

Three ways to submit at the release instant, chosen in the order the
profile's ``submission.paths`` gives (the first one that is ready is used;
a path that turns out unavailable falls back to the next):

- ``door``: the portal's direct HTTP door (``http_door.DoorPath``), when the
  profile allows it: no session, one small request;
- ``replay``: the browser's prepared form, POSTed with the browser's
  cookies over a pre-opened connection (``replay.ReplayPath``);
- ``browser``: the form submitted inside Chromium by one ``execute_script``
  (``browser_path.BrowserPath``, the fallback; slower by tens of milliseconds).

Every path has ``ready(choice)``, ``warm()`` (before the instant),
``arm(choice)`` (whatever must happen before this submit, e.g. a browser
relaunched; the caller checks its lease after it), ``send(choice) -> Reply``
(the submit itself, nothing else) and ``close()``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from .classify import classify
from .htmltext import element_text, page_text, parse
from .rawhttp import Connection, Response, Target, TransportError
from .results import ReplyKind


@dataclass
class Reply:
    """What the portal answered to one submit, already classified."""

    outcome: str  # success, not_open, slot_taken, quota, session_expired, ... or unknown
    message: str
    sent_ns: int
    received_ns: int
    status: int | None = None
    body: str = ""
    kind: str = "html"  # html or json: how to keep it as evidence


class Unavailable(Exception):
    """This path cannot be used (door disabled, form not prepared): try the next."""


class WarmPool:
    """Connections opened before they are needed, each used for one request."""

    def __init__(self, target: Target, size: int = 2, timeout: float = 10.0):
        self.target, self.size, self.timeout = target, size, timeout
        self._ready: list[Connection] = []

    def warm(self) -> None:
        while len(self._ready) < self.size:
            self._ready.append(Connection(self.target, self.timeout))

    def take(self) -> Connection:
        if self._ready:
            return self._ready.pop(0)
        return Connection(self.target, self.timeout)

    def close(self) -> None:
        while self._ready:
            self._ready.pop().close()


def exchange(pool: WarmPool, raw: bytes) -> Response:
    """Send on a warm connection (one retry on a fresh one if it went stale).

    Only a connection that was idle when used, failed at once, and gave back
    not one byte counts as stale (the server had closed it, the request was
    never read). Any answer at all, even a broken one, means the server had
    the request and may have booked: sending it again could book twice, so
    the error goes up and the caller treats the submit as uncertain.
    """
    connection = pool.take()
    sent_ns = time.time_ns()
    try:
        return connection.exchange(raw)
    except TransportError as exc:
        idle = sent_ns - connection.opened_ns >= 1_000_000_000
        at_once = time.time_ns() - sent_ns < 300_000_000
        if exc.answered or not (idle and at_once):
            raise
        return Connection(pool.target, pool.timeout).exchange(raw)


def is_login_redirect(response: Response, profile: dict) -> bool:
    """A redirect to the login page (or one without a target): the session expired."""
    location = response.header("location")
    if not location:
        return True
    login = urlsplit(urljoin(profile["base_url"] + "/", profile["login"]["url"])).path
    return urlsplit(urljoin(profile["base_url"] + "/", location)).path == login


def classify_html(response: Response, profile: dict) -> Reply:
    """An HTML reply: the message element's text, else the page's text.

    A redirect is classified by its target: to the login page it is
    ``session_expired``; elsewhere it says nothing by itself (``unknown``),
    so a path that can follow it (``ReplayPath``) classifies the page it
    leads to instead.
    """
    body = response.text
    reply = profile["reply"]
    document = parse(response.body, response.charset)
    locator = reply["message"]
    message = element_text(document, locator["css"], locator.get("index", 0)) or ""
    if 300 <= response.status < 400:
        where = response.header("location")
        if is_login_redirect(response, profile):
            outcome = ReplyKind.SESSION_EXPIRED
            message = message or f"redirected to the login page ({where or 'no location'})"
        else:
            outcome = ReplyKind.UNKNOWN
            message = message or f"redirected to {where} (not followed)"
    elif response.status >= 500:
        outcome = ReplyKind.SERVER_ERROR
        message = message or page_text(document)[:300]
    else:
        text = message or page_text(document)
        outcome = classify(text, reply["patterns"])
        message = message or text[:300]
    return Reply(outcome, message, response.sent_ns, response.received_ns, response.status, body)
