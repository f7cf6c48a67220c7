"""``/api/users/me/clubs/<club>/login-check``: a member tests their saved portal login.

Through the real URLs with the test client. The engine's login is replaced
by a stub result (``engine_says``); the task itself runs, eagerly, as the
test settings run every task. tests/integration/test_login_check_live.py
does the same against the real stack and portal.
"""

# ruff: noqa: F811

from __future__ import annotations

import pytest

from booker import login_check, prepare, tasks
from booker.results import BookingResult, Outcome
from configs.views import LoginCheckThrottle
from tests.api.fixtures import _fresh_limits, anon, as_member, as_other_member  # noqa: F401
from tests.factories import CLUB

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dynamo")]

URL = f"/api/users/me/clubs/{CLUB}/login-check"


@pytest.fixture
def alice(as_member):
    """alice, with portal credentials saved at the default club."""
    answer = as_member.post(
        "/api/users/me/config",
        {"portal_username": "101", "portal_password": "portal-pass"},
        format="json",
    )
    assert answer.status_code == 201, answer.content
    return as_member


@pytest.fixture
def engine_says(monkeypatch):
    def set_outcome(outcome: Outcome) -> None:
        def fake_check_login(engine, credentials, *, run_id=""):
            return BookingResult(outcome)

        monkeypatch.setattr(prepare, "check_login", fake_check_login)

    return set_outcome


@pytest.fixture
def never_run(monkeypatch):
    """The task is enqueued but never runs (no worker): the check stays running."""

    class Queue:
        def __init__(self):
            self.sent = []

        def apply_async(self, args, **options):
            self.sent.append(args)

    queue = Queue()
    monkeypatch.setattr(tasks, "check_login", queue)
    return queue


def test_a_check_is_accepted_with_202_and_its_outcome_read_back(alice, engine_says):
    engine_says(Outcome.LOGIN_FAILED)

    started = alice.post(URL)

    assert started.status_code == 202, started.content
    body = started.json()
    assert set(body) == {"id", "state", "message", "started_at", "finished_at"}
    assert body["state"] == "running"
    read = alice.get(URL)
    assert read.status_code == 200
    assert read.json()["id"] == body["id"]
    assert read.json()["state"] == "wrong_password"
    assert read.json()["message"] == login_check.REFUSED
    assert read.json()["finished_at"] is not None


def test_an_accepted_login_reads_ok(alice, engine_says):
    engine_says(Outcome.DRY_RUN)

    alice.post(URL)

    assert alice.get(URL).json()["state"] == "ok"


def test_a_check_while_one_runs_answers_the_running_one(alice, never_run):
    first = alice.post(URL).json()
    second = alice.post(URL)

    assert second.status_code == 202
    assert second.json() == first
    assert len(never_run.sent) == 1
    assert alice.get(URL).json() == first


def test_a_member_without_saved_credentials_is_told_which_field_is_missing(as_member, never_run):
    answer = as_member.post(URL)

    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "invalid"
    assert list(error["fields"]) == ["portal_credentials"]
    assert never_run.sent == []


def test_no_check_yet_answers_404_in_the_api_format(alice):
    answer = alice.get(URL)

    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_unknown_club_answers_404(alice, method):
    answer = getattr(alice, method)("/api/users/me/clubs/atlantis/login-check")

    assert answer.status_code == 404
    assert answer.json()["error"]["message"] == "There is no such club."


def test_another_member_never_sees_alices_check(alice, as_other_member, never_run):
    alice.post(URL)

    assert as_other_member.get(URL).status_code == 404


@pytest.mark.parametrize("method", ["get", "post"])
def test_nobody_logged_in_is_refused_with_401(anon, method):
    answer = getattr(anon, method)(URL)

    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "not_authenticated"


def test_checks_are_throttled_per_member_with_429(alice, never_run, monkeypatch):
    # DRF reads the rates once, at import: the test's rate goes on the class.
    monkeypatch.setattr(LoginCheckThrottle, "THROTTLE_RATES", {"login_check": "2/min"})

    answers = [alice.post(URL) for _ in range(3)]

    assert [a.status_code for a in answers] == [202, 202, 429]
    assert int(answers[-1]["Retry-After"]) > 0
    assert answers[-1].json()["error"]["code"] == "throttled"
    assert alice.get(URL).status_code == 200  # reading is not limited by it


def test_without_a_rate_of_its_own_in_the_settings_the_throttle_allows_five_a_minute():
    assert LoginCheckThrottle().rate == "5/min"


def test_the_schema_documents_both_methods_and_their_errors(anon):
    schema = anon.get("/api/schema/", {"format": "json"}).json()
    path = schema["paths"]["/api/users/me/clubs/{club}/login-check"]

    assert set(path["post"]["responses"]) >= {"202", "400", "401", "404", "429", "503"}
    assert set(path["get"]["responses"]) >= {"200", "401", "404", "429", "503"}
    check = schema["components"]["schemas"]["LoginCheck"]
    assert set(check["properties"]) == {"id", "state", "message", "started_at", "finished_at"}
