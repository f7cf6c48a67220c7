"""Shared fixtures: the in-process DynamoDB/KMS emulator and personas.

Unit tests ask for ``dynamo`` to get fresh, empty tables in moto's
in-process emulator. Personas follow the house style: ``member`` (alice),
``other_member`` (bob), ``operator`` (charlie, staff).
"""

from __future__ import annotations

import pytest
from moto import mock_aws

from configs.crypto import ensure_key, get_provider
from tennisbook.dynamo import bind_models
from tennisbook.dynamo.tables import ensure_tables


@pytest.fixture
def aws():
    """moto's in-process AWS (DynamoDB, and KMS with the environment's key)."""
    with mock_aws():
        previous = bind_models(endpoint_url="")
        get_provider.cache_clear()
        ensure_key()
        yield
        get_provider.cache_clear()
        bind_models(**previous)


@pytest.fixture
def dynamo(aws):
    """Fresh project tables in the in-process emulator."""
    ensure_tables()


@pytest.fixture
def member(db, django_user_model):
    return django_user_model.objects.create_user("alice", "alice@example.test", "alice-password-1")


@pytest.fixture
def other_member(db, django_user_model):
    return django_user_model.objects.create_user("bob", "bob@example.test", "bob-password-1")


@pytest.fixture
def operator(db, django_user_model):
    return django_user_model.objects.create_user(
        "charlie", "charlie@example.test", "charlie-password-1", is_staff=True
    )
