"""Release rules: fixed daily openings, rolling windows, club time zone, month ends."""

from __future__ import annotations

import datetime as dt

from tests.democlub.helpers import SLOT_7AM, fixed_release, portal_day

SUCCESS = "Su reservación se ha realizado con éxito y ya se encuentra aprobada."
NOT_OPEN_8 = (
    "Esta fecha aún no está disponible para reservación. "
    "Las reservaciones serán habilitadas 8 días antes."
)


def test_one_second_before_release_the_form_answers_not_yet_open(democlub, web_member):
    day = dt.date(2031, 3, 12)
    democlub.control.set_clock(now=(fixed_release(day, 8) - dt.timedelta(seconds=1)).isoformat())
    member = web_member()
    assert member.reserve(5, portal_day(day), SLOT_7AM) == (200, NOT_OPEN_8)
    assert democlub.control.reservations() == []


def test_at_release_the_same_request_succeeds(democlub, web_member):
    day = dt.date(2031, 3, 12)
    democlub.control.set_clock(now=fixed_release(day, 8).isoformat())
    assert web_member().reserve(5, portal_day(day), SLOT_7AM) == (200, SUCCESS)


def test_the_not_yet_open_message_says_the_areas_own_number_of_days(democlub, web_member):
    day = dt.date(2031, 3, 12)
    democlub.control.set_clock(now=(fixed_release(day, 9) - dt.timedelta(seconds=1)).isoformat())
    _, message = web_member().reserve(7, portal_day(day), SLOT_7AM)
    assert message.endswith("Las reservaciones serán habilitadas 9 días antes.")


def test_release_follows_the_club_date_not_the_utc_date(democlub, web_member):
    # 05:59:59 UTC on Feb 28 is still Feb 27 in Costa Rica: March 8 is not open yet.
    day = dt.date(2031, 3, 8)
    democlub.control.set_clock(now="2031-02-28T05:59:59+00:00")
    member = web_member()
    assert member.reserve(5, portal_day(day), SLOT_7AM) == (200, NOT_OPEN_8)
    democlub.control.set_clock(now="2031-02-28T06:00:00+00:00")
    assert member.reserve(5, portal_day(day), SLOT_7AM) == (200, SUCCESS)


def test_a_release_across_a_month_end_opens_at_club_midnight(democlub, web_member):
    # Feb 28 (2031 is not a leap year) + 8 days is March 8: its opening is Feb 28 00:00.
    day = dt.date(2031, 3, 8)
    assert fixed_release(day, 8).date() == dt.date(2031, 2, 28)
    democlub.control.set_clock(now="2031-02-27T23:59:59.500-06:00")
    member = web_member()
    *_, body = member.get("/reservations.php", area=5, month="2031-3")
    assert "f_change_reservation_day('2031-3-7','5')" in body
    assert "f_change_reservation_day('2031-3-8','5')" not in body
    assert member.reserve(5, portal_day(day), SLOT_7AM)[1] == NOT_OPEN_8
    democlub.control.set_clock(now="2031-02-28T00:00:00-06:00")
    *_, body = member.get("/reservations.php", area=5, month="2031-3")
    assert "f_change_reservation_day('2031-3-8','5')" in body
    assert member.reserve(5, portal_day(day), SLOT_7AM)[1] == SUCCESS


def test_a_fixed_opening_at_a_time_of_day_other_than_midnight(democlub, web_member):
    democlub.control.set_area(5, release={"kind": "fixed", "days_ahead": 2, "time": "07:30"})
    day = dt.date(2031, 6, 10)
    democlub.control.set_clock(now="2031-06-08T07:29:59-06:00")
    member = web_member()  # log in after the clock jump, or the session would have expired
    assert "2 días antes" in member.reserve(5, portal_day(day), SLOT_7AM)[1]
    democlub.control.set_clock(now="2031-06-08T07:30:00-06:00")
    assert member.reserve(5, portal_day(day), SLOT_7AM)[1] == SUCCESS


def test_a_rolling_window_opens_each_slot_a_fixed_duration_before_it_starts(democlub, web_member):
    democlub.control.set_area(17, release={"kind": "rolling", "window_minutes": 90})
    day = dt.date(2031, 6, 10)
    democlub.control.set_clock(now="2031-06-10T05:29:59-06:00")
    member = web_member()
    _, message = member.reserve(17, portal_day(day), SLOT_7AM)
    assert message.endswith("serán habilitadas 90 minutos antes.")
    democlub.control.set_clock(now="2031-06-10T05:30:00-06:00")
    assert member.reserve(17, portal_day(day), SLOT_7AM)[1] == SUCCESS
    _, later = member.reserve(17, portal_day(day), "De 08:00 AM a 09:00 AM")
    assert later.startswith("Esta fecha aún no está disponible")


def test_the_demo_release_opens_its_date_ahead_of_the_rule(democlub, web_member):
    demo = democlub.control.state()["demo_release"]
    assert demo["area"] == 5
    assert demo["slot"] == SLOT_7AM
    opens = dt.datetime.fromisoformat(demo["opens_at"])
    democlub.control.set_clock(now=(opens - dt.timedelta(seconds=1)).isoformat())
    member = web_member()
    assert member.reserve(5, demo["portal_day"], SLOT_7AM)[1] == NOT_OPEN_8
    democlub.control.set_clock(now=opens.isoformat())
    assert member.reserve(5, demo["portal_day"], SLOT_7AM)[1] == SUCCESS


def test_the_next_date_after_the_demo_release_still_follows_the_rule(democlub):
    demo = democlub.control.state()["demo_release"]
    day = dt.date.fromisoformat(demo["day"])
    later = democlub.control.release(5, portal_day(day + dt.timedelta(days=1)), "07:00")
    assert later["opens_at"] == fixed_release(day + dt.timedelta(days=1), 8).isoformat()
