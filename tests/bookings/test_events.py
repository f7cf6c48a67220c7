"""Status events reach the member's group and e-mail, only after the write."""

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core import mail

from bookings import events, services
from bookings.choices import RequestStatus
from bookings.errors import TransitionRefused
from bookings.lifecycle import Actor
from configs import services as config_services
from configs.dynamo import NotificationSettings


@pytest.fixture
def listen():
    """Join a member's group; returns a function draining what arrived."""
    layer = get_channel_layer()

    def join(user_id):
        channel = async_to_sync(layer.new_channel)()
        async_to_sync(layer.group_add)(events.user_group(user_id), channel)

        def drain():
            received = []
            while True:
                try:
                    received.append(async_to_sync(layer.receive)(channel))
                except Exception:
                    return received
                if len(received) > 20:
                    return received

        return drain

    return join


@pytest.fixture
def site_member(member, portal_member):
    portal_member(str(member.pk))
    return member


@pytest.mark.django_db
def test_a_transition_is_published_to_the_members_group(
    site_member, make_request, listen, monkeypatch
):
    drain = listen(str(site_member.pk))
    monkeypatch.setattr(
        "channels.layers.InMemoryChannelLayer.receive",
        _receive_nowait,
    )
    request = make_request(str(site_member.pk))
    services.transition(request, RequestStatus.PROCESSING, actor=Actor.ENGINE, by="worker-1")
    messages = drain()
    assert [(m["type"], m["status"], m["previous"]) for m in messages] == [
        ("booking.status", "pending", None),
        ("booking.status", "processing", "pending"),
    ]
    assert messages[1]["request_id"] == request.request_id


async def _receive_nowait(self, channel):
    queue = self.channels.get(channel)
    if not queue or queue.empty():
        raise LookupError("empty")
    _, message = queue.get_nowait()
    return message


@pytest.mark.django_db
def test_a_refused_transition_publishes_nothing(site_member, make_request, listen, monkeypatch):
    monkeypatch.setattr("channels.layers.InMemoryChannelLayer.receive", _receive_nowait)
    request = make_request(str(site_member.pk))
    drain = listen(str(site_member.pk))
    with pytest.raises(TransitionRefused):
        services.transition(request, RequestStatus.COMPLETED, actor=Actor.MEMBER, by="alice")
    assert drain() == []


@pytest.mark.django_db
def test_completion_and_failure_are_emailed_as_the_member_prefers(site_member, make_request):
    user_id = str(site_member.pk)
    done = make_request(user_id)
    done = services.transition(done, RequestStatus.PROCESSING, actor=Actor.ENGINE, by="w")
    services.transition(done, RequestStatus.COMPLETED, actor=Actor.ENGINE, by="w", message="ok")
    assert [m.to for m in mail.outbox] == [[site_member.email]]
    assert mail.outbox[0].subject.startswith("Court booked: court 5")
    config = config_services.get_user_config(user_id)
    config_services.save_user_config(
        user_id, notifications=NotificationSettings(email_on_failure=False)
    )
    assert config.version  # saved before
    failed = make_request(user_id, slot="De 09:00 AM a 10:00 AM")
    services.transition(failed, RequestStatus.FAILED, actor=Actor.ENGINE, by="w", reason="quota")
    assert len(mail.outbox) == 1


def test_a_broken_channel_layer_does_not_undo_the_write(alice, make_request, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(events, "_send_to_group", broken)
    request = make_request(alice)
    cancelled = services.cancel_request(alice, request.request_id, by="alice")
    assert cancelled.status == RequestStatus.CANCELLED
