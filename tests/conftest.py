"""Shared fixtures: the in-process DynamoDB/KMS emulator and personas.

Unit tests ask for ``dynamo`` to get fresh, empty tables in moto's
in-process emulator. Personas follow the house style: ``member`` (alice),
``other_member`` (bob), ``operator`` (charlie, staff).
"""

from __future__ import annotations

import functools
import threading
import uuid
from datetime import UTC, datetime

import pytest
from django.test import Client
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import DynamoDBBackend, dynamodb_backends

from bookings import workflow
from configs import services as config_services
from configs.crypto import ensure_key, get_provider
from tennisbook.dynamo import bind_models
from tennisbook.dynamo.tables import ensure_tables
from tests import factories
from tests.factories import CLUB, SEVEN, in_days


@pytest.fixture(autouse=True)
def _one_today():
    """Every ``in_days`` of one test counts from the instant the test began."""
    factories.pin_now(datetime.now(UTC))
    yield
    factories.pin_now(None)


_WRITE_LOCK = threading.RLock()
_WRITES = ("put_item", "update_item", "delete_item", "transact_write_items", "batch_write_item")
# moto's reads are not safe beside a write either: reading a missing key
# inserts into the item map a transaction may be copying at that moment.
_READS = ("get_item", "query", "scan", "batch_get_item", "transact_get_items")


def _serialized(method):
    @functools.wraps(method)
    def locked(*args, **kwargs):
        with _WRITE_LOCK:
            return method(*args, **kwargs)

    return locked


class _Emulator:
    """One in-process emulator per test module, handed to each test clean.

    Creating the KMS key (moto makes an RSA key even for symmetric ones) and
    the tables costs ~0.6 s: done once per module, each test then starts
    with no tables (``aws``) or with the project's tables emptied (``dynamo``).
    Module scope, not package: a fixture of this conftest scoped to its
    package would outlive every module, and tests that start their own
    ``mock_aws`` (tests/devstack) would find its state.
    """

    def __init__(self) -> None:
        self.stash: dict = {}

    def backend(self):
        from django.conf import settings

        return dynamodb_backends[DEFAULT_ACCOUNT_ID][settings.DYNAMODB["region"]]

    def hide_tables(self) -> None:
        tables = self.backend().tables
        for name in list(tables):
            table = tables.pop(name)
            table.items.clear()
            self.stash[name] = table

    def restore_tables(self) -> None:
        self.backend().tables.update(self.stash)
        self.stash.clear()
        ensure_tables()  # any table a test dropped


@pytest.fixture(scope="module")
def _emulator():
    """moto's in-process AWS for a test module, its reads and writes serialized.

    moto does not lock its backends, so two threads' transactions can
    interleave; DynamoDB's writes are atomic. Serializing moto's paths
    makes the emulator keep DynamoDB's promise (the emulator server of
    ``make run`` does the same with one lock per request).
    """
    with pytest.MonkeyPatch.context() as patch:
        for name in _WRITES + _READS:
            patch.setattr(DynamoDBBackend, name, _serialized(getattr(DynamoDBBackend, name)))
        with mock_aws():
            yield _Emulator()


@pytest.fixture
def aws(_emulator):
    """In-process DynamoDB with no tables yet, and KMS with the environment's key."""
    config_services.forget_cached_settings()
    previous = bind_models(endpoint_url="")
    get_provider.cache_clear()
    _emulator.hide_tables()
    ensure_key()
    yield _emulator
    get_provider.cache_clear()
    bind_models(**previous)


@pytest.fixture
def dynamo(aws):
    """The project's tables, empty, in the in-process emulator (a new deployment's)."""
    aws.restore_tables()
    from configs.club_migration import set_marker

    set_marker("done")  # as create_tables does for new tables


@pytest.fixture
def member(db, django_user_model):
    return django_user_model.objects.create_user("alice", "alice@example.test", "alice-password-1")


@pytest.fixture
def other_member(db, django_user_model):
    return django_user_model.objects.create_user("bob", "bob@example.test", "bob-password-1")


@pytest.fixture
def superuser_client(db, django_user_model):
    """A Django test client logged in as a superuser (root), for admin pages."""
    boss = django_user_model.objects.create_superuser("root", "root@example.test", "root-pass-123")
    client = Client()
    client.force_login(boss)
    return client


@pytest.fixture
def operator(db, django_user_model):
    return django_user_model.objects.create_user(
        "charlie", "charlie@example.test", "charlie-password-1", is_staff=True
    )


# --- members with portal credentials, and their booking requests -----------------


@pytest.fixture
def portal_member(dynamo, db, django_user_model):
    """A factory: the id of an active site member whose portal credentials are saved.

    Given a site account's id it configures that account; given a name it
    creates an account of that name first (requests of members who do not
    exist never fire).
    """

    def make(name: str = "alice-id", club: str = CLUB) -> str:
        try:
            user_id = str(uuid.UUID(name))
        except ValueError:
            found = django_user_model.objects.filter(username=name).first()
            if found is None:
                found = django_user_model.objects.create_user(name, f"{name}@example.test")
            user_id = str(found.pk)
        config_services.save_user_config(
            user_id, club, portal_username=name[:8], portal_password="portal-pass"
        )
        return user_id

    return make


@pytest.fixture
def alice(portal_member):
    return portal_member("alice-id")


@pytest.fixture
def bob(portal_member):
    return portal_member("bob-id")


@pytest.fixture
def make_request():
    def make(user_id, court=5, day=None, slot=SEVEN, alternatives=(), club=CLUB):
        return workflow.create(
            user_id, court, day or in_days(10), slot, list(alternatives), club=club
        )

    return make
