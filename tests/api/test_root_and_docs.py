"""``/api/`` lists the endpoints; the documentation pages load nothing from elsewhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db

SIDECAR = "/static/drf_spectacular_sidecar/"


def test_the_api_root_links_every_endpoint_without_parameters(anon):
    response = anon.get("/api/")

    assert response.status_code == 200
    links = response.json()
    for route in ("auth/login", "auth/refresh", "users/me/config", "bookings", "docs/"):
        assert links[route] == f"http://testserver/api/{route}"
    assert not any("<" in route or "^" in route for route in links)


def test_the_api_root_is_the_browsable_api_in_a_browser(anon):
    response = anon.get("/api/", HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b"tennisbook API" in response.content
    assert b'href="http://testserver/api/bookings"' in response.content


def test_the_api_root_is_not_an_operation_of_the_schema(anon):
    schema = anon.get("/api/schema/", {"format": "json"}).json()

    assert "/api/" not in schema["paths"]


@pytest.mark.parametrize("page", ["/api/docs/", "/api/redoc/"])
def test_the_documentation_pages_load_only_this_sites_files(anon, page):
    html = anon.get(page).content.decode()

    assert SIDECAR in html
    external = re.findall(r"""(?:src|href)=["']((?:https?:)?//[^"']+)""", html)
    assert external == []


def test_redoc_may_not_fetch_images_from_elsewhere(anon):
    assert anon.get("/api/redoc/")["Content-Security-Policy"] == "img-src 'self' data:"


@pytest.mark.parametrize(
    "asset",
    [
        "swagger-ui-dist/swagger-ui-bundle.js",
        "swagger-ui-dist/swagger-ui.css",
        "redoc/bundles/redoc.standalone.js",
    ],
)
def test_make_run_serves_the_documentation_assets_itself(asset):
    # make run has DEBUG on: whitenoise serves the installed packages' static files.
    with override_settings(DEBUG=True):
        response = Client().get(SIDECAR + asset)

    assert response.status_code == 200
    shipped = Path(finders.find(f"drf_spectacular_sidecar/{asset}")).read_bytes()
    assert b"".join(response.streaming_content) == shipped
