"""The configuration API and Django forms refuse portal credentials in the same words.

``configs.serializers`` validates with ``tennisbook.validators``'
``validate_*`` functions, the ones forms use: the API's message for a field
is the validator's message, word for word.
"""

from __future__ import annotations

import unicodedata

import pytest
from django.core.exceptions import ValidationError

from tennisbook.validators import validate_portal_password, validate_portal_username
from tests.factories import CLUB

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dynamo")]

MINE = "/api/users/me/config"
CREDENTIALS = {"portal_username": "101", "portal_password": "s3cret pass!"}


def validator_messages(validator, value) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        validator(value)
    return refused.value.messages


@pytest.mark.parametrize(
    ("field", "validator", "value"),
    [
        ("portal_username", validate_portal_username, "has space"),
        ("portal_password", validate_portal_password, " leading-space"),
        ("portal_password", validate_portal_password, "trailing-space "),
        ("portal_password", validate_portal_password, "bell\x07"),
    ],
)
def test_the_api_refuses_in_the_validators_words(as_member, field, validator, value):
    response = as_member.post(MINE, CREDENTIALS | {field: value}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {field: validator_messages(validator, value)}


def test_a_valid_username_is_stored_as_the_portal_expects_it(as_member):
    typed = "cafe\u0301\u200b"  # decomposed accent, zero-width space
    response = as_member.post(MINE, CREDENTIALS | {"portal_username": typed}, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["portal_username"] == unicodedata.normalize("NFC", "café")


def test_a_password_is_kept_exactly_as_typed(as_member):
    from configs import services

    typed = "in  side\u00a0spaces"
    response = as_member.post(MINE, CREDENTIALS | {"portal_password": typed}, format="json")

    assert response.status_code == 201, response.json()
    assert services.get_user_config(response.json()["user_id"], CLUB).portal_password == typed
