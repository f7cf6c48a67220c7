"""``/sw.js`` and ``/offline``: the service worker as the site serves it, and its fallback page.

The worker's behaviour in a browser is tests/pages/test_offline.py's.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings

from tennisbook import offline

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def manifest_of(body: str) -> dict:
    found = re.search(r"const MANIFEST = (\{.*?\});\n", body)
    assert found, body[:400]
    return json.loads(found.group(1))


def test_the_worker_is_served_at_the_root_never_cached(client):
    response = client.get("/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Cache-Control"] == "no-cache"
    assert response["Service-Worker-Allowed"] == "/"


def test_the_push_handler_is_imported_first_and_a_missing_one_is_survived(client):
    body = client.get("/sw.js").content.decode()
    code = [line for line in body.splitlines() if line and not line.startswith(("//", "/*"))]

    assert code[:2] == ["try {", '  importScripts("/static/js/sw-push.js");']
    assert code[2].startswith("} catch")


def test_the_manifest_lists_the_shell_the_pages_link(client):
    shell = set(manifest_of(client.get("/sw.js").content.decode())["shell"])

    modules = {f"/static/js/{p.name}" for p in (ROOT / "static" / "js").glob("*.js")}
    assert modules - {"/static/js/sw-push.js"} <= shell
    assert "/static/js/sw-push.js" not in shell
    assert {"/offline", "/static/css/site.css", "/static/favicon.svg"} <= shell
    assert "/static/vendor/htmx/htmx.min.js" in shell


@pytest.mark.parametrize(
    ("path", "saved"),
    [
        ("/", True),
        ("/book/", True),
        ("/bookings/history", True),
        ("/calendar/", True),
        ("/bookings/3f2c1f9e-8d5b-4a51-9c3e-0b6f1d2a7e41/", True),
        ("/api/bookings", False),
        ("/bookings/3f2c1f9e-8d5b-4a51-9c3e-0b6f1d2a7e41/evidence/screenshot", False),
        ("/bookings/3f2c1f9e-8d5b-4a51-9c3e-0b6f1d2a7e41/edit", False),
        ("/calendar/some-token.ics", False),
        ("/bookings/history.ics", False),
        ("/admin/", False),
        ("/accounts/", False),
        ("/bookings/not-an-id/", False),
    ],
)
def test_only_the_members_pages_are_saved(client, path, saved):
    patterns = manifest_of(client.get("/sw.js").content.decode())["pages"]

    # The worker reads them with JavaScript's RegExp; these have the same meaning in Python.
    assert any(re.search(pattern, path) for pattern in patterns) is saved


def test_the_version_follows_the_files_behind_the_shell(settings, tmp_path):
    sources = tmp_path / "static"
    shutil.copytree(ROOT / "static", sources)
    settings.STATICFILES_DIRS = [sources]
    settings.STATIC_ROOT = tmp_path / "collected"  # nothing collected: the sources are served

    before = offline.manifest()["version"]
    assert offline.manifest()["version"] == before
    (sources / "js" / "common.js").write_text("// changed\n")

    assert offline.manifest()["version"] != before


def test_the_offline_page_names_no_one(client, member):
    client.force_login(member)

    response = client.get("/offline")

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-cache"
    text = response.content.decode()
    assert "You are offline" in text
    assert member.username not in text
    assert str(member.pk) not in text
    assert "csrfmiddlewaretoken" not in text


def test_a_member_page_names_its_member_for_the_worker(client, member, dynamo):
    client.force_login(member)

    assert (
        f'<meta name="tennisbook-member" content="{member.pk}">'
        in client.get("/book/").content.decode()
    )
    client.logout()
    assert '<meta name="tennisbook-member" content="">' in client.get("/").content.decode()


def test_the_static_prefix_is_the_sites(client):
    assert manifest_of(client.get("/sw.js").content.decode())["static"] == settings.STATIC_URL
