"""The grid's static files, latency, injected 500s, competitors and settings."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time

import pytest

from democlub.client import ControlError
from democlub.testing import start_portal
from tests.democlub.grid_member import GridMember
from tests.democlub.helpers import EIGHT_AM, SEVEN_AM, grid_at

NOW = grid_at(dt.date(2031, 2, 3), 12)
DAY = "2031-02-07"


def _timed(call) -> tuple[float, object]:
    started = time.perf_counter()
    result = call()
    return (time.perf_counter() - started) * 1000, result


def test_static_files_are_served_at_once_while_pages_pay_the_latency(gridclub, grid_member):
    member = grid_member()
    gridclub.control.patch_config(latency_ms=80)
    page_ms, page = _timed(lambda: member.get("/day"))
    assert page.status == 200
    assert page_ms >= 80
    for path, kind in (("/static/grid.css", "text/css"), ("/static/grid.js", "text/javascript")):
        # The best of a few tries: a busy machine may stall any one request.
        timings = [_timed(lambda path=path: member.get(path)) for _ in range(3)]
        best_ms, reply = min(timings, key=lambda t: t[0])
        assert best_ms < 40, (path, timings)
        assert reply.status == 200
        assert reply.headers["Content-Type"].startswith(kind)
        assert reply.headers["Cache-Control"] == "public, max-age=3600"
        assert "Date" in reply.headers
    assert "end_time" in member.get("/static/grid.js").body
    assert member.get("/favicon.ico").status == 204


def test_every_response_carries_the_portal_clocks_date(gridclub, grid_member):
    gridclub.control.set_clock(now=NOW.isoformat())
    member = grid_member()
    for path in ("/day", "/static/grid.css", "/login"):
        assert member.get(path).headers["Date"].startswith("Mon, 03 Feb 2031 17:00:")
    assert member.get("/day").headers["Cache-Control"] == "no-store"


def test_injected_500s_hit_pages_and_bookings_but_never_static_files(gridclub, grid_member):
    gridclub.control.set_clock(now=NOW.isoformat())
    member = grid_member()
    fields = member.booking_fields(1, DAY, SEVEN_AM)
    gridclub.control.patch_config(error_rate=1.0)
    assert member.get("/day").status == 500
    assert member.get("/static/grid.js").status == 200
    assert member.post("/book", fields).status == 500
    assert gridclub.control.attempts()[-1]["outcome"] == "server_error"
    assert gridclub.control.reservations() == []
    gridclub.control.patch_config(error_rate=0.0)
    assert member.post("/book", fields).status == 302


def test_a_500_after_booking_keeps_the_booking(gridclub, grid_member):
    gridclub.control.set_clock(now=NOW.isoformat())
    member = grid_member()
    fields = member.booking_fields(1, DAY, SEVEN_AM)
    gridclub.control.patch_config(error_rate=1.0, error_mode="after_booking")
    assert member.post("/book", fields).status == 500
    [booking] = gridclub.control.reservations()
    assert booking["member"] == "alex"
    assert gridclub.control.attempts()[-1]["outcome"] == "success"
    # Only a booking fails in this mode: the retry hears "taken", pages answer.
    retry = member.post("/book", member.booking_fields(1, DAY, SEVEN_AM))
    assert retry.errors() == ["That slot has already been booked."]
    assert member.get("/day").status == 200


def test_the_grid_has_no_http_door(gridclub):
    member = GridMember(gridclub.url, "alex", "grid-demo-alex")
    reply = member.post("/utilities/process/app/poster.php?app_action=get_reservations", {})
    assert reply.status == 404
    assert member.get("/login.php").status == 404


def test_a_competitor_books_on_the_grid_through_the_same_attempts(gridclub, grid_member):
    control = gridclub.control
    control.set_clock(now=NOW.isoformat())
    control.add_member("sam", "sam-pass")
    control.add_competitor("sam", 1, DAY, "8:00 AM", delay_ms=0)  # open already: fires at once
    deadline = time.monotonic() + 10
    while not control.competitors()[0]["fired"]:
        assert time.monotonic() < deadline, "the competitor did not fire"
        time.sleep(0.01)
    assert control.competitors()[0]["outcome"] == "success"
    [booking] = control.reservations()
    assert (booking["member"], booking["slot"], booking["door"]) == ("sam", "8:00 AM", "competitor")
    attempt = control.attempts()[-1]
    assert (attempt["schedule_id"], attempt["slot"]) == (str(EIGHT_AM), "8:00 AM")
    reply = grid_member().book(1, DAY, EIGHT_AM)
    assert reply.errors() == ["That slot has already been booked."]


def test_a_bad_setting_is_refused_naming_the_field(gridclub):
    before = gridclub.control.config()
    with pytest.raises(ControlError) as error:
        gridclub.control.set_area(1, release={"kind": "rolling", "window_minutes": -5})
    assert error.value.status == 400
    assert error.value.body["error"]["fields"] == {
        "area.release.window_minutes": "must be at least 0"
    }
    assert gridclub.control.config() == before


def test_the_grids_defaults_and_a_partial_config(tmp_path):
    with start_portal(tmp_path, kind="grid", config={"latency_ms": 5}) as portal:
        config = portal.control.config()
        assert portal.control.state()["kind"] == "grid"
    assert (config["timezone"], config["latency_ms"], config["members"]) == (
        "America/New_York",
        5.0,
        [],
    )
    assert config["slots"] == {"start": "07:00", "end": "22:00", "minutes": 60}
    assert [a["name"] for a in config["areas"]] == ["Court 1", "Court 2", "Court 3", "Court 4"]
    for area in config["areas"]:
        assert area["release"] == {"kind": "rolling", "window_minutes": 7 * 24 * 60}
        assert area["member_quota"] == 2


def test_a_bad_config_file_for_the_grid_exits_with_one_line(tmp_path):
    config = tmp_path / "bad.json"
    config.write_text(json.dumps({"areas": [{"id": 1, "name": "Court 1", "slots": {"end": "6"}}]}))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "democlub",
            "--kind",
            "grid",
            "--port",
            "0",
            "--data-dir",
            str(tmp_path),
            "--config",
            str(config),
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        f"democlub: bad config {config}: areas[0].slots.end: "
        "must be a time of day like 00:00 or 07:30:00"
    ]


def test_the_condo_names_its_kind_too(democlub):
    state = democlub.control.state()
    assert state["kind"] == "condo"
    assert state["demo_release"]["slot"] == "De 07:00 AM a 08:00 AM"
