"""Status events reach the member's group and e-mail, only after the write."""

from datetime import timedelta
from smtplib import SMTPServerDisconnected

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core import mail

from bookings import notify, services, tasks, workflow
from bookings.choices import RequestStatus
from bookings.errors import Moot, TransitionRefused
from bookings.lifecycle import Actor
from realtime import broadcast, preferences
from realtime import tasks as realtime_tasks
from tennisbook.celery import app as celery_app
from tennisbook.dynamo import Unavailable
from tests.bookings.conftest import finish


class QueueEmpty(Exception):
    """Nothing (more) waits on the channel: the one reason a drain stops."""


async def _receive_nowait(self, channel):
    """``InMemoryChannelLayer.receive`` that raises ``QueueEmpty`` instead of waiting."""
    self.require_valid_channel_name(channel)
    queue = self.channels.get(channel)
    if not queue or queue.empty():
        raise QueueEmpty(channel)
    _, message = queue.get_nowait()
    return message


@pytest.fixture
def listen(monkeypatch):
    """Join a member's group; returns a function draining what arrived.

    The drain stops when the channel is empty and only then: any other error
    of the layer fails the test.
    """
    monkeypatch.setattr("channels.layers.InMemoryChannelLayer.receive", _receive_nowait)
    layer = get_channel_layer()

    def join(user_id):
        channel = async_to_sync(layer.new_channel)()
        group = broadcast.group_name(broadcast.member_stream(user_id))
        async_to_sync(layer.group_add)(group, channel)

        def drain():
            received = []
            while True:
                try:
                    event = async_to_sync(layer.receive)(channel)["event"]
                except QueueEmpty:
                    return received
                received.append({"type": event["kind"], **event["data"]})
                if len(received) > 20:
                    return received

        return drain

    return join


@pytest.fixture
def site_member(member, portal_member):
    portal_member(str(member.pk))
    return member


@pytest.mark.django_db
def test_a_transition_is_published_to_the_members_group(site_member, make_request, listen):
    drain = listen(str(site_member.pk))
    request = make_request(str(site_member.pk))
    workflow.change_status(request, RequestStatus.PROCESSING, actor=Actor.ENGINE, by="worker-1")
    messages = drain()
    assert [(m["type"], m["status"], m["previous"]) for m in messages] == [
        ("booking.status", "pending", None),
        ("booking.status", "processing", "pending"),
    ]
    assert messages[1]["request_id"] == request.request_id


@pytest.mark.django_db
def test_a_refused_transition_publishes_nothing(site_member, make_request, listen):
    request = make_request(str(site_member.pk))
    drain = listen(str(site_member.pk))
    with pytest.raises(TransitionRefused):
        workflow.change_status(request, RequestStatus.COMPLETED, actor=Actor.MEMBER, by="alice")
    assert drain() == []


@pytest.mark.django_db
def test_completion_and_failure_are_emailed_as_the_member_prefers(
    site_member, make_request, django_capture_on_commit_callbacks
):
    # Notifications queue their channels after the commit (realtime.notifications).
    user_id = str(site_member.pk)
    with django_capture_on_commit_callbacks(execute=True):
        finish(make_request(user_id), RequestStatus.COMPLETED, message="ok")
    assert [m.to for m in mail.outbox] == [[site_member.email]]
    assert mail.outbox[0].subject.startswith("Court booked: court 5")
    preferences.save_preferences(site_member, {("failed", "email"): False})
    failed = make_request(user_id, slot="De 09:00 AM a 10:00 AM")
    with django_capture_on_commit_callbacks(execute=True):
        finish(failed, RequestStatus.FAILED, reason="quota")
    assert len(mail.outbox) == 1
    preferences.save_preferences(site_member, {("failed", "email"): True})
    failed_too = make_request(user_id, slot="De 10:00 AM a 11:00 AM")
    with django_capture_on_commit_callbacks(execute=True):
        finish(failed_too, RequestStatus.FAILED, reason="quota")
    assert mail.outbox[-1].subject.startswith("Booking failed: court 5")


@pytest.mark.django_db
def test_a_write_refused_by_its_guard_publishes_nothing(site_member, make_request, listen):
    request = make_request(str(site_member.pk))
    workflow.take(request, "worker-1", timedelta(seconds=30))
    drain = listen(str(site_member.pk))
    with pytest.raises(Moot):  # the lease guard: worker-2 never held it
        workflow.record_result(
            request.request_id,
            request.user_id,
            "worker-2",
            RequestStatus.COMPLETED,
            message="",
            reason=None,
            result={},
        )
    assert drain() == []
    assert mail.outbox == []


def test_a_broken_channel_layer_does_not_undo_the_write(alice, make_request, monkeypatch):
    # Let the eager task's failure reach the publisher, as a broker's would.
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", True)
    tried = []

    def broken(payload):
        tried.append(payload["status"])
        raise ConnectionError("redis is down")

    monkeypatch.setattr(notify, "to_group", broken)
    request = make_request(alice)
    cancelled = workflow.cancel(
        services.get_request(alice, request.request_id), actor=Actor.MEMBER, by="alice"
    )
    assert cancelled.status == RequestStatus.CANCELLED
    assert services.get_request(alice, request.request_id).status == RequestStatus.CANCELLED
    assert RequestStatus.CANCELLED in tried  # the layer was really asked, and failed


def test_a_broker_that_refuses_the_event_does_not_undo_the_write(alice, make_request, monkeypatch):
    offered = []

    def refused(args, retry):
        offered.append(args[0])
        raise ConnectionError("broker is down")

    monkeypatch.setattr(tasks.deliver_status_event, "apply_async", refused)
    request = make_request(alice)
    assert services.get_request(alice, request.request_id).status == RequestStatus.PENDING
    assert [(p["request_id"], p["status"]) for p in offered] == [
        (request.request_id, RequestStatus.PENDING)
    ]


def test_a_write_that_fails_queues_no_event(alice, make_request, monkeypatch):
    request = make_request(alice)
    queued = []
    monkeypatch.setattr(tasks.deliver_status_event, "apply_async", lambda **kw: queued.append(kw))

    def down(self):
        raise Unavailable("DynamoDB at test is unavailable")

    monkeypatch.setattr(workflow.core.Transaction, "commit", down)
    with pytest.raises(Unavailable):
        workflow.cancel(request, actor=Actor.MEMBER, by="alice")
    assert queued == []


@pytest.mark.django_db
def test_no_mail_is_sent_inside_the_write_only_queued_after_it(
    site_member, make_request, monkeypatch
):
    queued = []
    monkeypatch.setattr(
        notify.notify_outcome, "apply_async", lambda args, retry: queued.append(args[0])
    )
    request = make_request(str(site_member.pk))
    finish(request, RequestStatus.COMPLETED, message="ok")
    assert mail.outbox == []  # nothing sent while writing
    assert [(p["request_id"], p["status"]) for p in queued] == [
        (request.request_id, RequestStatus.COMPLETED)
    ]


@pytest.mark.django_db
def test_a_mail_server_outage_is_retried_until_the_notification_is_sent(
    site_member, make_request, monkeypatch, django_capture_on_commit_callbacks
):
    real_send = realtime_tasks.send_mail
    tries = []

    def flaky_send(*args, **kwargs):
        tries.append(1)
        if len(tries) < 3:
            raise SMTPServerDisconnected("mail server down")
        return real_send(*args, **kwargs)

    monkeypatch.setattr(realtime_tasks, "send_mail", flaky_send)
    # Eager tasks run their retries at once; the worker waits with a backoff.
    with django_capture_on_commit_callbacks(execute=True):
        finish(make_request(str(site_member.pk)), RequestStatus.COMPLETED, message="ok")
    assert len(tries) == 3
    assert [m.to for m in mail.outbox] == [[site_member.email]]
