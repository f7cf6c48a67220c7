"""Reply classification: accent-, case- and whitespace-insensitive, unknown otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from booker.classify import classify, normalize
from booker.htmltext import element_text, page_text
from booker.profiles import default_profile

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "democlub"
PATTERNS = default_profile()["reply"]["patterns"]


def test_normalize_strips_accents_case_and_spacing():
    assert normalize("  Aún\n  NO   está ") == "aun no esta"


@pytest.mark.parametrize(
    ("fixture", "opening", "outcome"),
    [
        ("reply_success.html", "Su reservación se ha realizado con éxito", "success"),
        ("reply_not_open.html", "Esta fecha aún no está disponible", "not_open"),
        ("reply_slot_taken.html", "Su reservación excede la cantidad máxima", "slot_taken"),
        ("reply_quota.html", "No es posible ingresar la reservación", "quota"),
    ],
)
def test_the_saved_replies_are_classified_from_their_message(fixture, opening, outcome):
    html = (FIXTURES / fixture).read_text("utf-8")
    message = element_text(html, "#message")
    assert message.startswith(opening)  # the reply's own words, not the whole page
    assert classify(message, PATTERNS) == outcome


def test_replies_without_accents_or_with_odd_spacing_still_match():
    text = "SU  RESERVACION se ha\trealizado con exito y ya se encuentra aprobada"
    assert classify(text, PATTERNS) == "success"
    assert classify("Esta fecha aun no esta   disponible para reservación.", PATTERNS) == "not_open"


def test_an_unrecognised_reply_is_unknown():
    assert classify("Mantenimiento programado", PATTERNS) == "unknown"
    assert classify("", PATTERNS) == "unknown"


def test_the_expired_session_page_is_recognised():
    html = (FIXTURES / "login_expired.html").read_text("utf-8")
    assert classify(page_text(html), PATTERNS) == "session_expired"
