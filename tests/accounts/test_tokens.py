"""Forged, tampered and expired JWTs are refused with 401."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from rest_framework_simplejwt.tokens import AccessToken

from tests.api.fixtures import bearer, login

pytestmark = pytest.mark.django_db


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _parts(token: str) -> tuple[dict, dict, str]:
    header, payload, signature = token.split(".")
    decode = lambda part: json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))  # noqa: E731
    return decode(header), decode(payload), signature


def assert_refused(token: str) -> None:
    response = bearer(token).get("/api/auth/profile")
    assert response.status_code == 401
    assert set(response.json()["error"]) == {"code", "message", "fields"}
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_token_with_a_tampered_payload_is_refused(member, other_member):
    header, payload, signature = _parts(login("alice")["access"])
    payload["user_id"] = str(other_member.pk)

    assert_refused(f"{_b64(header)}.{_b64(payload)}.{signature}")


def test_a_token_with_a_tampered_signature_is_refused(member):
    token = login("alice")["access"]
    flipped = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]

    assert_refused(flipped)


def test_an_unsigned_alg_none_token_is_refused(member):
    header, payload, _ = _parts(login("alice")["access"])
    header["alg"] = "none"

    assert_refused(f"{_b64(header)}.{_b64(payload)}.")


def test_an_expired_token_is_refused(member):
    token = AccessToken.for_user(member)
    token.set_exp(lifetime=-timedelta(seconds=1))

    assert_refused(str(token))


def test_a_refresh_token_is_not_an_access_token(member):
    assert_refused(login("alice")["refresh"])


def test_garbage_is_refused(db):
    assert_refused("not-a-jwt")


def test_a_token_of_a_deactivated_member_is_refused(member):
    access = login("alice")["access"]
    member.is_active = False
    member.save()

    assert_refused(access)


def test_a_token_of_a_deleted_member_is_refused(member):
    tokens = login("alice")
    member.delete()

    assert_refused(tokens["access"])
