"""Shared fixtures: the in-process DynamoDB/KMS emulator and personas.

Unit tests ask for ``dynamo`` to get fresh, empty tables in moto's
in-process emulator. Personas follow the house style: ``member`` (alice),
``other_member`` (bob), ``operator`` (charlie, staff).
"""

from __future__ import annotations

import functools
import threading

import pytest
from moto import mock_aws
from moto.dynamodb.models import DynamoDBBackend

from configs.crypto import ensure_key, get_provider
from tennisbook.dynamo import bind_models
from tennisbook.dynamo.tables import ensure_tables

_WRITE_LOCK = threading.RLock()
_WRITES = ("put_item", "update_item", "delete_item", "transact_write_items", "batch_write_item")


def _serialized(method):
    @functools.wraps(method)
    def locked(*args, **kwargs):
        with _WRITE_LOCK:
            return method(*args, **kwargs)

    return locked


@pytest.fixture
def aws(monkeypatch):
    """moto's in-process AWS (DynamoDB, and KMS with the environment's key).

    moto does not lock its backends, so two threads' transactions can
    interleave; DynamoDB's writes are atomic. Serializing moto's write paths
    makes the emulator keep DynamoDB's promise (the emulator server of
    ``make run`` does the same with one lock per request).
    """
    for name in _WRITES:
        monkeypatch.setattr(DynamoDBBackend, name, _serialized(getattr(DynamoDBBackend, name)))
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
