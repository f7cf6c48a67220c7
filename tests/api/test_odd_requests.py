"""Odd requests answer the one error format, as JSON, whatever the client sent.

Wrong content type, malformed or oversized bodies, too many fields, a wrong
method or address, a browser's ``Accept: text/html``, ``DEBUG=True``: each
answers ``{"error": {"code", "message", "fields"}}`` with
``application/json``, never an HTML page or a 500.
"""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

REFRESH = "/api/auth/refresh"
FORM = "application/x-www-form-urlencoded"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json", response.content[:200]
    body = response.json()
    assert set(body) == {"error"}
    assert {"code", "message", "fields"} <= set(body["error"])
    assert body["error"]["message"]
    if code:
        assert body["error"]["code"] == code
    return body["error"]


def test_a_refresh_posted_as_an_empty_form_names_the_missing_field(anon):
    error = assert_error(anon.post(REFRESH, content_type=FORM), 400, "invalid")

    assert error["fields"] == {"refresh": ["This field is required."]}


def test_a_browser_posting_an_empty_form_gets_json_too(anon):
    response = anon.post(REFRESH, content_type=FORM, HTTP_ACCEPT=BROWSER)

    assert_error(response, 400, "invalid")


def test_a_browser_refused_for_want_of_login_gets_json(anon):
    assert_error(anon.get("/api/bookings", HTTP_ACCEPT=BROWSER), 401, "not_authenticated")


def test_a_wrong_content_type_answers_415(anon):
    response = anon.post(REFRESH, "refresh=x", content_type="text/plain")

    assert_error(response, 415, "unsupported_media_type")


@pytest.mark.parametrize("body", ["{not json", '{"refresh": "x"', b'{"refresh": "\xff"}'])
def test_malformed_json_answers_400(anon, body):
    response = anon.post(REFRESH, body, content_type="application/json")

    assert_error(response, 400, "parse_error")


@pytest.mark.parametrize("body", ["[1, 2]", "null", '"a string"', "42"])
def test_json_that_is_not_an_object_answers_400(anon, body):
    response = anon.post("/api/auth/login", body, content_type="application/json")

    assert_error(response, 400, "invalid")


def test_a_body_over_the_upload_limit_answers_413(anon, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = '{"refresh": "' + "a" * 2000 + '"}'

    error = assert_error(anon.post(REFRESH, body, content_type="application/json"), 413)

    assert error["code"] == "request_too_large"
    assert error["message"] == "The request body is larger than the 1000 bytes this API accepts."


def test_a_default_sized_huge_body_answers_413_not_500(anon):
    body = '{"refresh": "' + "a" * 3_000_000 + '"}'

    assert_error(anon.post(REFRESH, body, content_type="application/json"), 413)


def test_a_form_with_too_many_fields_answers_400(anon):
    body = "&".join(f"f{i}=1" for i in range(1200))

    error = assert_error(anon.post("/api/auth/login", body, content_type=FORM), 400)

    assert "1000 fields" in error["message"]


def test_a_multipart_body_without_a_boundary_answers_400(anon):
    response = anon.generic("POST", REFRESH, b"x", content_type="multipart/form-data")

    assert_error(response, 400, "parse_error")


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_a_method_the_endpoint_does_not_take_answers_405(anon, method):
    response = getattr(anon, method)(REFRESH)

    assert_error(response, 405, "method_not_allowed")


def test_an_accept_header_no_renderer_satisfies_answers_406(as_member):
    response = as_member.get("/api/auth/profile", HTTP_ACCEPT="application/xml")

    assert_error(response, 406, "not_acceptable")


def test_an_unknown_schema_format_answers_json_not_yaml(anon):
    assert_error(anon.get("/api/schema/", {"format": "nope"}), 404, "not_found")


# --- addresses -------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/no/such/thing", "/api/auth/token/refresh/", "/api/%ff"])
def test_an_unknown_api_path_answers_the_json_404(anon, path):
    assert_error(anon.get(path), 404, "not_found")


@pytest.mark.parametrize("accept", ["application/json", BROWSER])
def test_an_unknown_api_path_answers_json_even_with_debug(accept):
    with override_settings(DEBUG=True):
        response = Client().get("/api/no/such/thing", HTTP_ACCEPT=accept)

    assert_error(response, 404, "not_found")


def test_a_trailing_slash_too_many_is_named(anon):
    error = assert_error(anon.post("/api/auth/refresh/", content_type=FORM), 404, "not_found")

    assert "did you mean /api/auth/refresh?" in error["message"]


def test_a_get_missing_only_its_trailing_slash_is_redirected(anon):
    response = anon.get("/api/docs", {"lang": "en"})

    assert response.status_code == 301
    assert response["Location"] == "/api/docs/?lang=en"


def test_a_post_to_an_unknown_path_is_told_so_not_refused_for_csrf(member):
    client = APIClient(enforce_csrf_checks=True)
    client.login(username="alice", password="alice-password-1")

    assert_error(client.post("/api/no/such/thing", {"a": "1"}), 404, "not_found")
