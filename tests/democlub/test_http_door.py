"""The direct HTTP door (poster.php): member + MD5 per call, ids = web ids - 2."""

from __future__ import annotations

import datetime as dt

from tests.democlub.helpers import SLOT_7AM, fixed_release, portal_day

DAY = dt.date(2031, 3, 12)
SUCCESS = "Su reservación se ha realizado con éxito y ya se encuentra aprobada."


def _open(democlub):
    democlub.control.set_clock(now=fixed_release(DAY, 8).isoformat())
    return democlub.door("101", "cancha-demo-101")


def test_door_schedule_ids_are_the_web_form_ids_minus_two(democlub, web_member):
    door = _open(democlub)
    web_ids = web_member().schedule_ids(5, portal_day(DAY))
    status, reply = door.schedules(5, portal_day(DAY))
    assert status == 200
    assert reply["success"] is True
    door_ids = {s["label"]: s["id"] for s in reply["schedules"]}
    assert door_ids.keys() == web_ids.keys()
    assert all(door_ids[label] == int(web_ids[label]) - 2 for label in web_ids)


def test_schedule_ids_differ_per_area_and_date_and_are_stable(democlub, web_member):
    member = web_member()
    one = member.schedule_ids(5, portal_day(DAY))
    assert one == member.schedule_ids(5, portal_day(DAY))
    assert set(one.values()).isdisjoint(member.schedule_ids(7, portal_day(DAY)).values())
    next_day = portal_day(DAY + dt.timedelta(days=1))
    assert set(one.values()).isdisjoint(member.schedule_ids(5, next_day).values())


def test_a_member_books_verifies_and_cancels_through_the_door(democlub):
    door = _open(democlub)
    ids = {s["label"]: s["id"] for s in door.schedules(5, portal_day(DAY))[1]["schedules"]}
    status, reply = door.add_reservation(5, portal_day(DAY), ids[SLOT_7AM])
    assert (status, reply["success"], reply["message"]) == (200, True, SUCCESS)
    _, listed = door.reservations()
    [booking] = listed["reservations"]
    assert (booking["area"], booking["day"], booking["schedule"]) == (5, portal_day(DAY), SLOT_7AM)
    assert door.cancel(booking["id"])[1]["message"] == "Su reservación ha sido cancelada."
    assert door.reservations()[1]["reservations"] == []
    [attempt] = democlub.control.attempts()
    assert (attempt["door"], attempt["outcome"], attempt["slot"]) == ("http", "success", SLOT_7AM)


def test_the_door_answers_the_same_messages_as_the_web_form(democlub):
    door = _open(democlub)
    ids = {s["label"]: s["id"] for s in door.schedules(5, portal_day(DAY))[1]["schedules"]}
    other = democlub.door("202", "otra-clave")
    democlub.control.add_member("202", "otra-clave")
    assert other.add_reservation(5, portal_day(DAY), ids[SLOT_7AM])[1]["success"] is True
    _, reply = door.add_reservation(5, portal_day(DAY), ids[SLOT_7AM])
    assert reply["message"].startswith("Su reservación excede la cantidad máxima")
    assert "ya existen otras reservaciones" in reply["message"]
    later = portal_day(DAY + dt.timedelta(days=1))
    later_ids = {s["label"]: s["id"] for s in door.schedules(5, later)[1]["schedules"]}
    _, reply = door.add_reservation(5, later, later_ids[SLOT_7AM])
    assert reply["message"].startswith("Esta fecha aún no está disponible para reservación.")


def test_a_web_id_is_not_a_valid_door_id(democlub, web_member):
    door = _open(democlub)
    web_id = web_member().schedule_ids(5, portal_day(DAY))[SLOT_7AM]
    _, reply = door.add_reservation(5, portal_day(DAY), int(web_id))
    assert reply == {"success": False, "message": "El horario seleccionado no es válido."} | {
        "reservation_id": None
    }


def test_a_wrong_password_digest_is_refused_and_logged(democlub):
    door = _open(democlub)
    door.password_md5 = "0" * 32
    status, reply = door.add_reservation(5, portal_day(DAY), 123)
    assert status == 200
    assert not reply["success"]
    assert "incorrectos" in reply["message"]
    assert door.reservations()[1]["success"] is False
    assert democlub.control.attempts()[0]["outcome"] == "bad_credentials"


def test_the_door_can_be_switched_off(democlub):
    door = _open(democlub)
    democlub.control.patch_config(http_door=False)
    assert door.schedules(5, portal_day(DAY))[0] == 404
