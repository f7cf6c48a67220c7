"""A member's "Test my login": the service's states, its task, and the engine's login alone.

The service's tests replace the task's enqueue (``queued``) or the engine's
login (``engine_says``) and nothing else: the cache, DynamoDB, KMS and the
audited decryption are the real (in-process) ones. The last tests run
``prepare.check_login`` against both real demo portals in Chromium; the
whole stack does it in tests/integration/test_login_check_live.py.
"""

from __future__ import annotations

import logging
import socket
from datetime import timedelta

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.cache import cache

from booker import login_check, prepare, tasks
from booker.engine import BookingEngine, BrowserPool, Credentials, EngineSettings
from booker.login_check import CheckState
from booker.results import BookingResult, Outcome
from configs import services as config_services
from tennisbook.values import InvalidValue
from tests.factories import CLUB

ACTOR = "user:alice"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def alice(portal_member) -> str:
    """A member whose portal credentials (alice / portal-pass) are saved at the club."""
    return portal_member("alice")


class _Queue:
    """Stands in for ``tasks.check_login``: records what would have been enqueued."""

    def __init__(self) -> None:
        self.sent: list[dict] = []

    def apply_async(self, args, **options) -> None:
        self.sent.append({"args": args, **options})


@pytest.fixture
def queued(monkeypatch) -> _Queue:
    queue = _Queue()
    monkeypatch.setattr(tasks, "check_login", queue)
    return queue


@pytest.fixture
def engine_says(monkeypatch):
    """Make the engine's login return ``result`` (or raise it); records its calls."""
    calls = []

    def set_result(result):
        def fake_check_login(engine, credentials, *, run_id=""):
            calls.append((engine, credentials, run_id))
            if isinstance(result, BaseException):
                raise result
            return result

        monkeypatch.setattr(prepare, "check_login", fake_check_login)
        return calls

    return set_result


@pytest.fixture
def clock(monkeypatch):
    """Move the service's clock: ``clock(seconds)`` puts it that far ahead of now."""
    real_now = login_check._now

    def ahead(seconds: float) -> None:
        moment = real_now() + timedelta(seconds=seconds)
        monkeypatch.setattr(login_check, "_now", lambda: moment)

    return ahead


def _start_and_run(alice: str) -> login_check.LoginCheck:
    check = login_check.start(alice, CLUB, actor=ACTOR)
    return login_check.run(check.id, alice, CLUB, actor=ACTOR)


# --- starting and reading --------------------------------------------------------


@pytest.mark.django_db
def test_it_refuses_a_member_without_credentials_naming_the_field(dynamo, queued):
    with pytest.raises(InvalidValue) as refused:
        login_check.start("nobody-id", CLUB, actor=ACTOR)

    assert refused.value.field == "portal_credentials"
    assert queued.sent == []
    assert login_check.read("nobody-id", CLUB) is None


@pytest.mark.django_db
def test_a_started_check_reads_running_until_its_task_reports(alice, queued):
    check = login_check.start(alice, CLUB, actor=ACTOR)

    assert check.state == CheckState.RUNNING
    assert check.finished_at is None
    assert login_check.read(alice, CLUB) == check
    assert check.as_dict() == {
        "id": check.id,
        "state": "running",
        "message": login_check.LOGGING_IN,
        "started_at": check.started_at.isoformat(),
        "finished_at": None,
    }
    [sent] = queued.sent
    assert sent["args"] == [check.id, alice, CLUB, ACTOR]
    assert sent["expires"] == login_check.EXPIRES_S
    assert login_check.read(alice, "riverside") is None  # per club


@pytest.mark.django_db
def test_a_second_start_while_one_runs_returns_it_instead_of_a_second_login(alice, queued):
    first = login_check.start(alice, CLUB, actor=ACTOR)
    again = login_check.start(alice, CLUB, actor=ACTOR)

    assert again.id == first.id
    assert len(queued.sent) == 1


@pytest.mark.django_db
def test_a_check_running_longer_than_the_dedupe_window_is_replaced(alice, queued, clock):
    first = login_check.start(alice, CLUB, actor=ACTOR)
    clock(login_check.DEDUPE_S + 1)

    second = login_check.start(alice, CLUB, actor=ACTOR)

    assert second.id != first.id
    assert [sent["args"][0] for sent in queued.sent] == [first.id, second.id]
    assert login_check.read(alice, CLUB).id == second.id


@pytest.mark.django_db
def test_a_finished_check_lets_the_next_click_start_a_new_one_at_once(alice, queued, engine_says):
    engine_says(BookingResult(Outcome.DRY_RUN))
    first = login_check.start(alice, CLUB, actor=ACTOR)
    login_check.run(first.id, alice, CLUB, actor=ACTOR)

    second = login_check.start(alice, CLUB, actor=ACTOR)

    assert second.id != first.id
    assert second.state == CheckState.RUNNING
    assert len(queued.sent) == 2


@pytest.mark.django_db
def test_a_check_whose_task_was_lost_reads_failed_after_the_hard_limit(alice, queued, clock):
    check = login_check.start(alice, CLUB, actor=ACTOR)
    clock(login_check.HARD_LIMIT_S - 1)
    assert login_check.read(alice, CLUB).state == CheckState.RUNNING

    clock(login_check.HARD_LIMIT_S + 1)
    lost = login_check.read(alice, CLUB)

    assert lost.state == CheckState.FAILED
    assert lost.message == login_check.TOO_LONG
    assert lost.finished_at == check.started_at + timedelta(seconds=login_check.HARD_LIMIT_S)


# --- the task's work -----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("result", "state", "message"),
    [
        (BookingResult(Outcome.DRY_RUN), "ok", login_check.ACCEPTED),
        (
            BookingResult(Outcome.LOGIN_FAILED, message="Usuario o contraseña incorrectos"),
            "wrong_password",
            login_check.REFUSED,
        ),
        (
            BookingResult(Outcome.PORTAL_ERROR, detail="net::ERR_CONNECTION_REFUSED"),
            "unreachable",
            login_check.NO_ANSWER,
        ),
        (
            BookingResult(
                Outcome.ERROR,
                detail="PageError: element not found: '#login_box input'",
                timings=[{"step": "launch", "ms": 300.0}, {"step": "login", "ms": 15000.0}],
            ),
            "failed",
            login_check.PAGE_CHANGED,
        ),
        (
            BookingResult(Outcome.ERROR, detail="no browser slot: none came free within 10 s"),
            "failed",
            login_check.NOT_RUN,
        ),
    ],
    ids=["accepted", "refused", "unreachable", "page-changed", "no-browser"],
)
def test_the_engines_outcome_becomes_the_checks_state(
    alice, queued, engine_says, result, state, message
):
    engine_says(result)
    check = login_check.start(alice, CLUB, actor=ACTOR)

    done = login_check.run(check.id, alice, CLUB, actor=ACTOR)

    assert (done.state, done.message) == (state, message)
    assert done.finished_at is not None
    assert done.started_at == check.started_at
    assert login_check.read(alice, CLUB) == done


@pytest.mark.django_db
def test_the_engine_logs_in_with_the_clubs_profile_and_the_decrypted_password_audited(
    alice, queued, engine_says, caplog
):
    caplog.set_level(logging.INFO)
    calls = engine_says(BookingResult(Outcome.DRY_RUN))
    check = login_check.start(alice, CLUB, actor=ACTOR)

    login_check.run(check.id, alice, CLUB, actor=ACTOR)

    [(engine, credentials, run_id)] = calls
    assert credentials == Credentials("alice", "portal-pass")
    assert engine.profile == config_services.get_system_value("portal_profile", club=CLUB)
    assert engine.settings.page_timeout_s == login_check.PAGE_TIMEOUT_S
    assert run_id == f"login-check-{check.id}"
    events = [r.msg for r in caplog.records if isinstance(r.msg, dict)]
    [decrypt] = [e for e in events if e["event"] == "crypto.decrypt"]
    assert (decrypt["actor"], decrypt["reason"]) == (ACTOR, f"login test {check.id} at {CLUB}")
    [finished] = [e for e in events if e["event"] == "login_check.finished"]
    assert (finished["state"], finished["club"]) == ("ok", CLUB)
    assert "portal-pass" not in caplog.text


@pytest.mark.django_db
def test_a_check_stopped_by_the_soft_time_limit_reads_failed_at_once(alice, queued, engine_says):
    engine_says(SoftTimeLimitExceeded())

    done = _start_and_run(alice)

    assert (done.state, done.message) == ("failed", login_check.TOO_LONG)


@pytest.mark.django_db
def test_a_crash_in_the_engine_reads_failed_at_once(alice, queued, engine_says):
    engine_says(RuntimeError("a bug"))

    done = _start_and_run(alice)

    assert (done.state, done.message) == ("failed", login_check.NOT_RUN)


@pytest.mark.django_db
def test_credentials_deleted_before_the_task_ran_read_failed_without_a_login(
    alice, queued, engine_says
):
    calls = engine_says(BookingResult(Outcome.DRY_RUN))
    check = login_check.start(alice, CLUB, actor=ACTOR)
    config_services.delete_user_config(alice, CLUB)

    done = login_check.run(check.id, alice, CLUB, actor=ACTOR)

    assert (done.state, done.message) == ("failed", login_check.NO_CREDENTIALS)
    assert calls == []


@pytest.mark.django_db
def test_a_superseded_check_does_not_overwrite_the_newer_one(alice, queued, engine_says, clock):
    engine_says(BookingResult(Outcome.LOGIN_FAILED))
    old = login_check.start(alice, CLUB, actor=ACTOR)
    clock(login_check.DEDUPE_S + 1)
    new = login_check.start(alice, CLUB, actor=ACTOR)

    assert login_check.run(old.id, alice, CLUB, actor=ACTOR) is None
    assert login_check.read(alice, CLUB) == new


@pytest.mark.django_db
def test_the_enqueued_task_runs_the_check_with_bounded_limits(alice, engine_says):
    # The test settings run tasks eagerly: start() runs the real task in place.
    engine_says(BookingResult(Outcome.LOGIN_FAILED))

    check = login_check.start(alice, CLUB, actor=ACTOR)

    done = login_check.read(alice, CLUB)
    assert (done.id, done.state) == (check.id, CheckState.WRONG_PASSWORD)
    task = tasks.check_login
    assert task.name == "booker.tasks.check_login"
    assert (task.soft_time_limit, task.time_limit) == (login_check.SOFT_LIMIT_S, 45)
    assert task.acks_late is False
    # Not the booking queue: the default one, whose worker serves the short tasks.
    assert task.app.amqp.router.route({}, task.name)["queue"].name == "default"


# --- the engine's login alone, against both demo portals -------------------------------


@pytest.fixture
def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.browser
@pytest.mark.parametrize(
    ("password", "outcome"),
    [(None, Outcome.DRY_RUN), ("not-the-password", Outcome.LOGIN_FAILED)],
    ids=["right", "wrong"],
)
def test_the_engine_logs_in_books_nothing_and_closes_its_browser(portal, password, outcome):
    pool = BrowserPool(1)
    settings = EngineSettings(evidence_dir=portal.evidence_dir)
    engine = BookingEngine(portal.profile, settings, browser_pool=pool)

    result = prepare.check_login(engine, portal.credentials(password), run_id="t")

    assert result.outcome == outcome, result.to_dict()
    if outcome == Outcome.LOGIN_FAILED:
        assert portal.spec.bad_login_words in result.message
    assert [t["step"] for t in result.timings][-2:] == ["login", "close"]
    assert (pool.live, pool.peak) == (0, 1)
    assert portal.attempts() == []
    assert portal.held() == []


@pytest.mark.browser
def test_the_engine_says_portal_error_when_nothing_listens(portal, unused_port):
    pool = BrowserPool(1)
    profile = {**portal.profile, "base_url": f"http://127.0.0.1:{unused_port}"}
    settings = EngineSettings(evidence_dir=portal.evidence_dir)
    engine = BookingEngine(profile, settings, browser_pool=pool)

    result = prepare.check_login(engine, portal.credentials())

    assert result.outcome == Outcome.PORTAL_ERROR, result.to_dict()
    assert "ERR_CONNECTION_REFUSED" in result.detail
    assert (pool.live, pool.peak) == (0, 1)


@pytest.mark.django_db
def test_one_check_runs_at_a_time_in_the_site_so_the_sweep_keeps_a_slot(
    alice, portal_member, queued, engine_says
):
    bob = portal_member("bob")
    first = login_check.start(alice, CLUB, actor=ACTOR)
    with pytest.raises(login_check.ChecksBusy):
        login_check.start(bob, CLUB, actor="user:bob")
    assert len(queued.sent) == 1
    assert login_check.read(bob, CLUB) is None
    engine_says(BookingResult(Outcome.DRY_RUN))
    login_check.run(first.id, alice, CLUB, actor=ACTOR)
    assert login_check.start(bob, CLUB, actor="user:bob").state == CheckState.RUNNING


@pytest.mark.django_db
def test_credentials_saved_since_make_the_old_check_moot(alice, queued, engine_says):
    engine_says(BookingResult(Outcome.LOGIN_FAILED))
    first = login_check.start(alice, CLUB, actor=ACTOR)
    login_check.run(first.id, alice, CLUB, actor=ACTOR)
    assert login_check.read(alice, CLUB).state == CheckState.WRONG_PASSWORD
    config_services.update_user_config(alice, CLUB, portal_password="the-right-one")
    assert login_check.read(alice, CLUB) is None  # "not tested yet", not "wrong password"
    second = login_check.start(alice, CLUB, actor=ACTOR)
    assert second.id != first.id


@pytest.mark.django_db
def test_a_queue_that_refuses_the_task_leaves_nothing_behind(alice, monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionError("broker away")

    monkeypatch.setattr(tasks.check_login, "apply_async", refuse)
    with pytest.raises(login_check.ChecksUnavailable):
        login_check.start(alice, CLUB, actor=ACTOR)
    assert login_check.read(alice, CLUB) is None
    assert cache.get(login_check._slot_key(0)) is None
