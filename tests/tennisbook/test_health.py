"""/healthz answers; /readyz names what is down, never with a 500; /metrics' callers."""

import re
import socket

import pytest

from tennisbook import health
from tennisbook.dynamo import bind_models


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_healthz_answers_without_touching_dependencies(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])  # a fresh one, made here


@pytest.mark.django_db
@pytest.mark.usefixtures("aws")
def test_readyz_names_missing_tables_and_an_unreachable_redis(client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{_closed_port()}/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["down"] == ["redis", "dynamodb"]
    assert "create_tables" in body["checks"]["dynamodb"]["error"]
    assert body["checks"]["database"]["ok"] is True


@pytest.mark.django_db
@pytest.mark.usefixtures("dynamo")
def test_readyz_is_ready_when_every_check_passes(client, monkeypatch):
    monkeypatch.setitem(health.CHECKS, "redis", lambda: None)
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "ready"


def test_a_well_formed_request_id_is_kept_and_a_hostile_one_replaced(client):
    assert (
        client.get("/healthz", HTTP_X_REQUEST_ID="edge-1234abcd")["X-Request-ID"] == "edge-1234abcd"
    )
    replaced = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\nforged=1")["X-Request-ID"]
    assert replaced != "bad id\nforged=1"
    assert len(replaced) == 32


@pytest.mark.django_db
def test_readyz_is_degraded_while_dynamodb_is_down_and_names_it(client, settings, tmp_path):
    settings.BOOKER_OUTBOX_PATH = tmp_path / "outbox.sqlite3"
    previous = bind_models(endpoint_url=f"http://127.0.0.1:{_closed_port()}", max_retry_attempts=0)
    try:
        with _redis_ok():
            body = client.get("/readyz").json()
    finally:
        bind_models(**previous)
    assert body["status"] == "degraded"
    assert body["down"] == ["dynamodb"]


@pytest.mark.django_db
@pytest.mark.usefixtures("dynamo")
def test_readyz_is_degraded_while_results_wait_in_the_outbox(client, settings, tmp_path):
    from booker import outbox

    settings.BOOKER_OUTBOX_PATH = tmp_path / "outbox.sqlite3"
    outbox.put(outbox.PendingWrite("r1", "u1", "w", "completed", "", None, {}))
    with _redis_ok():
        response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["outbox_waiting"] == 1


def _redis_ok():
    """Unit tests have no Redis; the integration tests check the real one."""
    from unittest import mock

    return mock.patch.dict(health.CHECKS, {"redis": lambda: None})


@pytest.mark.django_db
@pytest.mark.usefixtures("dynamo")
def test_readyz_names_an_unreadable_outbox_with_503_not_500(client, settings, tmp_path):
    garbage = tmp_path / "outbox.sqlite3"
    garbage.write_bytes(b"this is not a database" * 100)
    settings.BOOKER_OUTBOX_PATH = garbage
    with _redis_ok():
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["down"] == ["outbox"]
    assert str(garbage) in body["checks"]["outbox"]["error"]
    assert body["outbox_waiting"] is None


@pytest.mark.django_db
@pytest.mark.usefixtures("dynamo")
def test_readyz_names_a_check_that_raises(client, monkeypatch):
    def broken():
        raise RuntimeError("connection pool exhausted")

    monkeypatch.setitem(health.CHECKS, "redis", lambda: None)
    monkeypatch.setitem(health.CHECKS, "database", broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["down"] == ["database"]
    assert response.json()["checks"]["database"]["error"] == "connection pool exhausted"


def test_readyz_answers_503_naming_the_failure_even_if_readiness_itself_breaks(client, monkeypatch):
    def broken():
        raise KeyError("status")

    monkeypatch.setattr(health, "readiness", broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "down": ["readiness"],
        "error": "'status'",
    }


# --- /metrics: loopback or token ------------------------------------------------------


def test_metrics_are_served_to_loopback(client):
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 200
    assert b"tennisbook_booking_outcomes_total" in response.content
    assert client.get("/metrics", REMOTE_ADDR="::1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="::ffff:127.0.0.1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="").status_code == 403


def test_metrics_are_served_to_loopback_or_with_the_token(client, settings):
    settings.METRICS_TOKEN = "s3cret-token"
    remote = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
    assert (
        client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token", **remote).status_code
        == 200
    )
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong", **remote).status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer sécret", **remote).status_code == 403
    assert client.get("/metrics", **remote).status_code == 403


def test_behind_a_proxy_loopback_is_the_forwarded_client_not_the_proxy(client, settings):
    settings.CLIENT_IP_META_KEY = "HTTP_X_FORWARDED_FOR"
    via_proxy = {"REMOTE_ADDR": "127.0.0.1"}
    outsider = client.get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.9", **via_proxy)
    # A forged first entry does not help: the proxy appends the real address.
    forged = client.get("/metrics", HTTP_X_FORWARDED_FOR="127.0.0.1, 203.0.113.9", **via_proxy)
    local = client.get("/metrics", HTTP_X_FORWARDED_FOR="127.0.0.1", **via_proxy)
    assert outsider.status_code == 403
    assert forged.status_code == 403
    assert local.status_code == 200
