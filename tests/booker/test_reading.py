"""Reading pages without a browser: HTML parsing, list rows, tokens, redirects, aiming."""

from __future__ import annotations

import copy
import threading
from dataclasses import replace
from datetime import date
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from booker.clock import ClockEstimate
from booker.engine import BookingEngine, Plan
from booker.htmltext import attribute, element_text, page_text, selector_error
from booker.profiles import builtin_profile, default_profile, validate_profile
from booker.rawhttp import Response
from booker.replay import ReplayPath, parse_set_cookie
from booker.results import Choice, ReplyKind
from booker.rows import normalize_row, read_day, read_time
from booker.submit import classify_html, is_login_redirect
from booker.verify import find_booking
from tennisbook.values import TimeSlot

COMBINED = {
    "fields": {"when": "td.when", "court": "td.court"},
    "parse": {
        "when": r"^\w+, (?P<day>\w+ \d{1,2}, \d{4}) at (?P<start>\d{1,2}:\d{2} [AP]M)$",
        "court": r"Court (?P<court>\d+)",
    },
    "formats": {"day": ["%B %d, %Y"], "time": ["%I:%M %p"]},
}


def test_html_is_read_with_the_selectors_the_browser_understands():
    html = (
        "<html><body><script>var x = '<p>';</script>"
        "<ul class='errorlist'><li>Too <b>early</b>.</li><li>Second</li></ul>"
        "<input name='csrf_token' value='t1'><p>after"
    )  # broken markup, as real portals send it
    assert element_text(html, "ul.errorlist > li") == "Too early."
    assert element_text(html, "ul.errorlist li", 1) == "Second"
    assert element_text(html, "#flash, ul.errorlist li") == "Too early."
    assert element_text(html, "div.absent") is None
    assert attribute(html, "input[name=csrf_token]", "value") == "t1"
    assert page_text(html) == "Too early. Second after"
    assert selector_error("li:nth-child(2)") is None
    assert "expected" in selector_error("a[href")


def test_a_combined_date_time_cell_is_split_and_normalised():
    row = normalize_row(
        {"id": "7", "when": "Tuesday, December 8, 2026 at 7:00 AM", "court": " Court  3 "},
        COMBINED,
    )
    assert row == {
        "id": "7", "when": "Tuesday, December 8, 2026 at 7:00 AM", "court": "3",
        "day": "2026-12-08", "start": "07:00",
    }  # fmt: skip


def test_cells_no_format_reads_are_kept_as_the_portal_wrote_them():
    row = normalize_row({"id": "", "day": "mañana", "start": "soon"}, {"formats": {}})
    assert (row["day"], row["start"]) == ("mañana", "soon")
    assert read_day("2026-12-5", []) == "2026-12-05"
    assert read_time("7:05 pm", ["%I:%M %p"]) == "19:05"


def _response(status: int, location: str = "", body: str = "", cookies=()) -> Response:
    headers = Message()
    headers["Content-Type"] = "text/html; charset=utf-8"
    if location:
        headers["Location"] = location
    for cookie in cookies:
        headers["Set-Cookie"] = cookie
    return Response(status, headers, body.encode(), 1, 2)


@pytest.mark.parametrize(
    ("location", "expired"),
    [("/?expired=1", True), ("http://127.0.0.1:8100/", True), ("", True), ("/day?x=1", False),
     ("/dashboard.php?w=1", False)],
)  # fmt: skip
def test_only_a_redirect_to_the_login_page_means_the_session_expired(location, expired):
    profile = default_profile("http://127.0.0.1:8100")  # its login page is "/"
    response = _response(302, location)
    assert is_login_redirect(response, profile) is expired
    reply = classify_html(response, profile)
    assert reply.outcome == (ReplyKind.SESSION_EXPIRED if expired else ReplyKind.UNKNOWN)


def _token_profile() -> dict:
    raw = copy.deepcopy(default_profile())
    raw["form"]["computed"] = {
        "end_time": "{end_seconds}",
        "csrf_token": {"from": "page", "css": "form input[name=csrf_token]"},
        "xsrf": {"from": "cookie", "name": "XSRF-TOKEN"},
    }
    return validate_profile(raw)


def test_the_replay_rebuilds_its_request_with_the_newest_token_and_cookie():
    replay = ReplayPath(_token_profile())
    snapshot = {"action": "/book", "method": "POST", "schedule_name": "start",
                "fields": {"csrf_token": "old", "end_time": ""}}  # fmt: skip
    cookies = [{"name": "sid", "value": "s1", "domain": "127.0.0.1"}]
    replay.prepare(
        "choice", snapshot, "25200", cookies, {"end_time": "28800"}, {"csrf_token": "t1"}
    )
    first = replay.request_for("choice")
    for part in (b"csrf_token=t1", b"end_time=28800", b"start=25200", b"sid=s1"):
        assert part in first
    assert replay.request_for("choice") is first  # nothing changed: the same bytes
    replay.learn(
        _response(200, body="<form><input name='csrf_token' value='t2'></form>",
                  cookies=["XSRF-TOKEN=x9; Path=/", "sid=s2; HttpOnly"])
    )  # fmt: skip
    second = replay.request_for("choice")
    for part in (b"csrf_token=t2", b"xsrf=x9", b"sid=s2"):
        assert part in second
    replay.learn(_response(200, body="<p>no form here</p>"))
    assert replay.request_for("choice") is second
    replay.close()


def test_the_aim_is_past_the_release_by_the_clocks_uncertainty():
    clock = ClockEstimate(
        offset_ns=5_000_000, uncertainty_ns=2_000_000, rtt_ns=60_000_000, probes=8,
        network_rtt_ns=400_000, network_source="connect",
    )  # fmt: skip
    release = 10_000_000_000
    send = clock.send_at(release, arrive_after_ns=1_000_000)
    # portal time of arrival = send + offset + one way: 3 ms after, whatever the server work
    assert send + clock.offset_ns + 200_000 == release + 3_000_000
    assert clock.to_dict()["server_ms"] == pytest.approx(59.6)
    assert ClockEstimate(0, 0, 8_000_000, 2).one_way_ns == 4_000_000  # probes stand in


@pytest.mark.parametrize(
    ("header", "parsed"),
    [
        ("sid=abc; Path=/; Secure; HttpOnly; Partitioned", ("sid", "abc", False)),
        ("sid=abc; Priority=High; SameSite=Lax", ("sid", "abc", False)),
        ('t="quoted=1"; Max-Age=60', ("t", '"quoted=1"', False)),
        ("sid=deleted; Max-Age=0", ("sid", "deleted", True)),
        ("sid=x; Max-Age=-1", ("sid", "x", True)),
        ("sid=x; Expires=Thu, 01 Jan 1970 00:00:00 GMT", ("sid", "x", True)),
        ("sid=x; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=60", ("sid", "x", False)),
        ("no-equals-sign", None),
    ],
)
def test_set_cookie_headers_are_read_as_browsers_read_them(header, parsed):
    assert parse_set_cookie(header) == parsed


def test_a_list_without_years_still_finds_the_booking():
    spec = {"parse": {"when": r"(?P<day>\w+ \d+ \w+), (?P<start>.+)$"},
            "formats": {"day": ["%a %d %b"], "time": ["%I:%M %p"]}}  # fmt: skip
    row = normalize_row({"id": "1", "when": "Tue 08 Dec, 7:00 AM", "court": "3"}, spec)
    assert (row["day"], row["start"]) == ("--12-08", "07:00")
    engine = BookingEngine(default_profile("http://127.0.0.1:9"))
    plan = Plan(date(2026, 12, 8), [Choice(3, TimeSlot.parse("De 07:00 AM a 08:00 AM"))])
    assert find_booking(engine, plan, [row], {}) is not None
    assert find_booking(engine, replace(plan, day=date(2026, 12, 9)), [row], {}) is None


def test_a_court_shown_only_by_name_is_not_taken_for_any_court():
    engine = BookingEngine(default_profile("http://127.0.0.1:9"))
    plan = Plan(date(2026, 12, 8), [Choice(3, TimeSlot.parse("De 07:00 AM a 08:00 AM"))])
    row = {"id": "1", "day": "2026-12-08", "start": "07:00", "court": "Centre Court"}
    assert find_booking(engine, plan, [row], {}) is None
    assert find_booking(engine, plan, [row], {3: "Centre court"}) is not None


class _Portal(BaseHTTPRequestHandler):
    """A tiny portal: one valid token at a time; a booking answered by a redirect."""

    token, day_redirects_to_login, posts = "t2", False, 0

    def log_message(self, *args):  # quiet
        pass

    def _send(self, status: int, body: str = "", location: str = "") -> None:
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body.encode())))
        self.end_headers()
        self.wfile.write(body.encode())

    def do_POST(self):
        fields = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        type(self).posts += 1
        if fields.get("csrf_token") != [type(self).token]:
            form = f"<form id='booking-form'><input name='csrf_token' value='{self.token}'></form>"
            self._send(403, f"<ul class='errorlist'><li>This page has expired.</li></ul>{form}")
        else:
            self._send(302, location="/day?booked=7")

    def do_GET(self):
        if type(self).day_redirects_to_login:
            self._send(302, location="/login?next=/day")
        else:
            self._send(200, "<div id='flash'>Booking confirmed: Court 1 (ref 7).</div>")


@pytest.fixture
def tiny_portal():
    _Portal.day_redirects_to_login, _Portal.posts = False, 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Portal)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _replay(url: str) -> ReplayPath:
    replay = ReplayPath(builtin_profile("gridclub", url))
    snapshot = {"action": "/book", "method": "POST", "schedule_name": "start", "fields": {}}
    replay.prepare("c", snapshot, "25200", [], {"end_time": "28800"}, {"csrf_token": "t1"})
    return replay


def test_a_refused_stale_token_is_replaced_and_the_redirect_followed_to_its_verdict(tiny_portal):
    replay = _replay(tiny_portal)
    reply = replay.send("c")
    replay.close()
    assert _Portal.posts == 2  # refused with a fresh token, sent again once at once
    assert (reply.outcome, reply.status) == (ReplyKind.SUCCESS, 302)
    assert reply.message == "Booking confirmed: Court 1 (ref 7)."


def test_a_redirect_that_ends_on_the_login_page_is_unknown_not_expired(tiny_portal):
    _Portal.day_redirects_to_login = True
    replay = _replay(tiny_portal)
    reply = replay.send("c")
    replay.close()
    # The POST was answered "302 to the day": it may have booked. Never re-login and resubmit.
    assert reply.outcome == ReplyKind.UNKNOWN
    assert "login page" in reply.message
