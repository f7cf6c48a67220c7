"""Member quota, session expiry, injected 500s and latency, reset."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from democlub.client import ControlError
from tests.democlub.helpers import SLOT_7AM, fixed_release, portal_day

DAY = dt.date(2031, 3, 12)
QUOTA = "No es posible ingresar la reservación, usted ya ha sobrepasado el límite permitido."


def test_a_member_over_the_area_quota_is_refused(democlub, web_member):
    democlub.control.set_area(5, member_quota=2)
    democlub.control.set_clock(now=fixed_release(DAY, 8).isoformat())
    member = web_member()
    day = portal_day(DAY)
    assert member.reserve(5, day, "De 06:00 AM a 07:00 AM")[1].startswith("Su reservación se ha")
    assert member.reserve(5, day, SLOT_7AM)[1].startswith("Su reservación se ha")
    assert member.reserve(5, day, "De 08:00 AM a 09:00 AM")[1] == QUOTA
    # The quota is per area: court 7 still accepts.
    assert member.reserve(7, portal_day(DAY - dt.timedelta(days=1)), SLOT_7AM)[1].startswith(
        "Su reservación se ha"
    )


def test_a_cancelled_reservation_frees_quota_and_slot(democlub, web_member):
    democlub.control.set_area(5, member_quota=1)
    democlub.control.set_clock(now=fixed_release(DAY, 8).isoformat())
    member = web_member()
    member.reserve(5, portal_day(DAY), SLOT_7AM)
    [booking] = democlub.control.reservations()
    member.post("/utilities/process/actions/cancel_reservation.php", {"id": booking["id"]})
    assert member.reserve(5, portal_day(DAY), SLOT_7AM)[1].startswith("Su reservación se ha")


def test_an_idle_session_expires_and_pages_send_back_to_login(democlub, web_member):
    democlub.control.patch_config(session_ttl_seconds=60)
    democlub.control.set_clock(now=fixed_release(DAY, 8).isoformat())
    member = web_member()
    assert member.get("/pre_reservations.php")[0] == 200
    democlub.control.set_clock(now=(fixed_release(DAY, 8) + dt.timedelta(seconds=61)).isoformat())
    _, url, body = member.get("/pre_reservations.php")
    assert url.endswith("/?expired=1")
    assert "Su sesión ha expirado" in body
    _status, reply = member.submit(5, portal_day(DAY), "1")
    assert "Su sesión ha expirado" in reply
    assert democlub.control.attempts()[-1]["outcome"] == "session_expired"


def test_an_active_session_is_kept_alive_by_use(democlub, web_member):
    democlub.control.patch_config(session_ttl_seconds=60)
    start = fixed_release(DAY, 8)
    democlub.control.set_clock(now=start.isoformat())
    member = web_member()
    for seconds in (40, 80, 120):
        democlub.control.set_clock(now=(start + dt.timedelta(seconds=seconds)).isoformat())
        assert "select" in member.get("/pre_reservations.php")[2]


def test_injected_500s_fail_requests_and_are_logged_as_attempts(democlub, web_member):
    democlub.control.set_clock(now=fixed_release(DAY, 8).isoformat())
    member = web_member()
    schedule = member.schedule_ids(5, portal_day(DAY))[SLOT_7AM]
    democlub.control.patch_config(error_rate=1.0)
    assert member.get("/pre_reservations.php")[0] == 500
    status, _ = member.submit(5, portal_day(DAY), schedule)
    assert status == 500
    assert democlub.control.attempts()[-1]["outcome"] == "server_error"
    assert democlub.control.reservations() == []
    democlub.control.patch_config(error_rate=0.0)
    assert member.submit(5, portal_day(DAY), schedule)[1].startswith("Su reservación se ha")


def test_a_500_after_booking_keeps_the_booking_and_the_retry_hears_slot_taken(democlub, web_member):
    democlub.control.set_clock(now=fixed_release(DAY, 8).isoformat())
    member = web_member()
    door = democlub.door("101", "cancha-demo-101")
    schedule = member.schedule_ids(5, portal_day(DAY))[SLOT_7AM]
    democlub.control.patch_config(error_rate=1.0, error_mode="after_booking")

    status, reply = door.add_reservation(5, portal_day(DAY), int(schedule) - 2)
    assert (status, reply["success"]) == (500, False)
    [booking] = democlub.control.reservations()
    assert (booking["member"], booking["slot"]) == ("101", SLOT_7AM)
    assert democlub.control.attempts()[-1]["outcome"] == "success"
    # Only bookings are hit: the retry's "slot taken" and the pages answer as usual.
    status, reply = door.add_reservation(5, portal_day(DAY), int(schedule) - 2)
    assert status == 200
    assert "ya existen otras reservaciones" in reply["message"]
    assert door.reservations()[0] == 200
    assert member.get("/pre_reservations.php")[0] == 200
    # The web form's POST behaves the same way.
    other = member.schedule_ids(5, portal_day(DAY))["De 08:00 AM a 09:00 AM"]
    assert member.submit(5, portal_day(DAY), other)[0] == 500
    assert len(democlub.control.reservations()) == 2


def test_an_unknown_error_mode_is_refused_naming_the_key(democlub):
    with pytest.raises(ControlError) as error:
        democlub.control.patch_config(error_mode="sometimes")
    assert error.value.status == 400
    assert list(error.value.body["error"]["fields"]) == ["error_mode"]


def test_a_partial_error_rate_fails_some_requests_only(democlub):
    democlub.control.patch_config(error_rate=0.5)
    door = democlub.door("101", "cancha-demo-101")
    statuses = [door.reservations()[0] for _ in range(40)]
    assert 0 < statuses.count(500) < 40
    assert set(statuses) == {200, 500}


def test_added_latency_delays_replies_but_not_the_receive_time(democlub):
    door = democlub.door("101", "cancha-demo-101")
    democlub.control.patch_config(latency_ms=300)
    offset = democlub.control.offset_ns()
    before = democlub.control.portal_now_ns(offset)
    started = time.monotonic()
    door.add_reservation(5, "2031-3-12", 1)
    assert time.monotonic() - started >= 0.3
    after = democlub.control.portal_now_ns(offset)
    [attempt] = democlub.control.attempts()
    # Stamped on arrival: the whole latency lies between the stamp and the
    # reply (a bound that holds however slowly the request travelled).
    assert before <= attempt["received_ns"]
    assert (after - attempt["received_ns"]) / 1e6 >= 300
    assert (attempt["decided_ns"] - attempt["received_ns"]) / 1e6 >= 300


def test_reset_restores_a_clean_portal(democlub, web_member):
    control = democlub.control
    start_config = control.config()
    control.set_clock(now=fixed_release(DAY, 8).isoformat())
    web_member().reserve(5, portal_day(DAY), SLOT_7AM)
    control.add_member("303", "x-clave")
    control.patch_config(latency_ms=5, error_rate=0.1)
    control.set_area(5, member_quota=9)
    control.reset()
    assert control.config() == start_config
    assert control.reservations() == []
    assert control.attempts() == []
    assert abs(control.clock()["offset_ms"]) < 1
