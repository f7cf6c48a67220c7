"""The grid's booking form and its POST: token, end time, rules, the 302 and flash."""

from __future__ import annotations

import datetime as dt

from tests.democlub.helpers import EIGHT_AM, SEVEN_AM, grid_at

NOW = grid_at(dt.date(2031, 2, 3), 12)  # a Monday noon, far from any DST change
DAY = "2031-02-07"  # that Friday: every slot is open (7-day rolling window)
PAGE_EXPIRED = "This page has expired. Please reload the page and try again."


def _at_noon(gridclub) -> None:
    gridclub.control.set_clock(now=NOW.isoformat())


def test_the_form_lists_the_days_slots_and_leaves_end_time_to_the_script(gridclub, grid_member):
    _at_noon(gridclub)
    form = grid_member().get("/book", court=1, date=DAY, start=EIGHT_AM)
    assert form.status == 200
    body = form.body
    assert '<form id="booking-form" method="post" action="/book">' in body
    assert '<input type="hidden" name="court" value="1">' in body
    assert f'<input type="hidden" name="date" value="{DAY}">' in body
    assert '<select id="start" name="start" data-duration="3600">' in body
    assert (
        '<option value="">Choose a start time</option>\n<option value="25200">7:00 AM</option>'
        in body
    )
    assert '<option value="28800" selected>8:00 AM</option>' in body
    assert '<option value="43200">12:00 PM</option>' in body
    assert '<option value="46800">1:00 PM</option>' in body
    assert '<option value="75600">9:00 PM</option>\n</select>' in body
    assert '<input type="hidden" id="end_time" name="end_time" value="">' in body
    assert '<textarea name="notes"' in body
    assert '<button id="book-button" type="submit">Book</button>' in body


def test_a_booking_answers_302_to_the_day_whose_flash_confirms_it(gridclub, grid_member):
    _at_noon(gridclub)
    member = grid_member()
    reply = member.book(1, DAY, SEVEN_AM, notes="doubles")
    [booking] = gridclub.control.reservations()
    assert reply.status == 302
    assert reply.location == f"/day?date={DAY}&booked={booking['id']}"
    assert (booking["member"], booking["area"], booking["slot"]) == ("alex", 1, "7:00 AM")
    assert (booking["comments"], booking["door"]) == ("doubles", "web")
    day = member.get("/day", date=DAY, booked=booking["id"])
    assert day.flash() == (
        f"Booking confirmed: Court 1 on Friday, February 7, 2031 at 7:00 AM (ref {booking['id']})."
    )
    assert '<div id="flash" class="flash flash-success"' in day.body
    assert '<td class="booked">Yours</td>' in day.body
    assert gridclub.control.attempts()[-1]["outcome"] == "success"


def test_another_members_booking_is_no_flash_and_shows_as_booked(gridclub, grid_member):
    _at_noon(gridclub)
    gridclub.control.add_member("sam", "sam-pass")
    grid_member("sam", "sam-pass").book(1, DAY, SEVEN_AM)
    [booking] = gridclub.control.reservations()
    day = grid_member().get("/day", date=DAY, booked=booking["id"])
    assert day.flash() is None
    assert '<tr data-start="07:00"><th scope="row">7:00 AM</th><td class="booked">Booked</td>' in (
        day.body
    )


def test_only_the_latest_page_token_is_accepted(gridclub, grid_member):
    _at_noon(gridclub)
    member = grid_member()
    stale = member.booking_fields(1, DAY, SEVEN_AM)
    member.get("/book", court=2, date=DAY)  # another page with a form: a new token
    reply = member.post("/book", stale)
    assert reply.status == 403
    assert reply.errors() == [PAGE_EXPIRED]
    assert gridclub.control.reservations() == []
    assert gridclub.control.attempts()[-1]["outcome"] == "csrf"
    # The refusal re-renders the form with a fresh token, which is accepted.
    assert member.post("/book", {**stale, "csrf_token": reply.token()}).status == 302


def test_a_missing_token_is_refused_too(gridclub, grid_member):
    _at_noon(gridclub)
    member = grid_member()
    fields = member.booking_fields(1, DAY, SEVEN_AM)
    assert member.post("/book", {**fields, "csrf_token": ""}).status == 403


def test_the_end_time_must_be_start_plus_the_duration(gridclub, grid_member):
    _at_noon(gridclub)
    member = grid_member()
    fields = member.booking_fields(1, DAY, SEVEN_AM)
    for end in ("", str(SEVEN_AM + 1800), "8:00"):
        reply = member.post("/book", {**fields, "end_time": end})
        assert reply.status == 200
        assert reply.errors() == ["The booking must end at 8:00 AM (60 minutes)."]
        fields["csrf_token"] = reply.token()
    assert gridclub.control.reservations() == []
    assert {a["outcome"] for a in gridclub.control.attempts()} == {"invalid"}


def test_a_start_that_is_not_a_slot_of_the_day_is_refused(gridclub, grid_member):
    _at_noon(gridclub)
    member = grid_member()
    fields = member.booking_fields(1, DAY, SEVEN_AM)
    reply = member.post("/book", {**fields, "start": SEVEN_AM + 60, "end_time": SEVEN_AM + 3660})
    assert (reply.status, reply.errors()) == (200, ["Please choose a start time from the list."])
    assert '<select id="start"' in reply.body
    reply = member.post("/book", {**fields, "csrf_token": reply.token(), "court": 9})
    assert reply.errors() == ["Please choose a start time from the list."]


def test_a_slot_that_has_started_is_refused(gridclub, grid_member):
    _at_noon(gridclub)
    reply = grid_member().book(1, "2031-02-03", SEVEN_AM)
    assert (reply.status, reply.errors()) == (200, ["That time has already passed."])


def test_a_taken_slot_is_refused(gridclub, grid_member):
    _at_noon(gridclub)
    gridclub.control.add_member("sam", "sam-pass")
    assert grid_member("sam", "sam-pass").book(1, DAY, SEVEN_AM).status == 302
    reply = grid_member().book(1, DAY, SEVEN_AM)
    assert (reply.status, reply.errors()) == (200, ["That slot has already been booked."])
    assert gridclub.control.attempts()[-1]["outcome"] == "slot_taken"


def test_the_quota_counts_upcoming_bookings_per_court(gridclub, grid_member):
    _at_noon(gridclub)
    member = grid_member()
    assert member.book(1, DAY, SEVEN_AM).status == 302
    assert member.book(1, DAY, EIGHT_AM).status == 302
    reply = member.book(1, DAY, 9 * 3600)
    assert reply.errors() == ["You already have the maximum of 2 upcoming bookings."]
    assert gridclub.control.attempts()[-1]["outcome"] == "quota"
    assert member.book(2, DAY, 9 * 3600).status == 302


def test_a_booking_without_a_live_session_goes_to_login_and_is_logged(gridclub, grid_member):
    _at_noon(gridclub)
    gridclub.control.patch_config(session_ttl_seconds=60)
    member = grid_member()
    fields = member.booking_fields(1, DAY, SEVEN_AM)
    gridclub.control.set_clock(now=(NOW + dt.timedelta(seconds=61)).isoformat())
    reply = member.post("/book", fields)
    assert (reply.status, reply.location) == (302, "/login?expired=1&next=/day")
    [attempt] = gridclub.control.attempts()
    assert (attempt["outcome"], attempt["member"], attempt["door"]) == (
        "session_expired",
        None,
        "web",
    )
    assert attempt["schedule_id"] == str(SEVEN_AM)
