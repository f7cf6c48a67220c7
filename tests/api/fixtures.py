"""API test fixtures: clients for the personas, tokens, a clean limit cache.

Shared by ``tests/api``, ``tests/accounts`` and ``tests/configs/test_api_*``
(their conftests import them, or the modules do).
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

PASSWORDS = {
    "alice": "alice-password-1",
    "bob": "bob-password-1",
    "charlie": "charlie-password-1",
}


@pytest.fixture(autouse=True)
def _fresh_limits():
    """Rate-limit and lockout counters never leak from one test to the next."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def anon():
    return APIClient()


def login(username: str, password: str | None = None) -> dict:
    response = APIClient().post(
        "/api/auth/login",
        {"username": username, "password": password or PASSWORDS[username]},
        format="json",
    )
    assert response.status_code == 200, response.content
    return response.json()


def bearer(access: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


@pytest.fixture
def as_member(member):
    """alice, logged in through the API with a bearer token."""
    return bearer(login("alice")["access"])


@pytest.fixture
def as_other_member(other_member):
    return bearer(login("bob")["access"])


@pytest.fixture
def as_operator(operator):
    return bearer(login("charlie")["access"])
