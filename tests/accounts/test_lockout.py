"""Login lockout: per account and per address, 429 with Retry-After, cooling
off by itself; unknown and existing usernames are told the same."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from rest_framework.test import APIClient

from tests.api.fixtures import login

pytestmark = pytest.mark.django_db

LIMIT = 3
# The address limits count in fixed windows: requests that straddle a
# window's end are counted again from zero. Day-long windows make that about
# a hundred-thousandth of a chance, where a minute's was one run in a hundred.
DAY = 24 * 60 * 60


@pytest.fixture(autouse=True)
def lockout_settings(settings):
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    return settings


def attempt(username: str, password: str = "wrong-password", address: str = "10.0.0.1"):
    return APIClient(REMOTE_ADDR=address).post(
        "/api/auth/login", {"username": username, "password": password}, format="json"
    )


def fail(username: str, times: int = LIMIT, address: str = "10.0.0.1") -> list[int]:
    return [attempt(username, address=address).status_code for _ in range(times)]


def let_time_pass(delta: timedelta) -> None:
    """Move every recorded login attempt ``delta`` into the past, as waiting would.

    Both locks by account (axes' and ours) count from the attempts' recorded
    times. Sleeping through a short cool-off instead made the outcome depend
    on how busy the machine was: a slow request could outlast the lock.
    """
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - delta)


def test_the_first_n_failures_answer_401(member):
    assert fail("alice") == [401] * LIMIT


def test_after_n_failures_even_the_right_password_answers_429_with_retry_after(member):
    fail("alice")

    response = attempt("alice", "alice-password-1")

    assert response.status_code == 429
    error = response.json()["error"]
    assert error["code"] == "account_locked"
    assert "locked" in error["message"]
    assert "15 minutes" in error["message"]
    assert 14 * 60 < int(response["Retry-After"]) <= 15 * 60


def test_the_lock_holds_from_another_address(member):
    fail("alice", address="10.0.0.1")

    assert attempt("alice", "alice-password-1", address="10.9.9.9").status_code == 429


def test_the_lock_cools_off_by_itself(member):
    fail("alice")
    assert attempt("alice", "alice-password-1").status_code == 429
    let_time_pass(timedelta(minutes=14))
    assert attempt("alice", "alice-password-1").status_code == 429  # not before its time

    let_time_pass(timedelta(minutes=2))

    assert attempt("alice", "alice-password-1").status_code == 200


def test_attempts_while_locked_do_not_extend_the_lock(member):
    fail("alice")
    let_time_pass(timedelta(minutes=10))
    assert fail("alice", times=5) == [429] * 5

    let_time_pass(timedelta(minutes=6))  # the failures 16 min ago, the locked tries 6

    assert attempt("alice", "alice-password-1").status_code == 200


def test_a_success_resets_the_count(member):
    fail("alice", times=LIMIT - 1)
    assert attempt("alice", "alice-password-1").status_code == 200

    assert fail("alice", times=LIMIT - 1) == [401] * (LIMIT - 1)
    assert attempt("alice", "alice-password-1").status_code == 200


def test_unknown_and_existing_usernames_get_the_same_answers(member):
    existing = [attempt("alice") for _ in range(LIMIT + 1)]
    unknown = [attempt("nobody-here") for _ in range(LIMIT + 1)]

    for known, stranger in zip(existing, unknown, strict=True):
        assert known.status_code == stranger.status_code
        assert known.json() == stranger.json()
    assert existing[-1].status_code == 429


def test_other_accounts_are_not_locked_by_one_members_lock(member, other_member):
    fail("alice", address="10.0.0.1")

    assert attempt("bob", "bob-password-1", address="10.0.0.2").status_code == 200


def test_one_address_is_locked_after_too_many_failures_across_accounts(member, settings):
    settings.AXES_FAILURE_LIMIT = 100
    settings.LOGIN_IP_FAILURES = 4
    settings.LOGIN_IP_WINDOW_SECONDS = DAY
    for name in ("u1", "u2", "u3", "u4"):
        assert attempt(name, address="10.1.1.1").status_code == 401

    blocked = attempt("alice", "alice-password-1", address="10.1.1.1")
    elsewhere = attempt("alice", "alice-password-1", address="10.2.2.2")

    assert blocked.status_code == 429
    assert blocked.json()["error"]["code"] == "address_locked"
    assert int(blocked["Retry-After"]) >= 1
    assert elsewhere.status_code == 200


def test_the_login_endpoint_is_rate_limited_with_429_not_403(member, settings):
    settings.AUTH_RATE_LIMITS = settings.AUTH_RATE_LIMITS | {"login": "2/d"}
    login("alice")
    login("alice")

    response = attempt("alice", "alice-password-1", address="127.0.0.1")

    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
    assert int(response["Retry-After"]) >= 1


def test_registration_is_rate_limited_per_address(db, settings):
    settings.AUTH_RATE_LIMITS = settings.AUTH_RATE_LIMITS | {"register": "1/d"}
    client = APIClient()
    body = {"username": "eve1", "email": "e1@example.test", "password": "long-enough-pass-1"}
    assert client.post("/api/auth/register", body, format="json").status_code == 201

    again = client.post(
        "/api/auth/register",
        body | {"username": "eve2", "email": "e2@example.test"},
        format="json",
    )

    assert again.status_code == 429
    assert "Retry-After" in again
