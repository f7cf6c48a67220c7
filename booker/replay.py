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

from http.cookies import CookieError, SimpleCookie
from urllib.parse import urljoin, urlsplit

from .htmltext import attribute, parse
from .rawhttp import Response, Target, TransportError, build_request, request
from .results import ReplyKind
from .submit import Reply, Unavailable, WarmPool, classify_html, exchange, is_login_redirect

MAX_REDIRECTS = 3


class ReplayPath:
    name = "replay"

    def __init__(self, profile: dict):
        self.profile = profile
        self.target = Target.of(profile["base_url"])
        self.pool = WarmPool(self.target)
        self.forms: dict[object, tuple[str, dict[str, str]]] = {}
        self.jar: dict[str, str] = {}
        self.tokens: dict[str, str] = {}  # page-sourced computed fields, as last read
        self._built: dict[object, bytes] = {}

    # --- before the release --------------------------------------------------------

    def prepare(
        self,
        key: object,
        snapshot: dict,
        schedule_id: str,
        cookies: list[dict],
        computed: dict[str, str] | None = None,
        tokens: dict[str, str] | None = None,
    ) -> None:
        """The POST for one choice, from a form snapshot (``ReservationForm.snapshot``).

        ``computed``: the choice's template fields; ``tokens``: the page-sourced
        fields as the live page shows them now. The latest cookies and tokens
        serve every choice (the portal honours only its newest token).
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
        out = {}
        for name, spec in self.profile["form"]["computed"].items():
            if isinstance(spec, dict) and spec["from"] == "page" and name in self.tokens:
                out[name] = self.tokens[name]
            elif isinstance(spec, dict) and spec["from"] == "cookie" and spec["name"] in self.jar:
                out[name] = self.jar[spec["name"]]
        return out

    # --- at the release ----------------------------------------------------------------

    def send(self, key: object) -> Reply:
        response = exchange(self.pool, self.request_for(key))
        self.learn(response)
        if not 300 <= response.status < 400 or is_login_redirect(response, self.profile):
            return classify_html(response, self.profile)
        return self._followed(response)

    def _followed(self, first: Response) -> Reply:
        """Follow a redirect that is not to the login page; classify where it ends."""
        current = first
        try:
            for _ in range(MAX_REDIRECTS):
                location = urljoin(self.profile["base_url"] + "/", current.header("location"))
                if urlsplit(location).netloc != self.target.host_header:
                    break
                target = urlsplit(location)
                path = target.path + (f"?{target.query}" if target.query else "")
                raw = build_request(self.target, "GET", path, cookies=self.jar)
                current = request(self.target, raw)
                self.learn(current)
                if not 300 <= current.status < 400 or is_login_redirect(current, self.profile):
                    break
        except TransportError as exc:
            where = first.header("location")
            message = f"redirected to {where}; that page could not be read ({exc})"
            return Reply(ReplyKind.UNKNOWN, message, first.sent_ns, first.received_ns, first.status)
        reply = classify_html(current, self.profile)
        # Timed and numbered as the submit itself: its round trip is what was measured.
        reply.sent_ns, reply.received_ns, reply.status = (
            first.sent_ns,
            first.received_ns,
            first.status,
        )
        return reply

    def learn(self, response: Response) -> None:
        """Keep the cookies the portal set and the fresh tokens its page shows."""
        changed = False
        for header in response.header_all("set-cookie"):
            try:
                cookie = SimpleCookie(header)
            except CookieError:
                continue
            for name, morsel in cookie.items():
                expired = morsel["max-age"] == "0"
                if expired and name in self.jar:
                    del self.jar[name]
                    changed = True
                elif not expired and self.jar.get(name) != morsel.value:
                    self.jar[name] = morsel.value
                    changed = True
        pages = [
            (name, spec)
            for name, spec in self.profile["form"]["computed"].items()
            if isinstance(spec, dict) and spec["from"] == "page"
        ]
        if pages and "html" in response.header("content-type").lower():
            document = parse(response.body)
            for name, spec in pages:
                value = attribute(document, spec["css"], spec["attribute"])
                if value is not None and self.tokens.get(name) != value:
                    self.tokens[name] = value
                    changed = True
        if changed:
            self._built.clear()

    def close(self) -> None:
        self.pool.close()


def cookie_jar(cookies: list[dict], host: str) -> dict[str, str]:
    """The browser's cookies (WebDriver ``get_cookies()``) that ``host`` would get."""
    return {c["name"]: c["value"] for c in cookies if _applies(c, host)}


def _applies(cookie: dict, host: str) -> bool:
    domain = (cookie.get("domain") or host).lstrip(".")
    return host == domain or host.endswith("." + domain)
