"""Django and DRF adapters of the shared validators in ``tennisbook.values``.

The ``validate_*`` functions are Django validators (``validators=[...]``) for
form, model and serializer fields that keep the value's type, text; the
fields below parse to a value of their own (``TimeSlot``, ``date``, a court).
Either way the message is the one ``values`` wrote, naming the expected
format. DRF turns a Django ``ValidationError`` into its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from rest_framework import serializers

from . import values


def _django(parse: Callable[..., Any]) -> Callable[[Any], None]:
    def validator(value: Any) -> None:
        try:
            parse(value)
        except values.InvalidValue as exc:
            raise ValidationError(exc.message, code="invalid") from None

    validator.__name__ = f"validate_{parse.__name__}"
    return validator


validate_time_slot = _django(values.TimeSlot.parse)
validate_date = _django(values.parse_date)
validate_court_id = _django(values.parse_court_id)
validate_portal_username = _django(values.clean_portal_username)
validate_portal_password = _django(values.clean_portal_password)


def validate_site_password(password: str, user: Any = None) -> None:
    """Django's configured password validators (length, common, similarity...)."""
    password_validation.validate_password(password, user)


class _ValueField(serializers.Field):
    """A serializer field whose parsing is one of the shared value functions."""

    parse: Callable[..., Any]

    def to_internal_value(self, data: Any) -> Any:
        try:
            return type(self).parse(data, self.field_name or "value")
        except values.InvalidValue as exc:
            raise serializers.ValidationError(exc.message, code="invalid") from None

    def to_representation(self, value: Any) -> Any:
        return str(value)


class TimeSlotField(_ValueField):
    """``De HH:MM AM/PM a HH:MM AM/PM``; validates to a ``TimeSlot``."""

    parse = staticmethod(values.TimeSlot.parse)


class StrictDateField(_ValueField):
    """A ``YYYY-MM-DD`` calendar date; validates to ``datetime.date``."""

    parse = staticmethod(values.parse_date)

    def to_representation(self, value: Any) -> str:
        return value if isinstance(value, str) else value.isoformat()


class CourtIdField(_ValueField):
    """A court id that exists at the club; validates to the court.

    The club is the serializer's context ``club`` (the view puts it there),
    else the default club.
    """

    def to_internal_value(self, data: Any) -> dict:
        from django.conf import settings

        from configs.services import get_court  # configs imports this module's siblings

        club = self.context.get("club") or settings.DEFAULT_CLUB_ID
        try:
            return get_court(club, data, self.field_name or "court_id")
        except values.InvalidValue as exc:
            raise serializers.ValidationError(exc.message, code="invalid") from None

    def to_representation(self, value: Any) -> int:
        return value["id"] if isinstance(value, dict) else int(value)


class CleanTextField(serializers.CharField):
    """Free text with control characters stripped and NFC normalisation."""

    def __init__(self, *, multiline: bool = False, **kwargs: Any):
        self.multiline = multiline
        kwargs.setdefault("max_length", 500)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        try:
            return values.clean_text(
                data,
                self.field_name or "text",
                max_length=self.max_length,
                min_length=0 if self.allow_blank else 1,
                multiline=self.multiline,
            )
        except values.InvalidValue as exc:
            raise serializers.ValidationError(exc.message, code="invalid") from None
