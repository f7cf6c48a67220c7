"""/healthz answers; /readyz names what is down."""

import socket

import pytest

from tennisbook import health


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_healthz_answers_without_touching_dependencies(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["X-Request-ID"]


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
