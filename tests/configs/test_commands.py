"""create_tables and seed_demo: idempotent, and clear when the store is down."""

import socket
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from bookings import services as booking_services
from configs import services as config_services
from tennisbook.dynamo import bind_models
from tests.factories import CLUB


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.usefixtures("aws")
def test_create_tables_creates_then_reports_existing_tables_with_ttl():
    first = run("create_tables")
    assert "test-BookingRequests: created, TTL on ttl" in first
    second = run("create_tables")
    assert "test-BookingRequests: exists, TTL on ttl" in second
    assert "created" not in second


def test_create_tables_names_an_unreachable_endpoint():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    previous = bind_models(endpoint_url=f"http://127.0.0.1:{port}", max_retry_attempts=0)
    try:
        with pytest.raises(CommandError, match=f"127.0.0.1:{port}.*DYNAMODB_ENDPOINT_URL"):
            call_command("create_tables")
    finally:
        bind_models(**previous)


@pytest.mark.django_db
@pytest.mark.usefixtures("dynamo")
def test_seed_demo_is_idempotent(django_user_model):
    run("seed_demo")
    member = django_user_model.objects.get(username="member")
    assert django_user_model.objects.get(username="operator").is_staff
    assert config_services.get_user_config(str(member.pk), CLUB).portal_username == "101"
    assert len(booking_services.list_requests(str(member.pk), club=CLUB)) == 1
    second = run("seed_demo")
    assert "created" not in second
    assert django_user_model.objects.count() == 2
    assert len(booking_services.list_requests(str(member.pk), club=CLUB)) == 1


@pytest.mark.django_db
@pytest.mark.usefixtures("aws")
def test_seed_demo_without_tables_says_what_to_run():
    with pytest.raises(CommandError, match="create_tables"):
        call_command("seed_demo", stdout=StringIO())
