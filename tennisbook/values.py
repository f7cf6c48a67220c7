"""Value types and validators shared by the API, forms, the engine and the CLI.

Pure Python on purpose: ``tennis.py`` validates its ``.env`` with these same
functions without setting up Django. Every failure is an ``InvalidValue``
that names the field and the expected format; the Django and DRF adapters in
``tennisbook.validators`` turn it into their own error types.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, time

SLOT_FORMAT = "De HH:MM AM/PM a HH:MM AM/PM"
DATE_FORMAT = "YYYY-MM-DD"


class InvalidValue(ValueError):
    """A value that fails validation; ``field`` names it for the caller."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


# --- Text --------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")
_NEWLINES = re.compile(r"[\r\n\t]")


def clean_text(
    value: object,
    field: str,
    *,
    max_length: int,
    min_length: int = 0,
    multiline: bool = False,
) -> str:
    """Normalise free text: NFC, control characters removed, trimmed, bounded.

    Newlines and tabs are kept only for ``multiline`` fields.
    """
    if not isinstance(value, str):
        raise InvalidValue(field, "expected text.")
    text = unicodedata.normalize("NFC", value)
    text = _CONTROL.sub("", text)
    if not multiline:
        text = _NEWLINES.sub(" ", text)
    text = text.strip()
    if len(text) < min_length:
        if min_length == 1:
            raise InvalidValue(field, "this field may not be blank.")
        raise InvalidValue(field, f"must be at least {min_length} characters long.")
    if len(text) > max_length:
        raise InvalidValue(
            field, f"must be at most {max_length} characters long (got {len(text)})."
        )
    return text


# --- Dates -------------------------------------------------------------------

_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def parse_date(value: object, field: str = "date") -> date:
    """Parse a strict ``YYYY-MM-DD`` calendar date (``2026-02-30`` is refused)."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise InvalidValue(field, f"expected a date as {DATE_FORMAT}.")
    match = _DATE.match(value.strip())
    if not match:
        raise InvalidValue(field, f"expected a date as {DATE_FORMAT}, got {value!r}.")
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        raise InvalidValue(field, f"{value!r} is not a real calendar date.") from None


# --- Time slots --------------------------------------------------------------

_CLOCK = r"(\d{1,2}):(\d{2})\s*([AaPp])\.?\s*[Mm]\.?"
_SLOT = re.compile(rf"^\s*de\s+{_CLOCK}\s+a\s+{_CLOCK}\s*$", re.IGNORECASE)


def _to_time(hour: str, minute: str, meridiem: str, field: str, raw: str) -> time:
    h, m = int(hour), int(minute)
    if not 1 <= h <= 12 or not 0 <= m <= 59:
        raise InvalidValue(field, f"{raw!r} has an impossible time; expected {SLOT_FORMAT}.")
    h = h % 12 + (12 if meridiem.upper() == "P" else 0)
    return time(h, m)


def _label(moment: time) -> str:
    hour = moment.hour % 12 or 12
    return f"{hour:02d}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"


@dataclass(frozen=True, order=True)
class TimeSlot:
    """A bookable slot, ``De 07:00 AM a 08:00 AM`` as the portal labels it.

    Ordered by start time; ``str()`` gives the portal's label byte for byte.
    """

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise InvalidValue("time_slot", "the slot must end after it starts.")

    @classmethod
    def parse(cls, value: object, field: str = "time_slot") -> TimeSlot:
        """Parse a slot label; case, spacing and zero padding are forgiven."""
        if isinstance(value, TimeSlot):
            return value
        if not isinstance(value, str):
            raise InvalidValue(field, f"expected a time slot like {SLOT_FORMAT!r}.")
        match = _SLOT.match(value)
        if not match:
            raise InvalidValue(field, f"expected a time slot like {SLOT_FORMAT!r}, got {value!r}.")
        groups = match.groups()
        start = _to_time(*groups[:3], field, value)
        end = _to_time(*groups[3:], field, value)
        if end <= start:
            raise InvalidValue(field, f"{value!r} ends before it starts.")
        return cls(start, end)

    @property
    def label(self) -> str:
        return f"De {_label(self.start)} a {_label(self.end)}"

    def __str__(self) -> str:
        return self.label


def hourly_slots(first: time = time(6), last_end: time = time(19)) -> list[TimeSlot]:
    """The portal's one-hour slots, 06:00 AM to 07:00 PM by default."""
    return [TimeSlot(time(h), time(h + 1)) for h in range(first.hour, last_end.hour)]


# --- Courts and credentials -------------------------------------------------


def parse_court_id(value: object, field: str = "court_id") -> int:
    """A court is the portal's numeric area id (5, 7, ...)."""
    if isinstance(value, bool):
        raise InvalidValue(field, "expected a court id, a positive whole number.")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip())
    else:
        raise InvalidValue(field, f"expected a court id, a positive whole number, got {value!r}.")
    if not 1 <= number <= 9_999:
        raise InvalidValue(field, f"{number} is not a valid court id (1 to 9999).")
    return number


CLUB_ID = re.compile(r"[a-z][a-z0-9-]{0,31}")


def parse_club_id(value: object, field: str = "club") -> str:
    """A club id: lower case letters, digits and hyphens, starting with a letter."""
    if not isinstance(value, str) or not CLUB_ID.fullmatch(value.strip()):
        raise InvalidValue(
            field,
            f"expected a club id (lower-case letters, digits and '-', starting with a letter, "
            f"at most 32), got {value!r}.",
        )
    return value.strip()


def clean_portal_username(value: object, field: str = "portal_username") -> str:
    """The member's login on the club portal (often the house number)."""
    text = clean_text(value, field, max_length=64, min_length=1)
    if any(ch.isspace() for ch in text):
        raise InvalidValue(field, "may not contain spaces.")
    return text


def clean_portal_password(value: object, field: str = "portal_password") -> str:
    """The member's portal password, kept exactly as typed.

    Unlike free text it is never altered: a control character or a leading or
    trailing space is refused rather than silently removed, since a changed
    password would fail at the release instant.
    """
    if not isinstance(value, str) or not value:
        raise InvalidValue(field, "this field may not be blank.")
    if len(value) > 128:
        raise InvalidValue(field, "must be at most 128 characters long.")
    if _CONTROL.search(value) or _NEWLINES.search(value):
        raise InvalidValue(field, "may not contain control characters.")
    if value != value.strip():
        raise InvalidValue(field, "may not start or end with a space.")
    return value
