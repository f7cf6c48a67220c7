"""Every object endpoint, tried by a foreign member and by nobody at all."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dynamo")]

CREDENTIALS = {"portal_username": "101", "portal_password": "pw-alice-1"}

# (method, path template, body) for every endpoint that reads or writes a
# member's own data; {owner} is alice's id.
OBJECT_ENDPOINTS = [
    ("get", "/api/users/{owner}/config", None),
    ("post", "/api/users/{owner}/config", {"portal_username": "666"}),
    ("delete", "/api/users/{owner}/config", None),
]

PROTECTED_ENDPOINTS = [
    *OBJECT_ENDPOINTS,
    ("get", "/api/users/me/config", None),
    ("post", "/api/users/me/config", CREDENTIALS),
    ("delete", "/api/users/me/config", None),
    ("get", "/api/auth/profile", None),
    ("patch", "/api/auth/profile", {"first_name": "X"}),
    ("post", "/api/auth/password/change", {"old_password": "a", "new_password": "b"}),
    ("get", "/api/system/config", None),
    ("post", "/api/system/config", {"key": "feature_flags", "value": {}}),
    ("get", "/api/bookings", None),
    ("post", "/api/bookings", {"court_id": 5, "date": "2030-01-01", "time_slot": "x"}),
    ("get", "/api/bookings/stats", None),
    ("get", "/api/bookings/export.csv", None),
    ("get", "/api/bookings/calendar.ics", None),
    ("get", "/api/bookings/00000000-0000-0000-0000-000000000000", None),
    ("delete", "/api/bookings/00000000-0000-0000-0000-000000000000", None),
    ("put", "/api/bookings/00000000-0000-0000-0000-000000000000/status", {"status": "cancelled"}),
    ("get", "/api/series", None),
    ("post", "/api/series", {"name": "x"}),
    ("get", "/api/series/00000000-0000-0000-0000-000000000000", None),
    ("post", "/api/series/00000000-0000-0000-0000-000000000000/pause", None),
    ("post", "/api/series/00000000-0000-0000-0000-000000000000/end", None),
]


@pytest.fixture
def alices_config(as_member):
    assert as_member.post("/api/users/me/config", CREDENTIALS, format="json").status_code == 201
    return as_member


@pytest.mark.parametrize(("method", "path", "body"), OBJECT_ENDPOINTS)
def test_another_member_is_refused(alices_config, as_other_member, member, method, path, body):
    response = getattr(as_other_member, method)(path.format(owner=member.pk), body, format="json")

    assert response.status_code in (403, 404)
    assert alices_config.get("/api/users/me/config").json()["portal_username"] == "101"


@pytest.mark.parametrize(("method", "path", "body"), PROTECTED_ENDPOINTS)
def test_anonymous_is_refused_with_401(anon, member, method, path, body):
    response = getattr(anon, method)(path.format(owner=member.pk), body, format="json")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
