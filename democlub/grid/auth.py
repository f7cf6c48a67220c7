"""The grid's sessions: an anonymous pre-session, login rotation, per-page tokens.

Like a Django or Rails app: the login page first gives the browser an
anonymous session (cookie ``gridsid``) so its form can carry a CSRF token
bound to it; a successful login replaces that session with a new id. Every
page with a token-carrying form issues a fresh token and only the latest is
accepted, so an engine must read the token of the page it submits.
"""

from __future__ import annotations

import hmac
import urllib.parse
from dataclasses import dataclass

from democlub.portal import Portal
from democlub.settings import Member
from democlub.wsgi import Request, Response, redirect

COOKIE = "gridsid"


@dataclass(frozen=True)
class Visitor:
    """Who sent a request: ``session`` is the live session id, if any."""

    session: str | None
    member: str | None  # None: anonymous (a pre-session, or no session at all)
    stale: bool  # the cookie named a session that has expired (or never existed)


def visitor_of(portal: Portal, request: Request) -> Visitor:
    token = request.cookie(COOKIE)
    if not token:
        return Visitor(None, None, stale=False)
    ttl_ns = round(portal.settings.session_ttl_seconds * 1e9)
    live = portal.store.touch_session(token, portal.now_ns(), ttl_ns)
    if live is None:
        return Visitor(None, None, stale=True)
    return Visitor(token, live[0] or None, stale=False)


def cookie_header(token: str) -> tuple[str, str]:
    return ("Set-Cookie", f"{COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax")


def with_pre_session(portal: Portal, visitor: Visitor) -> tuple[Visitor, list[tuple[str, str]]]:
    """The visitor with a live session, starting an anonymous one (and its cookie) if needed."""
    if visitor.session is not None:
        return visitor, []
    token, _ = portal.store.create_session("", portal.now_ns())
    return Visitor(token, None, stale=False), [cookie_header(token)]


def log_in(portal: Portal, visitor: Visitor, member: Member) -> str:
    """A new session id for the member; the pre-session (and its token) is dropped."""
    if visitor.session is not None:
        portal.store.drop_session(visitor.session)
    token, _ = portal.store.create_session(member.member, portal.now_ns())
    return token


def check_password(portal: Portal, username: str, password: str) -> Member | None:
    member = portal.settings.member(username.strip())
    if member is None or not hmac.compare_digest(member.password.encode(), password.encode()):
        return None
    return member


def issue_token(portal: Portal, visitor: Visitor) -> str:
    """A fresh page token; it replaces (invalidates) the session's previous one."""
    return portal.store.issue_page_token(visitor.session)


def token_ok(portal: Portal, visitor: Visitor, given: str) -> bool:
    return (
        bool(given)
        and visitor.session is not None
        and (portal.store.page_token_matches(visitor.session, given))
    )


def local_path(target: str, default: str = "/day") -> str:
    """``target`` if it is a path on this site, else ``default`` (no open redirects)."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


def to_login(request: Request, visitor: Visitor, target: str | None = None) -> Response:
    """Send a visitor without a member session to log in, then back to ``target`` (or here)."""
    if target is None:
        query_string = request.environ.get("QUERY_STRING", "")
        target = request.path + (f"?{query_string}" if query_string else "")
    query = {"next": target}
    if visitor.stale:
        query = {"expired": "1", **query}
    return redirect("/login?" + urllib.parse.urlencode(query))
