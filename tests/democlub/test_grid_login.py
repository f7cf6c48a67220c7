"""The grid's login: a pre-session, its CSRF token, bad passwords, rotation, logout."""

from __future__ import annotations

import re

from tests.democlub.grid_member import GridMember

PAGE_EXPIRED = "This page has expired. Please reload the page and try again."


def _fields(token: str, password: str = "grid-demo-alex", next_path: str = "") -> dict:
    return {"csrf_token": token, "next": next_path, "username": "alex", "password": password}


def test_the_login_page_starts_a_pre_session_and_binds_its_form_to_it(gridclub):
    member = GridMember(gridclub.url, "alex", "grid-demo-alex")
    page = member.get("/login", next="/bookings")
    assert page.status == 200
    assert "gridsid=" in page.headers["Set-Cookie"]
    assert '<form id="login-form" method="post" action="/login">' in page.body
    assert '<input type="hidden" name="next" value="/bookings">' in page.body
    assert '<input id="username" name="username"' in page.body
    assert '<input id="password" name="password" type="password"' in page.body
    assert '<button id="login-button" type="submit">Log in</button>' in page.body
    assert page.token()
    # A second visit keeps the pre-session (no new cookie) and issues a new token.
    again = member.get("/login")
    assert "Set-Cookie" not in again.headers
    assert again.token() != page.token()


def test_a_login_without_the_pages_token_is_refused_with_page_expired(gridclub):
    member = GridMember(gridclub.url, "alex", "grid-demo-alex")
    member.get("/login")
    reply = member.post("/login", _fields(""))
    assert reply.status == 403
    assert reply.errors() == [PAGE_EXPIRED]
    wrong = member.post("/login", _fields("not-the-token"))
    assert (wrong.status, wrong.errors()) == (403, [PAGE_EXPIRED])
    # The refusal's own form carries a fresh token that works.
    assert member.post("/login", _fields(wrong.token())).status == 302


def test_a_token_from_another_browser_is_refused(gridclub):
    mine, theirs = (GridMember(gridclub.url, "alex", "grid-demo-alex") for _ in range(2))
    mine.get("/login")
    reply = mine.post("/login", _fields(theirs.get("/login").token()))
    assert reply.status == 403


def test_a_wrong_password_shows_the_form_again(gridclub):
    member = GridMember(gridclub.url, "alex", "grid-demo-alex")
    reply = member.post("/login", _fields(member.get("/login").token(), password="nope"))
    assert reply.status == 200
    assert reply.errors() == ["Unknown username or wrong password."]
    assert '<form id="login-form"' in reply.body
    assert 'value="alex"' in reply.body


def test_a_login_rotates_the_session_id_and_goes_to_the_day_or_next(gridclub):
    member = GridMember(gridclub.url, "alex", "grid-demo-alex")
    member.get("/login")
    before = member.cookie()
    reply = member.login()
    assert reply.location == "/day"
    cookie = reply.headers["Set-Cookie"]
    assert re.fullmatch(r"gridsid=[0-9a-f]+; Path=/; HttpOnly; SameSite=Lax", cookie)
    assert member.cookie() != before
    assert member.get("/day").status == 200

    other = GridMember(gridclub.url, "alex", "grid-demo-alex")
    assert other.login(next_path="/bookings?member=alex").location == "/bookings?member=alex"
    # Only local paths: anything else lands on the day page.
    third = GridMember(gridclub.url, "alex", "grid-demo-alex")
    assert third.login(next_path="//evil.example/x").location == "/day"


def test_the_pre_session_id_is_dead_after_login(gridclub):
    member = GridMember(gridclub.url, "alex", "grid-demo-alex")
    member.get("/login")
    pre = member.cookie()
    member.login()
    stranger = GridMember(gridclub.url, "x", "y")
    stranger.opener.addheaders = [("Cookie", f"gridsid={pre}")]
    assert stranger.get("/day").location.startswith("/login?expired=1")


def test_home_and_pages_send_anonymous_visitors_to_login(gridclub, grid_member):
    anonymous = GridMember(gridclub.url, "alex", "grid-demo-alex")
    assert anonymous.get("/").location == "/login"
    assert (
        anonymous.get("/day", date="2031-02-07").location
        == "/login?next=%2Fday%3Fdate%3D2031-02-07"
    )
    assert anonymous.get("/bookings.json").status == 401
    assert grid_member().get("/").location == "/day"


def test_an_expired_session_says_so_on_the_login_page(gridclub, grid_member):
    gridclub.control.patch_config(session_ttl_seconds=60)
    member = grid_member()
    gridclub.control.set_clock(offset_ms=61_000)
    reply = member.get("/day")
    assert reply.location == "/login?expired=1&next=%2Fday"
    page = member.get("/login", expired=1)
    assert page.errors() == ["Your session has expired. Please log in again."]


def test_logout_drops_the_session(gridclub, grid_member):
    member = grid_member()
    reply = member.get("/logout")
    assert reply.location == "/login"
    assert member.get("/day").status == 302
