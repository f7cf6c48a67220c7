"""The grid's rolling release: a slot opens 7 days before it starts, judged at receipt."""

from __future__ import annotations

import datetime as dt

from tests.democlub.helpers import SEVEN_AM, grid_at

NOW = grid_at(dt.date(2031, 2, 3), 12)  # Monday noon
NEXT_MONDAY = "2031-02-10"
ONE_PM = 13 * 3600


def _to_ns(moment: dt.datetime) -> int:
    return (moment - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(microseconds=1) * 1000


def test_each_slot_opens_seven_days_before_it_starts(gridclub):
    control = gridclub.control
    release = control.release(1, NEXT_MONDAY, "7:00 AM")
    assert dt.datetime.fromisoformat(release["opens_at"]) == grid_at(dt.date(2031, 2, 3), 7)
    [first, *_] = control.schedules(1, NEXT_MONDAY)
    assert first == {
        "slot": "7:00 AM",
        "web_id": SEVEN_AM,
        "door_id": None,
        "opens_at_ns": release["opens_at_ns"],
    }


def test_the_day_grid_shows_open_slots_as_links_and_later_ones_with_their_opening(
    gridclub, grid_member
):
    gridclub.control.set_clock(now=NOW.isoformat())
    body = grid_member().get("/day", date=NEXT_MONDAY).body
    assert "<h1>Monday, February 10, 2031</h1>" in body
    assert '<th scope="col" data-court="1">Court 1</th>' in body
    assert (
        '<td class="free"><a class="book" href="/book?court=1&date=2031-02-10&start=25200">'
        "Book</a></td>"
    ) in body
    assert '<tr data-start="13:00"><th scope="row">1:00 PM</th>' in body
    assert '<td class="closed">Opens Mon 3 Feb, 1:00 PM</td>' in body
    today = grid_member().get("/day").body
    assert '<tr data-start="07:00"><th scope="row">7:00 AM</th><td class="past"></td>' in today
    assert 'href="/day?date=2031-02-02"' in today
    assert 'href="/day?date=2031-02-04"' in today


def test_a_slot_before_its_opening_is_not_open_yet(gridclub, grid_member):
    gridclub.control.set_clock(now=NOW.isoformat())
    reply = grid_member().book(1, NEXT_MONDAY, ONE_PM)
    assert reply.status == 200
    assert reply.errors() == [
        "Court 1 is not open for booking yet: 1:00 PM on Monday, February 10 "
        "opens at 1:00 PM on Monday, February 3."
    ]
    assert gridclub.control.attempts()[-1]["outcome"] == "not_open"
    gridclub.control.set_clock(now=grid_at(dt.date(2031, 2, 3), 13).isoformat())
    assert grid_member().book(1, NEXT_MONDAY, ONE_PM).status == 302


def test_the_release_is_judged_when_the_request_arrives_not_after_the_servers_work(
    gridclub, grid_member
):
    control = gridclub.control
    offset = round(control.set_clock(now=NOW.isoformat())["offset_ms"] * 1e6)
    opening = NOW + dt.timedelta(seconds=3)
    control.patch_config(
        latency_ms=60,
        release_overrides=[{"area": 2, "day": "2031-02-12", "opens_at": opening.isoformat()}],
    )
    member = grid_member()
    early = member.booking_fields(2, "2031-02-12", SEVEN_AM)
    # Sent 45 ms before the opening: it arrives before it, and the 60 ms of
    # server work end after it. The grid refuses it all the same.
    control.wait_until(_to_ns(opening) - 45_000_000, offset)
    reply = member.post("/book", early)
    [attempt] = control.attempts()
    assert attempt["received_ns"] < attempt["release_ns"] < attempt["decided_ns"]
    assert attempt["outcome"] == "not_open"
    assert "is not open for booking yet" in reply.errors()[0]
    assert "opens at 12:00:03 PM on Monday, February 3." in reply.errors()[0]
    # Past the opening the same slot is booked.
    control.wait_until(_to_ns(opening) + 1_000_000, offset)
    late = member.post("/book", {**early, "csrf_token": reply.token()})
    assert late.status == 302
    assert control.attempts()[-1]["ms_after_release"] > 0


def test_the_demo_release_is_court_1s_first_date_not_open_yet(gridclub):
    state = gridclub.control.state()
    demo = state["demo_release"]
    assert state["kind"] == "grid"
    assert "alex" in state["members"]
    assert (demo["area"], demo["area_name"], demo["slot"]) == (1, "Court 1", "8:00 AM")
    day = dt.date.fromisoformat(demo["day"])
    opening = dt.datetime.fromisoformat(demo["opens_at"])
    # By its rule the date's first slot would open later than the override does.
    assert grid_at(day - dt.timedelta(days=7), 7) > opening
    assert (
        gridclub.control.release(1, demo["day"], "8:00 AM")["opens_at_ns"] == (demo["opens_at_ns"])
    )
