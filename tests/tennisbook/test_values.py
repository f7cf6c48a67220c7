"""The shared validators: every error names the field and the expected format."""

from datetime import date, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tennisbook.values import (
    InvalidValue,
    TimeSlot,
    clean_portal_password,
    clean_portal_username,
    clean_text,
    hourly_slots,
    parse_court_id,
    parse_date,
)


def _label(minutes: int) -> str:
    hour, minute = divmod(minutes, 60)
    return f"{hour % 12 or 12:02d}:{minute:02d} {'AM' if hour < 12 else 'PM'}"


@st.composite
def slot_labels(draw):
    start = draw(st.integers(0, 24 * 60 - 2))
    end = draw(st.integers(start + 1, 24 * 60 - 1))
    return f"De {_label(start)} a {_label(end)}"


@given(slot_labels())
def test_every_valid_slot_label_round_trips_byte_for_byte(label):
    assert TimeSlot.parse(label).label == label


def _parse_or_error(text):
    try:
        return TimeSlot.parse(text), None
    except InvalidValue as exc:
        return None, exc


@given(st.text(max_size=40))
def test_arbitrary_text_is_a_slot_or_an_error_naming_the_field(text):
    slot, error = _parse_or_error(text)
    if error is None:
        assert TimeSlot.parse(slot.label) == slot
    else:
        assert error.field == "time_slot"
        assert str(error).startswith("time_slot: ")


def test_the_portal_slots_parse_to_their_hours():
    slot = TimeSlot.parse("De 07:00 AM a 08:00 AM")
    assert (slot.start, slot.end) == (time(7), time(8))
    assert str(TimeSlot.parse("De 12:00 PM a 01:00 PM")) == "De 12:00 PM a 01:00 PM"
    assert TimeSlot.parse("De 12:00 PM a 01:00 PM").start == time(12)


def test_a_sloppy_slot_is_normalised_to_the_portal_label():
    assert TimeSlot.parse("  de 7:00 am a 8:00 a.m. ").label == "De 07:00 AM a 08:00 AM"


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "07:00 AM - 08:00 AM",
        "De 13:00 PM a 02:00 PM",
        "De 07:60 AM a 08:00 AM",
        "De 08:00 AM a 07:00 AM",
        "De 07:00 AM a 07:00 AM",
        "De 00:00 AM a 01:00 AM",
        None,
        7,
    ],
)
def test_malformed_slots_are_rejected_with_the_expected_format(bad):
    with pytest.raises(InvalidValue) as info:
        TimeSlot.parse(bad)
    assert info.value.field == "time_slot"


def test_the_default_slots_are_the_portals_thirteen_hours():
    slots = hourly_slots()
    assert len(slots) == 13
    assert slots[0].label == "De 06:00 AM a 07:00 AM"
    assert slots[-1].label == "De 06:00 PM a 07:00 PM"


def test_dates_must_be_real_calendar_dates():
    assert parse_date("2028-02-29") == date(2028, 2, 29)
    for bad in ("2027-02-29", "2026-13-01", "2026-1-5", "05/01/2026", "", "2026-02-30"):
        with pytest.raises(InvalidValue) as info:
            parse_date(bad)
        assert info.value.field == "date"
    with pytest.raises(InvalidValue, match="YYYY-MM-DD"):
        parse_date("tomorrow")


def test_court_ids_are_positive_numbers():
    assert parse_court_id("7") == 7
    assert parse_court_id(5) == 5
    for bad in (0, -1, True, "5a", "", None, 10_000, 5.5):
        with pytest.raises(InvalidValue) as info:
            parse_court_id(bad)
        assert info.value.field == "court_id"


def test_free_text_loses_control_characters_and_keeps_its_meaning():
    assert clean_text(" hola\x00 mundo\x1b\n", "comments", max_length=20) == "hola mundo"
    assert clean_text("a\nb", "notes", max_length=5, multiline=True) == "a\nb"
    with pytest.raises(InvalidValue, match="at most 3"):
        clean_text("abcd", "comments", max_length=3)
    with pytest.raises(InvalidValue, match="blank"):
        clean_text("  \x07 ", "comments", max_length=3, min_length=1)


def test_portal_credentials_are_checked_not_rewritten():
    assert clean_portal_username(" 101 ") == "101"
    assert clean_portal_password("s3cret pass") == "s3cret pass"
    for bad in ("", " lead", "trail ", "tab\there", "x" * 129, None):
        with pytest.raises(InvalidValue) as info:
            clean_portal_password(bad)
        assert info.value.field == "portal_password"
    with pytest.raises(InvalidValue, match="spaces"):
        clean_portal_username("house 101")


@pytest.mark.parametrize("text", ["\u00b2", "\u0663", "\uff15"])  # ², ٣, fullwidth 5
def test_a_court_id_of_other_scripts_digits_is_refused_not_a_crash(text):
    with pytest.raises(InvalidValue) as caught:
        parse_court_id(text)
    assert caught.value.field == "court_id"
