"""``/api/series``: a member's recurring series, through the API."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from bookings import series as series_service
from tests.factories import EIGHT, SEVEN, in_days

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dynamo")]


@pytest.fixture
def configured(as_member, member, portal_member):
    portal_member(str(member.pk))
    return as_member


def body(**fields):
    return {
        "name": "Saturdays",
        "court_id": 5,
        "time_slot": SEVEN,
        "weekdays": [5],
        "ends_on": in_days(60),
    } | fields


def test_a_member_starts_a_series_and_reads_its_dates_to_come(configured):
    answer = configured.post("/api/series", body(skipped=[]), format="json")
    assert answer.status_code == 201, answer.content
    created = answer.json()
    assert (created["state"], created["version"], created["weekdays"]) == ("active", 1, [5])
    assert created["upcoming"]
    first = created["upcoming"][0]
    assert first["create_at"] <= first["release_at"]
    listed = configured.get("/api/series").json()
    assert [s["id"] for s in listed] == [created["id"]]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"weekdays": []}, "weekdays"),
        ({"weekdays": [8]}, "weekdays"),
        ({"ends_on": "2026-02-30"}, "ends_on"),
        ({"court_id": 99}, "court_id"),
        ({"club": "nowhere"}, "club"),
    ],
)
def test_a_bad_series_answers_400_naming_the_field(configured, fields, field):
    answer = configured.post("/api/series", body(**fields), format="json")
    assert answer.status_code == 400, answer.content
    assert any(name.startswith(field) for name in answer.json()["error"]["fields"])


def test_pause_skip_resume_and_end(configured):
    created = configured.post("/api/series", body(), format="json").json()
    base = f"/api/series/{created['id']}"
    assert configured.post(f"{base}/pause").json()["state"] == "paused"
    assert configured.post(f"{base}/resume").json()["state"] == "active"
    day = created["upcoming"][1]["date"]
    skipped = configured.post(f"{base}/skip", {"date": day}, format="json").json()
    assert day in skipped["skipped"]
    assert day not in [u["date"] for u in skipped["upcoming"]]
    sunday = (date.fromisoformat(day) + timedelta(days=1)).isoformat()
    wrong = configured.post(f"{base}/skip", {"date": sunday}, format="json")
    assert wrong.status_code == 400
    assert "not a date of this series" in wrong.json()["error"]["message"]
    ended = configured.post(f"{base}/end", {"cancel_pending": True}, format="json").json()
    assert (ended["state"], ended["upcoming"]) == ("ended", [])
    assert configured.post(f"{base}/pause").status_code == 400


def test_an_edit_names_its_version_and_a_stale_one_answers_409(configured):
    created = configured.post("/api/series", body(), format="json").json()
    path = f"/api/series/{created['id']}"
    edited = configured.put(path, body(time_slot=EIGHT, version=1), format="json")
    assert edited.status_code == 200, edited.content
    assert (edited.json()["time_slot"], edited.json()["version"]) == (EIGHT, 2)
    assert edited.json()["problems"] == []
    stale = configured.put(path, body(version=1), format="json")
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "stale_series"


def test_the_dates_made_show_their_requests(configured, member):
    created = configured.post("/api/series", body(weekdays=list(range(7))), format="json").json()
    series = series_service.own_series(member, created["id"])
    series_service.plan(timezone.now() + timedelta(minutes=1))
    shown = configured.get(f"/api/series/{created['id']}").json()
    made = [o for o in shown["occurrences"] if o["state"] == "created"]
    assert made
    assert all(o["request_status"] == "pending" for o in made)
    one = configured.get(f"/api/bookings/{made[0]['request_id']}").json()
    assert one["date"] == made[0]["date"]
    assert series.pk


def test_another_members_series_answers_404(configured, as_other_member):
    created = configured.post("/api/series", body(), format="json").json()
    for method, suffix in [("get", ""), ("put", ""), ("post", "/pause"), ("post", "/end")]:
        answer = getattr(as_other_member, method)(
            f"/api/series/{created['id']}{suffix}", body(version=1), format="json"
        )
        assert answer.status_code == 404, (method, suffix)
    assert configured.get(f"/api/series/{created['id']}").json()["state"] == "active"
