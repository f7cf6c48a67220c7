"""Reading pages without a browser: HTML parsing, list rows, tokens, redirects, aiming."""

from __future__ import annotations

import copy
from email.message import Message

import pytest

from booker.clock import ClockEstimate
from booker.htmltext import attribute, element_text, page_text, selector_error
from booker.profiles import default_profile, validate_profile
from booker.rawhttp import Response
from booker.replay import ReplayPath
from booker.results import ReplyKind
from booker.rows import normalize_row, read_day, read_time
from booker.submit import classify_html, is_login_redirect

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
    assert element_text(html, "ul.errorlist > li") == "Too early ."
    assert element_text(html, "ul.errorlist li", 1) == "Second"
    assert element_text(html, "#flash, ul.errorlist li") == "Too early ."
    assert element_text(html, "div.absent") is None
    assert attribute(html, "input[name=csrf_token]", "value") == "t1"
    assert page_text(html) == "Too early . Second after"
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
