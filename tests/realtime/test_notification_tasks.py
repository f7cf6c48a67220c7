"""Each channel of a notification is its own retried task; one failing never blocks another.

Tasks run eagerly here (their retries at once, without the backoff); a
``Delivery`` row says what each channel did. The socket's publisher is the
real ``realtime.broadcast`` with its in-memory log, or a stand-in that
fails; the push service is a stand-in for ``push.send`` (the real one is
tests/realtime/test_push_loopback.py).
"""

from __future__ import annotations

from smtplib import SMTPServerDisconnected

import pytest
from django.core import mail
from redis.exceptions import ConnectionError as RedisConnectionError

from realtime import broadcast, notifications, push, tasks
from realtime.choices import Channel, DeliveryState, EventType
from realtime.models import Delivery, PushSubscription
from tennisbook.celery import app as celery_app

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def push_on(settings):
    from realtime import vapid

    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = vapid.generate()


@pytest.fixture
def device(member):
    from tests.realtime.test_push_loopback import browser_keys

    _private, p256dh, auth = browser_keys()
    return PushSubscription.objects.create(
        member=member, endpoint="https://fcm.googleapis.com/fcm/send/abc", p256dh=p256dh, auth=auth
    )


@pytest.fixture
def pushed(monkeypatch):
    """``push.send`` replaced: records each device's payload, or raises what a test sets."""
    sent, failures = [], []

    def send(subscription, payload):
        if failures:
            raise failures.pop(0)
        sent.append((subscription.pk, payload))

    monkeypatch.setattr(push, "send", send)
    return sent, failures


def tell(member, key="k1"):
    notice = notifications.Notice(EventType.FAILED.value, "Booking failed", "Court 5", "/b/", key)
    return notifications.notify(member, notice)[0]


def states(notification) -> dict[str, str]:
    return {d.channel: d.state for d in Delivery.objects.filter(notification=notification)}


def test_every_channel_is_delivered_by_its_own_task(
    member, dynamo, push_on, device, pushed, committed
):
    queued = []
    for task in tasks.FOR_CHANNEL.values():
        original = task.apply_async

        def spy(*args, _task=task, _original=original, **kwargs):
            queued.append(_task.name)
            return _original(*args, **kwargs)

        task.apply_async = spy
    try:
        with committed():
            note = tell(member)
    finally:
        for task in tasks.FOR_CHANNEL.values():
            del task.apply_async
    assert sorted(queued) == [
        "realtime.email_notification",
        "realtime.publish_notification",
        "realtime.push_notification",
    ]
    assert states(note) == {"in_app": "sent", "email": "sent", "push": "sent"}
    sent, _failures = pushed
    assert sent == [
        (
            device.pk,
            {
                "id": note.pk,
                "kind": "failed",
                "title": "Booking failed",
                "body": "Court 5",
                "url": "/b/",
            },
        )
    ]
    [event] = broadcast.event_log().after(broadcast.member_stream(member.pk), 0).events
    assert (event["kind"], event["data"]["id"], event["data"]["unread"]) == (
        "notification",
        note.pk,
        1,
    )


def test_a_mail_server_that_stays_down_blocks_neither_the_page_nor_the_device(
    member, dynamo, push_on, device, pushed, committed, monkeypatch
):
    def down(*args, **kwargs):
        raise SMTPServerDisconnected("mail server down")

    monkeypatch.setattr(tasks, "send_mail", down)
    monkeypatch.setattr(tasks.email_notification, "max_retries", 2)
    with committed():
        note = tell(member)
    assert states(note) == {"in_app": "sent", "email": "pending", "push": "sent"}
    email = Delivery.objects.get(notification=note, channel=Channel.EMAIL)
    assert (email.attempts, email.error) == (3, "SMTPServerDisconnected: mail server down")


def test_a_mail_server_outage_is_retried_until_the_mail_is_sent(
    member, dynamo, committed, monkeypatch
):
    tries = []
    real = tasks.send_mail

    def flaky(*args, **kwargs):
        tries.append(1)
        if len(tries) < 3:
            raise SMTPServerDisconnected("mail server down")
        return real(*args, **kwargs)

    monkeypatch.setattr(tasks, "send_mail", flaky)
    with committed():
        note = tell(member)
    assert len(tries) == 3
    assert [m.subject for m in mail.outbox] == ["Booking failed"]
    assert states(note)["email"] == DeliveryState.SENT


def test_a_socket_layer_that_is_down_is_retried_and_blocks_no_mail(
    member, dynamo, committed, monkeypatch
):
    calls = []

    def publish(stream, kind, data):
        calls.append(stream)
        if len(calls) < 2:
            raise RedisConnectionError("redis is down")
        return 1

    monkeypatch.setattr(broadcast, "publish", publish)
    with committed():
        note = tell(member)
    assert calls == [f"user:{member.pk}"] * 2
    assert states(note) == {"in_app": "sent", "email": "sent"}


def test_a_broker_that_refuses_one_channel_still_gets_the_others(
    member, dynamo, committed, monkeypatch
):
    def refused(*args, **kwargs):
        raise ConnectionError("broker is down")

    monkeypatch.setattr(tasks.publish_notification, "apply_async", refused)
    with committed():
        note = tell(member)
    assert states(note) == {"in_app": "pending", "email": "sent"}
    # The next run of the outcome's task (a redelivery) queues what is still pending.
    monkeypatch.undo()
    with committed():
        notifications.notify(member, notifications.Notice("failed", "x", "", "", "k1"))
    assert states(note) == {"in_app": "sent", "email": "sent"}
    assert len(mail.outbox) == 1


def test_a_task_run_twice_sends_once(member, dynamo, committed):
    with committed():
        note = tell(member)
    email = Delivery.objects.get(notification=note, channel=Channel.EMAIL)
    assert tasks.email_notification.apply(args=[email.pk]).get() is False
    assert len(mail.outbox) == 1


def test_a_subscription_the_push_service_forgot_is_deleted(
    member, dynamo, push_on, device, pushed, committed
):
    _sent, failures = pushed
    failures.append(push.Gone("the push service answered 410"))
    with committed():
        note = tell(member)
    assert not PushSubscription.objects.filter(pk=device.pk).exists()
    delivery = Delivery.objects.get(notification=note, channel=Channel.PUSH)
    assert (delivery.state, delivery.attempts) == ("failed", 1)
    assert "410" in delivery.error


def test_a_push_refused_for_good_is_not_retried(member, dynamo, push_on, device, pushed, committed):
    _sent, failures = pushed
    failures.append(push.Refused("the push service answered 413"))
    with committed():
        note = tell(member)
    delivery = Delivery.objects.get(notification=note, channel=Channel.PUSH)
    assert (delivery.state, delivery.attempts) == ("failed", 1)
    assert PushSubscription.objects.filter(pk=device.pk).exists()


def test_a_busy_push_service_is_retried(member, dynamo, push_on, device, pushed, committed):
    sent, failures = pushed
    failures.extend([push.Unavailable("503"), push.Unavailable("429")])
    with committed():
        note = tell(member)
    delivery = Delivery.objects.get(notification=note, channel=Channel.PUSH)
    assert (delivery.state, delivery.attempts) == ("sent", 3)
    assert len(sent) == 1


def test_without_vapid_keys_no_push_is_queued(member, dynamo, device, pushed, committed):
    with committed():
        note = tell(member)
    assert "push" not in states(note)
    assert pushed[0] == []


def test_a_failing_channel_task_raises_for_celery_to_retry(member, dynamo, monkeypatch):
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", True)
    monkeypatch.setattr(tasks.email_notification, "max_retries", 0)

    def down(*args, **kwargs):
        raise SMTPServerDisconnected("mail server down")

    monkeypatch.setattr(tasks, "send_mail", down)
    note = tell(member)  # not committed: nothing queued yet
    email = Delivery.objects.get(notification=note, channel=Channel.EMAIL)
    with pytest.raises(SMTPServerDisconnected):
        tasks.email_notification.apply(args=[email.pk], throw=True).get()


def test_a_second_task_for_a_delivery_being_sent_sends_nothing(db, member):
    """Two tasks for one delivery (a retry queued again while the first runs): one sends."""
    from realtime import tasks
    from realtime.models import Delivery, Notification

    note = Notification.objects.create(
        member=member, kind="booked", title="Court booked", body="b", dedupe_key="claim-1"
    )
    delivery = Delivery.objects.create(notification=note, channel="email")
    first = tasks._pending(delivery.pk)
    assert first is not None
    assert tasks._pending(delivery.pk) is None  # claimed by the first
    tasks._note_error(first, OSError("mail server down"))  # the first will retry
    assert tasks._pending(delivery.pk) is not None  # so the claim is free again
