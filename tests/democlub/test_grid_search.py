"""The grid's bookings search: the shell page, its JSON, the member filter, cancel."""

from __future__ import annotations

import datetime as dt
import json
import re

from tests.democlub.helpers import EIGHT_AM, SEVEN_AM, grid_at

NOW = grid_at(dt.date(2031, 2, 3), 12)
DAY = "2031-02-07"


def _two_members_booked(gridclub, grid_member):
    gridclub.control.set_clock(now=NOW.isoformat())
    gridclub.control.add_member("sam", "sam-pass")
    alex, sam = grid_member(), grid_member("sam", "sam-pass")
    assert alex.book(2, DAY, EIGHT_AM).status == 302
    assert sam.book(1, DAY, SEVEN_AM).status == 302
    assert alex.book(1, "2031-02-05", 9 * 3600).status == 302
    return alex, sam


def _bookings(person, **query) -> list[dict]:
    reply = person.get("/bookings.json", **query)
    assert reply.status == 200
    return json.loads(reply.body)["bookings"]


def _cancel_token(page) -> str:
    """The token grid.js puts in each row's cancel form."""
    return re.search(r'data-csrf-token="([^"]+)"', page.body).group(1)


def test_the_search_page_is_a_shell_the_script_fills(gridclub, grid_member):
    page = grid_member().get("/bookings", member="alex")
    assert page.status == 200
    assert "<h1>Search bookings</h1>" in page.body
    assert '<form id="search" method="get" action="/bookings">' in page.body
    assert '<input id="member" name="member" value="alex">' in page.body
    assert '<table id="results" data-state="loading"' in page.body
    assert "<tbody></tbody>" in page.body
    assert '<link rel="stylesheet" href="/static/grid.css">' in page.body
    assert '<script src="/static/grid.js" defer></script>' in page.body
    assert '<a href="/bookings?member=alex">My bookings</a>' in page.body


def test_the_json_lists_one_members_upcoming_bookings_in_time_order(gridclub, grid_member):
    alex, _ = _two_members_booked(gridclub, grid_member)
    found = _bookings(alex, member="alex")
    assert [(b["date"], b["start"], b["court"]) for b in found] == [
        ("2031-02-05", "09:00", 1),
        (DAY, "08:00", 2),
    ]
    assert found[1] == {
        "id": found[1]["id"],
        "court": 2,
        "court_name": "Court 2",
        "date": DAY,
        "start": "08:00",
        "end": "09:00",
        "when": "Friday, February 7, 2031 at 8:00 AM",
        "member": "alex",
    }


def test_without_the_member_filter_everyones_bookings_are_listed(gridclub, grid_member):
    alex, _ = _two_members_booked(gridclub, grid_member)
    assert {b["member"] for b in _bookings(alex)} == {"alex", "sam"}
    assert {b["member"] for b in _bookings(alex, member="")} == {"alex", "sam"}
    assert [b["member"] for b in _bookings(alex, member="sam")] == ["sam"]


def test_past_and_cancelled_bookings_are_not_listed(gridclub, grid_member):
    alex, _ = _two_members_booked(gridclub, grid_member)
    first, second = _bookings(alex, member="alex")
    token = _cancel_token(alex.get("/bookings", member="alex"))
    reply = alex.post("/cancel", {"id": second["id"], "csrf_token": token})
    assert (reply.status, reply.location) == (302, "/bookings?member=alex")
    assert [b["id"] for b in _bookings(alex, member="alex")] == [first["id"]]
    gridclub.control.set_clock(now=grid_at(dt.date(2031, 2, 5), 9, 30).isoformat())
    # Two days on, the session has idled out: a fresh login sees the first one started.
    assert _bookings(grid_member(), member="alex") == []


def test_a_member_cannot_cancel_someone_elses_booking(gridclub, grid_member):
    alex, sam = _two_members_booked(gridclub, grid_member)
    [theirs] = _bookings(alex, member="sam")
    token = _cancel_token(alex.get("/bookings"))
    assert alex.post("/cancel", {"id": theirs["id"], "csrf_token": token}).status == 302
    assert [b["id"] for b in _bookings(sam, member="sam")] == [theirs["id"]]
    # And a cancel without the page's token is refused.
    [mine, _] = _bookings(alex, member="alex")
    assert alex.post("/cancel", {"id": mine["id"], "csrf_token": "old"}).status == 403
    assert len(_bookings(alex, member="alex")) == 2


def test_the_json_needs_a_session(gridclub):
    from tests.democlub.grid_member import GridMember

    reply = GridMember(gridclub.url, "alex", "x").get("/bookings.json", member="alex")
    assert reply.status == 401
    assert json.loads(reply.body) == {"error": "Please log in."}
