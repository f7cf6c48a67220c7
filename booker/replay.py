"""Replay the browser's prepared form as a raw POST with the browser's cookies.

The browser logs in and opens the form ahead of time; its action URL, hidden
fields and session cookie are copied out, and at the release instant the
same POST is sent on a pre-opened connection. It is what the browser would
send, minus the browser's own latency (tens of milliseconds under load).

What the browser's page would work out at the moment of the click is worked
out here too (``form.computed``): template fields from the chosen slot (an
end time), and tokens kept fresh, read again from every page the portal
answers (a per-page CSRF token) or from the cookies it sets. The request's
bytes are rebuilt only when one of those changed, in ``arm``, before the
lease check; ``send`` only sends. A redirect to the login page means the
session expired; any other redirect is followed (with the session's
cookies) and the page it leads to is what gets classified: many portals
answer a booking with a redirect to the day's grid and a confirmation.
"""

from __future__ import annotations

import contextlib
import time
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

from .htmltext import attribute, parse
from .profiles.reading import computed_by_source
from .rawhttp import Response, Target, TransportError, build_request, request
from .results import ReplyKind
from .submit import Reply, Unavailable, WarmPool, classify_html, exchange, is_login_redirect

MAX_REDIRECTS = 3
# Redirects that ask the client to repeat the POST: never repeated, the booking may be made.
_REPEAT_POST = (307, 308)


class ReplayPath:
    name = "replay"

    def __init__(self, profile: dict):
        self.profile = profile
        self.target = Target.of(profile["base_url"])
        self.pool = WarmPool(self.target)
        self.forms: dict[object, tuple[str, dict[str, str]]] = {}
        self.jar: dict[str, str] = {}
        self.tokens: dict[str, str] = {}  # page-sourced computed fields, as last read
        self.page_specs = computed_by_source(profile, "page")
        self.cookie_specs = computed_by_source(profile, "cookie")
        self._built: dict[object, bytes] = {}

    # --- before the release --------------------------------------------------------

    def prepare(
        self,
        key: object,
        snapshot: dict,
        schedule_id: str,
        cookies: list[dict] | None,
        computed: dict[str, str] | None = None,
        tokens: dict[str, str] | None = None,
    ) -> None:
        """The POST for one choice, from a form snapshot (``ReservationForm.snapshot``).

        ``computed``: the choice's template fields. ``cookies`` and ``tokens``
        (the browser's cookies, the page-sourced fields as the live page shows
        them), when given, replace what ``refresh`` last gave: the latest
        serve every choice (a portal may honour only its newest token).
        """
        action = urlsplit(snapshot["action"])
        if action.netloc and action.netloc != self.target.host_header:
            raise Unavailable(f"the form posts to another host ({action.netloc})")
        if snapshot.get("method", "POST") != "POST":
            raise Unavailable("the form is not a POST form")
        fields = dict(snapshot["fields"])
        fields.update(self.profile["form"]["fields"])
        fields.update(computed or {})
        fields[snapshot["schedule_name"]] = schedule_id
        path = action.path + (f"?{action.query}" if action.query else "")
        self.forms[key] = (path, fields)
        if cookies is not None:
            self.refresh(cookies, tokens)
        self._built.clear()

    def refresh(self, cookies: list[dict], tokens: dict[str, str] | None = None) -> None:
        """The browser's cookies and the live page's tokens, after each page it opened."""
        self.jar = cookie_jar(cookies, self.target.host)
        self.tokens.update(tokens or {})
        self._built.clear()

    def ready(self, key: object) -> bool:
        return key in self.forms

    def warm(self) -> None:
        self.pool.warm()
        for key in self.forms:
            self.request_for(key)

    def arm(self, key: object) -> None:
        """Rebuild this choice's bytes if a token or cookie changed since the last send."""
        self.request_for(key)

    def request_for(self, key: object) -> bytes:
        built = self._built.get(key)
        if built is None:
            path, fields = self.forms[key]
            built = build_request(
                self.target, "POST", path, form={**fields, **self._token_fields()}, cookies=self.jar
            )
            self._built[key] = built
        return built

    def _token_fields(self) -> dict[str, str]:
        out = {name: self.tokens[name] for name in self.page_specs if name in self.tokens}
        out.update(
            {n: self.jar[s["name"]] for n, s in self.cookie_specs.items() if s["name"] in self.jar}
        )
        return out

    # --- at the release ----------------------------------------------------------------

    def send(self, key: object) -> Reply:
        response = exchange(self.pool, self.request_for(key))
        if self.learn(response) and response.status in (403, 419):
            # A refused token (the page's token had moved on): nothing was booked, and
            # the refusal carries the fresh one. Once, at once, before a re-login.
            response = exchange(self.pool, self.request_for(key))
            self.learn(response)
        if not 300 <= response.status < 400 or is_login_redirect(response, self.profile):
            return classify_html(response, self.profile)
        if response.status in _REPEAT_POST:
            where = response.header("location")
            message = f"HTTP {response.status} to {where}: the POST was not repeated"
            return Reply(ReplyKind.UNKNOWN, message, response.sent_ns, response.received_ns,
                         response.status, response.text)  # fmt: skip
        return self._followed(response, self.forms[key][0])

    def _followed(self, first: Response, posted_to: str) -> Reply:
        """Follow a redirect that is not to the login page; classify where it ends.

        The first answer already decided the booking; what follows only tells
        which way. So a later hop that fails, leaves the portal, or lands on
        the login page (a lost cookie) says nothing: ``unknown``, which the
        engine checks against the member's list, never "session expired".
        """
        current, here = first, urljoin(self.profile["base_url"] + "/", posted_to)

        def unsure(why: str) -> Reply:
            message = f"redirected to {first.header('location')}; {why}"
            return Reply(ReplyKind.UNKNOWN, message, first.sent_ns, first.received_ns,
                         first.status, current.text)  # fmt: skip

        for _ in range(MAX_REDIRECTS):
            here = urljoin(here, current.header("location"))
            target = urlsplit(here)
            if not self._same_origin(target):
                return unsure(f"it leaves the portal ({target.netloc}): not followed")
            path = (target.path or "/") + (f"?{target.query}" if target.query else "")
            try:
                current = request(self.target, build_request(self.target, "GET", path,
                                                             cookies=self.jar))  # fmt: skip
            except TransportError as exc:
                return unsure(f"that page could not be read ({exc})")
            self.learn(current)
            if not 300 <= current.status < 400:
                break
            if is_login_redirect(current, self.profile):
                return unsure("then to the login page (the session's cookie was lost?)")
        else:
            return unsure(f"more than {MAX_REDIRECTS} redirects: not followed further")
        reply = classify_html(current, self.profile)
        if reply.outcome == ReplyKind.SESSION_EXPIRED:
            return unsure(f"the page it leads to says: {reply.message}")
        # Timed and numbered as the submit itself: its round trip is what was measured.
        reply.sent_ns, reply.received_ns, reply.status = (
            first.sent_ns, first.received_ns, first.status,
        )  # fmt: skip
        return reply

    def _same_origin(self, url) -> bool:
        if url.scheme and url.scheme != self.target.scheme:
            return False
        if not url.hostname:
            return True
        default = 443 if self.target.scheme == "https" else 80
        return (url.hostname.lower(), url.port or default) == (
            self.target.host.lower(), self.target.port,
        )  # fmt: skip

    def learn(self, response: Response) -> bool:
        """Keep the cookies the portal set and the fresh tokens its page shows.

        Returns whether anything the request is built from changed.
        """
        changed = False
        for header in response.header_all("set-cookie"):
            cookie = parse_set_cookie(header)
            if cookie is None:
                continue
            name, value, deleted = cookie
            if deleted and name in self.jar:
                del self.jar[name]
                changed = True
            elif not deleted and self.jar.get(name) != value:
                self.jar[name] = value
                changed = True
        if self.page_specs and "html" in response.header("content-type").lower():
            document = parse(response.body, response.charset)
            for name, spec in self.page_specs.items():
                value = attribute(document, spec["css"], spec["attribute"])
                if value is not None and self.tokens.get(name) != value:
                    self.tokens[name] = value
                    changed = True
        if changed:
            self._built.clear()
        return changed

    def close(self) -> None:
        self.pool.close()


def parse_set_cookie(header: str) -> tuple[str, str, bool] | None:
    """(name, value, deleted) of one ``Set-Cookie`` header (RFC 6265, 5.2), or None.

    Attributes are read only to see a deletion (``Max-Age`` of 0 or less, or
    ``Expires`` in the past); any other attribute, known or not, is ignored.
    """
    pair, _, attributes = header.partition(";")
    name, sep, value = pair.partition("=")
    name, value = name.strip(), value.strip()
    if not sep or not name:
        return None
    deleted = False
    for attribute_text in attributes.split(";"):
        key, _, raw = attribute_text.partition("=")
        key, raw = key.strip().lower(), raw.strip()
        if key == "max-age" and raw.lstrip("-").isdigit():
            deleted = int(raw) <= 0
        elif key == "expires" and not any(
            a.strip().lower().startswith("max-age") for a in attributes.split(";")
        ):
            with contextlib.suppress(TypeError, ValueError):
                deleted = parsedate_to_datetime(raw).timestamp() < time.time()
    return name, value, deleted


def cookie_jar(cookies: list[dict], host: str) -> dict[str, str]:
    """The browser's cookies (WebDriver ``get_cookies()``) that ``host`` would get."""
    return {c["name"]: c["value"] for c in cookies if _applies(c, host)}


def _applies(cookie: dict, host: str) -> bool:
    domain = (cookie.get("domain") or host).lstrip(".")
    return host == domain or host.endswith("." + domain)
