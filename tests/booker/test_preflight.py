"""Pre-flight checks: which are due, one per request and stage, and what each finds.

The first tests replace the engine's preparation (``prepare_says``) and
nothing else: DynamoDB, KMS, the notifications are the real in-process ones.
The last ones prepare a real request against both demo portals in Chromium:
the saved password is accepted, then changed on the portal (the member is
told), then the portal's page no longer matches the profile (the operators
are told, with the engine's screenshot and page).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from booker import preflight, prepare, tasks
from booker.results import BookingResult, Outcome
from bookings import workflow
from bookings.lifecycle import Actor
from bookings.models import PreflightCheck
from bookings.services import requests_repo
from configs import services as config_services
from realtime.models import Notification
from tests.factories import CLUB, booking_request

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dynamo")]

NOW = datetime(2026, 12, 2, 18, 0, tzinfo=UTC)


def pending(user_id: str, fire_in: timedelta, **fields):
    return booking_request(user_id=user_id, fire_at=NOW + fire_in, **fields)


class _Sent(list):
    def __call__(self, check_id: int) -> None:
        self.append(check_id)


# --- which checks are due --------------------------------------------------------------


def test_the_day_check_is_due_within_a_day_and_the_final_one_ten_minutes_before(alice):
    far = pending(alice, timedelta(hours=30))
    day = pending(alice, timedelta(hours=20))
    final = pending(alice, timedelta(minutes=8))
    late = pending(alice, timedelta(minutes=2))  # the worker logs in soon: too late
    due = {request.request_id: stage for request, stage in preflight.due(NOW)}
    assert due == {day.request_id: "day", final.request_id: "final"}
    assert far.request_id not in due
    assert late.request_id not in due


def test_a_sweep_starts_each_check_once(alice):
    request = pending(alice, timedelta(hours=3))
    sent = _Sent()
    assert preflight.sweep(sent, NOW) == 1
    assert preflight.sweep(sent, NOW + timedelta(minutes=1)) == 0
    check = PreflightCheck.objects.get()
    assert (check.request_id, check.stage, check.state) == (request.request_id, "day", "running")
    assert sent == [check.pk]
    assert preflight.sweep(sent, request.fire_at - timedelta(minutes=9)) == 1  # the final one
    assert sorted(PreflightCheck.objects.values_list("stage", flat=True)) == ["day", "final"]


def test_a_check_the_broker_refused_says_so_instead_of_running_for_ever(alice):
    pending(alice, timedelta(hours=3))

    def refuse(check_id):
        raise ConnectionError("broker down")

    assert preflight.sweep(refuse, NOW) == 0
    check = PreflightCheck.objects.get()
    assert check.state == "error"
    assert "not queued" in check.detail


def test_the_tasks_run_on_the_default_queue_within_their_limits():
    task = tasks.run_preflight
    assert task.app.amqp.router.route({}, task.name)["queue"].name == "default"
    assert (task.soft_time_limit, task.time_limit) == (preflight.SOFT_LIMIT_S, 90)


# --- what a check finds ---------------------------------------------------------------


@pytest.fixture
def prepare_says(monkeypatch):
    def set_result(result: BookingResult | None):
        class _Session:
            existing = None

            def close(self):
                pass

        def fake(engine, credentials, plan, **kwargs):
            if result is not None:
                raise prepare.PrepareFailed(result)
            return _Session()

        monkeypatch.setattr(prepare, "prepare_session", fake)

    return set_result


def started(user_id: str, **fields) -> PreflightCheck:
    request = pending(user_id, timedelta(hours=3), **fields)
    sent = _Sent()
    preflight.sweep(sent, NOW)
    return PreflightCheck.objects.get(pk=sent[0], request_id=request.request_id)


def test_all_set_is_recorded_and_nobody_is_bothered(alice, prepare_says):
    prepare_says(None)
    check = preflight.run(started(alice).pk)
    assert check.state == "ok"
    assert "all set" in check.message
    assert not Notification.objects.exists()


def test_a_refused_password_warns_the_member_while_there_is_time(
    member, portal_member, prepare_says
):
    owner = portal_member(str(member.pk))
    prepare_says(BookingResult(Outcome.LOGIN_FAILED, message="Usuario o clave incorrectos"))
    check = preflight.run(started(owner).pk)
    assert check.state == "credentials_rejected"
    told = Notification.objects.get(member=member)
    assert (told.kind, told.url) == ("credentials_rejected", "/settings/")
    assert "before" in told.body
    preflight.run(check.pk)  # run again (a redelivered task): nothing new
    assert Notification.objects.filter(member=member).count() == 1


def test_a_page_unlike_the_profile_warns_the_clubs_operators_with_the_evidence(
    alice, operator, django_user_model, prepare_says
):
    elsewhere = django_user_model.objects.create_user(
        "olga", "olga@example.test", "olga-password-1", is_staff=True, operator_clubs=["other"]
    )
    evidence = {"screenshot": "/evidence/x.png", "html": "/evidence/x.html"}
    prepare_says(
        BookingResult(Outcome.ERROR, detail="NoSuchElementException: form#x", evidence=evidence)
    )
    check = preflight.run(started(alice).pk)
    assert check.state == "page_changed"
    assert check.evidence == evidence
    told = Notification.objects.get(member=operator)
    assert told.kind == "preflight_problem"
    assert told.url == f"/admin/bookings/requests/{check.request_id}/"
    assert "form#x" in told.body
    assert "html, screenshot" in told.body
    assert not Notification.objects.filter(member=elsewhere).exists()


def test_a_request_no_longer_pending_is_skipped(alice, prepare_says):
    check = started(alice)
    item = requests_repo.find(check.request_id, check.user_id)
    workflow.cancel(item, actor=Actor.MEMBER, by="alice")
    prepare_says(None)
    assert preflight.run(check.pk).state == "skipped"


def test_a_member_without_credentials_any_more_is_recorded_not_raised(prepare_says):
    check = started("00000000-0000-0000-0000-00000000000a")
    assert preflight.run(check.pk).state == "error"


# --- against the real demo portals ---------------------------------------------------------


@pytest.fixture
def live_club(portal, member, settings, tmp_path):
    """The club's profile points at the running demo portal; the member saved its account."""
    settings.BOOKER_EVIDENCE_DIR = str(tmp_path / "evidence")
    config_services.set_system_value("portal_profile", portal.profile, club=CLUB, actor="test")
    member_id, password = portal.spec.member
    config_services.save_user_config(
        str(member.pk), CLUB, portal_username=member_id, portal_password=password
    )
    return portal


def live_check(portal, member) -> PreflightCheck:
    request = pending(
        str(member.pk),
        timedelta(hours=3),
        court_id=portal.court,
        date=portal.day.isoformat(),
        time_slot=str(portal.slots[0]),
    )
    sent = _Sent()
    preflight.sweep(sent, request.fire_at - timedelta(hours=3))
    return preflight.run(sent[0])


@pytest.mark.browser
def test_the_demo_portal_accepts_then_refuses_a_changed_password(live_club, member):
    check = live_check(live_club, member)
    assert check.state == "ok", check.detail
    assert live_club.attempts() == []  # nothing submitted

    live_club.control.add_member(live_club.member, "changed-on-the-portal")
    refused = live_check(live_club, member)
    assert refused.state == "credentials_rejected", refused.detail
    assert Notification.objects.filter(member=member, kind="credentials_rejected").exists()


@pytest.mark.browser
def test_a_removed_locator_is_caught_with_the_pages_evidence(live_club, member, operator):
    broken = {**live_club.profile, "form": {**live_club.profile["form"], "form": "form#gone"}}
    config_services.set_system_value("portal_profile", broken, club=CLUB, actor="test")
    check = live_check(live_club, member)
    assert check.state == "page_changed", check.detail
    assert "form#gone" in check.detail
    assert check.evidence
    assert all(Path(path).is_file() for path in check.evidence.values())
    assert Notification.objects.filter(member=operator, kind="preflight_problem").exists()
