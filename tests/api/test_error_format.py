"""One error format for every API failure, and the protections around it."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.api.fixtures import PASSWORDS

pytestmark = pytest.mark.django_db


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["message"]
    if code:
        assert body["error"]["code"] == code
    return body["error"]


def test_an_unknown_api_path_answers_404_in_the_error_format(anon):
    assert_error(anon.get("/api/no/such/thing"), 404, "not_found")


def test_a_validation_error_names_every_field(anon):
    error = assert_error(anon.post("/api/auth/register", {}, format="json"), 400, "invalid")

    assert {"username", "email", "password"} <= set(error["fields"])


def test_malformed_json_answers_400(anon):
    response = anon.post("/api/auth/login", "{not json", content_type="application/json")

    assert_error(response, 400, "parse_error")


def test_an_unsupported_method_answers_405(as_member):
    assert_error(as_member.delete("/api/auth/profile"), 405, "method_not_allowed")


def test_anonymous_answers_401_with_a_bearer_challenge(anon):
    response = anon.get("/api/auth/profile")

    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_member_is_refused_an_operators_endpoint_with_403(as_member):
    assert_error(as_member.post("/api/system/config", {}, format="json"), 403, "permission_denied")


def test_drf_throttles_answer_429_with_retry_after(as_member, settings):
    from rest_framework.throttling import UserRateThrottle

    original = UserRateThrottle.THROTTLE_RATES
    UserRateThrottle.THROTTLE_RATES = original | {"user": "2/min"}
    try:
        as_member.get("/api/auth/profile")
        as_member.get("/api/auth/profile")
        response = as_member.get("/api/auth/profile")
    finally:
        UserRateThrottle.THROTTLE_RATES = original

    assert_error(response, 429, "throttled")
    assert int(response["Retry-After"]) >= 1


def test_session_writes_need_the_csrf_token(member):
    client = APIClient(enforce_csrf_checks=True)
    client.login(username="alice", password=PASSWORDS["alice"])

    response = client.patch("/api/auth/profile", {"first_name": "A"}, format="json")

    assert_error(response, 403, "permission_denied")
    assert "CSRF" in response.json()["error"]["message"]


def test_session_reads_work_without_a_token(member):
    client = APIClient(enforce_csrf_checks=True)
    client.login(username="alice", password=PASSWORDS["alice"])

    assert client.get("/api/auth/profile").status_code == 200


def test_cors_allows_only_the_configured_origins(anon, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.test"]

    allowed = anon.options(
        "/api/auth/login",
        HTTP_ORIGIN="https://app.example.test",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )
    refused = anon.options(
        "/api/auth/login",
        HTTP_ORIGIN="https://evil.example.test",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )

    assert allowed["Access-Control-Allow-Origin"] == "https://app.example.test"
    assert "Access-Control-Allow-Origin" not in refused


def test_swagger_ui_and_the_schema_are_served(anon):
    assert anon.get("/api/docs/").status_code == 200
    schema = anon.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200


def test_the_browsable_api_renders(as_member):
    response = as_member.get("/api/auth/profile", HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert b"<html" in response.content.lower()
