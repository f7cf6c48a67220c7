"""The saved pages in tests/fixtures/democlub/ still match the live portal's markup."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "democlub"

EXPECTED = {
    "login.html": ["Ingresar", 'type="text"', 'type="password"'],
    "dashboard.html": ['href="pre_reservations.php"', 'id="modal_iframe"'],
    "pre_reservations.html": ['<select id="area"', 'id="btn_cont"', "Cancha de Tenis 1"],
    "reservations.html": ["calendar-day_clickable", "f_change_reservation_day('2031-3-12','5')"],
    "day_reservations.html": ["Reservado de 07:00 AM a 08:00 AM", "+ Solicitar Reserva"],
    "new_reservation.html": [
        '<select id="schedule"',
        'id="save_btn"',
        'name="day" value="2031-3-12"',
    ],
    "reply_success.html": ["Su reservación se ha realizado con éxito y ya se encuentra aprobada."],
    "reply_not_open.html": ["Las reservaciones serán habilitadas 8 días antes."],
    "reply_slot_taken.html": ["Su reservación excede la cantidad máxima", "ya existen otras"],
    "reply_quota.html": ["usted ya ha sobrepasado el límite permitido"],
    "my_reservations.html": ['class="reservation"', "btn_cancel"],
}


@pytest.mark.parametrize(("name", "needles"), EXPECTED.items())
def test_saved_page_carries_the_portal_selectors(name, needles):
    text = (FIXTURES / name).read_text(encoding="utf-8")
    for needle in needles:
        assert needle in text, f"{name} lacks {needle!r}"


def test_saved_form_matches_what_the_live_portal_renders(democlub, web_member):
    democlub.control.set_clock(now="2031-03-04T00:00:05-06:00")
    _, _, live = web_member().get("/new_reservation.php", day="2031-3-12", area=5)
    assert live == (FIXTURES / "new_reservation.html").read_text(encoding="utf-8")
