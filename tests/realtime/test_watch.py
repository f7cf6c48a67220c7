"""Watching a request's stream: the owner, its partners who are members, operators; nobody else."""

from __future__ import annotations

import uuid

import pytest

from bookings import workflow
from realtime import broadcast
from tests.factories import CLUB, SEVEN, in_days

from .test_consumers import connected, fresh_log, live, nothing_more, page_socket, publish  # noqa: F401


@pytest.fixture
def owners_request(member, portal_member):
    portal_member(str(member.pk))
    return workflow.create(
        str(member.pk), 5, in_days(10), SEVEN, [], club=CLUB, partners=["@Dana", "Someone Else"]
    )


@pytest.fixture
def dana(django_user_model, db):
    return django_user_model.objects.create_user("dana", "dana@example.test", "pw-dana-12345")


async def watch(socket, stream, after=0) -> dict:
    await socket.send_json_to({"type": "watch", "stream": stream, "after": after})
    return await socket.receive_json_from()


@pytest.mark.django_db
def test_the_owner_watches_their_request_and_gets_its_steps(member, owners_request):
    stream = broadcast.request_stream(owners_request.request_id)

    async def body():
        socket = await page_socket(member)
        await connected(socket)
        # The create already published on the stream: a watch from 0 replays it.
        created = await watch(socket, stream)
        assert (created["stream"], created["kind"], created["data"]["status"]) == (
            stream,
            "booking.status",
            "pending",
        )
        assert await socket.receive_json_from() == {"type": "watching", "stream": stream, "last": 1}
        await publish(stream, kind="booking.step", step="login", state="done")
        step = await socket.receive_json_from()
        assert (step["id"], step["kind"], step["data"]["step"]) == (2, "booking.step", "login")
        await socket.send_json_to({"type": "unwatch", "stream": stream})
        await publish(stream, kind="booking.step", step="form", state="done")
        await nothing_more(socket)
        await socket.disconnect()

    live(body)


@pytest.mark.django_db
def test_a_partner_who_is_a_member_may_watch(owners_request, dana):
    stream = broadcast.request_stream(owners_request.request_id)

    async def body():
        socket = await page_socket(dana)
        await connected(socket)
        assert (await watch(socket, stream, after=1)) == {
            "type": "watching",
            "stream": stream,
            "last": 1,
        }
        await socket.disconnect()

    live(body)


@pytest.mark.django_db
def test_another_member_may_not_watch_and_learns_nothing(owners_request, other_member):
    stream = broadcast.request_stream(owners_request.request_id)
    unknown = broadcast.request_stream(uuid.uuid4())

    async def body():
        socket = await page_socket(other_member)
        await connected(socket)
        for name in (stream, unknown):  # a request of another member looks like no request
            answer = await watch(socket, name)
            assert (answer["type"], answer["code"]) == ("error", "forbidden")
        await publish(stream, kind="booking.step", step="login", state="done")
        await nothing_more(socket)
        await socket.disconnect()

    live(body)


@pytest.mark.django_db
def test_a_socket_probing_request_ids_is_closed_after_so_many_refusals(member, other_member):
    from realtime.consumers import MAX_REFUSED_WATCHES, TOO_MANY_REFUSED

    async def body():
        socket = await page_socket(other_member)
        await connected(socket)
        for _ in range(MAX_REFUSED_WATCHES - 1):
            answer = await watch(socket, broadcast.request_stream(uuid.uuid4()))
            assert answer["code"] == "forbidden"
        assert (await watch(socket, broadcast.request_stream(uuid.uuid4())))["code"] == "forbidden"
        last = await socket.receive_json_from()
        assert (last["type"], last["code"]) == ("error", "too_many_refused")
        assert await socket.receive_output() == {
            "type": "websocket.close",
            "code": TOO_MANY_REFUSED,
        }

    live(body)


@pytest.mark.django_db
def test_refusals_count_per_member_so_reconnecting_does_not_reset_them(other_member):
    from realtime.consumers import MAX_REFUSED_WATCHES, TOO_MANY_REFUSED

    async def probe(socket, times):
        for _ in range(times):
            answer = await watch(socket, broadcast.request_stream(uuid.uuid4()))
            assert answer["code"] == "forbidden"

    async def body():
        first = await page_socket(other_member)
        await connected(first)
        await probe(first, MAX_REFUSED_WATCHES // 2)
        await first.disconnect()
        second = await page_socket(other_member)  # a fresh socket carries on the count
        await connected(second)
        await probe(second, MAX_REFUSED_WATCHES - MAX_REFUSED_WATCHES // 2)
        assert (await second.receive_json_from())["code"] == "too_many_refused"
        assert (await second.receive_output())["code"] == TOO_MANY_REFUSED
        third = await page_socket(other_member)  # and a new one is refused outright
        accepted, _subprotocol = await third.connect()
        assert accepted
        assert await third.receive_output() == {"type": "websocket.close", "code": TOO_MANY_REFUSED}

    live(body)


@pytest.mark.django_db
def test_an_operator_may_watch_any_request_of_their_clubs(owners_request, operator):
    stream = broadcast.request_stream(owners_request.request_id)

    async def body():
        socket = await page_socket(operator)
        await connected(socket)
        first = await watch(socket, stream)
        assert first["kind"] == "booking.status"
        await socket.disconnect()

    live(body)


@pytest.mark.django_db
def test_an_operator_of_other_clubs_may_not(owners_request, operator):
    operator.operator_clubs = ["another-club"]
    operator.save()
    stream = broadcast.request_stream(owners_request.request_id)

    async def body():
        socket = await page_socket(operator)
        await connected(socket)
        assert (await watch(socket, stream))["code"] == "forbidden"
        await socket.disconnect()

    live(body)


@pytest.mark.django_db
def test_a_store_outage_answers_unavailable_not_forbidden(member, owners_request, monkeypatch):
    from bookings.services import requests_repo
    from tennisbook.dynamo import Unavailable

    def down(request_id):
        raise Unavailable("the emulator is down")

    monkeypatch.setattr(requests_repo, "find_by_id", down)
    stream = broadcast.request_stream(owners_request.request_id)

    async def body():
        socket = await page_socket(member)
        await connected(socket)
        answer = await watch(socket, stream)
        assert (answer["type"], answer["code"]) == ("error", "unavailable")
        await socket.disconnect()

    live(body)


@pytest.mark.django_db
def test_a_template_is_watched_by_its_owner_and_the_members_it_was_shared_with(
    member, other_member, dana
):
    from accounts.models import BookingTemplate, TemplateShare

    template = BookingTemplate.objects.create(
        owner=member, club_id=CLUB, name="Tuesdays", court_id=5, time_slot=SEVEN
    )
    TemplateShare.objects.create(template=template, recipient=dana)
    stream = broadcast.template_stream(template.pk)

    async def body():
        for who, allowed in ((member, True), (dana, True), (other_member, False)):
            socket = await page_socket(who)
            await connected(socket)
            answer = await watch(socket, stream)
            assert (answer["type"] == "watching") is allowed, (who, answer)
            await socket.disconnect()

    live(body)


@pytest.mark.django_db
def test_a_withdrawn_share_stops_its_events_at_the_next_ping(member, dana):
    from accounts.models import BookingTemplate, TemplateShare

    template = BookingTemplate.objects.create(
        owner=member, club_id=CLUB, name="Tuesdays", court_id=5, time_slot=SEVEN
    )
    share = TemplateShare.objects.create(template=template, recipient=dana)
    stream = broadcast.template_stream(template.pk)

    async def body():
        from asgiref.sync import sync_to_async

        socket = await page_socket(dana)
        await connected(socket)
        assert (await watch(socket, stream))["type"] == "watching"
        await sync_to_async(share.delete)()
        await socket.send_json_to({"type": "ping"})
        dropped = await socket.receive_json_from()
        assert (dropped["type"], dropped["code"], dropped["stream"]) == (
            "error",
            "forbidden",
            stream,
        )
        assert await socket.receive_json_from() == {"type": "pong"}
        await publish(stream, kind="template.changed", fields=["notes"])
        await nothing_more(socket)
        await socket.disconnect()

    live(body)


@pytest.mark.django_db
def test_an_operator_limited_to_other_clubs_meanwhile_stops_at_the_next_ping(
    owners_request, operator
):
    stream = broadcast.request_stream(owners_request.request_id)

    async def body():
        from asgiref.sync import sync_to_async

        socket = await page_socket(operator)
        await connected(socket)
        assert (await watch(socket, stream))["kind"] == "booking.status"
        assert (await socket.receive_json_from())["type"] == "watching"

        def limit():
            operator.operator_clubs = ["another-club"]
            operator.save()

        await sync_to_async(limit)()
        await socket.send_json_to({"type": "ping"})
        dropped = await socket.receive_json_from()
        assert (dropped["code"], dropped["stream"]) == ("forbidden", stream)
        assert await socket.receive_json_from() == {"type": "pong"}
        await publish(stream, kind="booking.step", step="login", state="done")
        await nothing_more(socket)
        await socket.disconnect()

    live(body)
