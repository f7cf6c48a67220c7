"""The live socket, spoken to as a page and an API client would (Channels' communicator).

Each test body is a coroutine run by ``live``: ``async_to_sync`` from the
test's thread, so the consumer's database calls come back to this thread
and see the test's transaction.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.utils import timezone

from accounts.tokens import issue_tokens
from realtime import broadcast
from tennisbook.asgi import application

ORIGIN = b"http://testserver"


@pytest.fixture(autouse=True)
def fresh_log(settings):
    """Every test starts with an empty log of the default size."""
    broadcast.event_log.cache_clear()
    yield
    broadcast.event_log.cache_clear()


def live(body):
    async_to_sync(body)()


def session_cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def page_socket(user=None, origin: bytes | None = ORIGIN, host: bytes = b"testserver"):
    headers = [(b"host", host)]
    if origin is not None:
        headers.append((b"origin", origin))
    if user is not None:
        headers.append((b"cookie", await sync_to_async(session_cookie)(user)))
    return WebsocketCommunicator(application, "/ws/live/", headers=headers)


def api_socket(token: str, origin: bytes | None = None):
    headers = [(b"host", b"testserver"), (b"authorization", f"Bearer {token}".encode())]
    if origin is not None:
        headers.append((b"origin", origin))
    return WebsocketCommunicator(application, "/ws/live/", headers=headers)


async def refusal(socket) -> int:
    """The close code of a socket refused right after its handshake (nothing sent first)."""
    ok, _ = await socket.connect()
    assert ok
    output = await socket.receive_output()
    assert output["type"] == "websocket.close", output
    return output["code"]


async def connected(socket) -> dict:
    ok, code = await socket.connect()
    assert ok, f"refused with {code}"
    hello = await socket.receive_json_from()
    assert hello["type"] == "hello"
    return hello


async def publish(stream, kind="booking.status", **data):
    return await sync_to_async(broadcast.publish)(stream, kind, data)


async def nothing_more(socket):
    assert await socket.receive_nothing(timeout=0.2)


# --- who may connect ------------------------------------------------------------


@pytest.mark.django_db
def test_an_anonymous_socket_is_closed_with_4401():
    async def body():
        assert await refusal(await page_socket()) == 4401

    live(body)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "origin", [b"http://evil.example", b"http://testserver:8443", b"null", None]
)
def test_a_session_socket_from_another_origin_is_closed_with_4403(member, origin):
    async def body():
        assert await refusal(await page_socket(member, origin=origin)) == 4403

    live(body)


@pytest.mark.django_db
def test_a_members_page_joins_their_own_stream(member):
    async def body():
        socket = await page_socket(member)
        hello = await connected(socket)
        assert hello["streams"] == {f"user:{member.pk}": 0}
        await socket.disconnect()

    live(body)


@pytest.mark.django_db
def test_an_inactive_members_session_is_refused(member):
    async def body():
        socket = await page_socket(member)
        await sync_to_async(type(member).objects.filter(pk=member.pk).update)(is_active=False)
        assert await refusal(socket) == 4401

    live(body)


@pytest.mark.django_db
def test_an_api_client_connects_with_its_access_token_and_no_origin(member):
    token = issue_tokens(member)["access"]

    async def body():
        socket = api_socket(token)
        hello = await connected(socket)
        assert list(hello["streams"]) == [f"user:{member.pk}"]
        await socket.disconnect()

    live(body)


@pytest.mark.django_db
def test_a_token_from_another_sites_page_is_refused(member):
    token = issue_tokens(member)["access"]

    async def body():
        assert await refusal(api_socket(token, origin=b"http://evil.example")) == 4403

    live(body)


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["", "not-a-jwt", "eyJhbGciOiJub25lIn0.e30."])
def test_a_bad_token_is_refused_even_with_a_session(member, token):
    async def body():
        socket = WebsocketCommunicator(
            application,
            "/ws/live/",
            headers=[
                (b"host", b"testserver"),
                (b"origin", ORIGIN),
                (b"cookie", await sync_to_async(session_cookie)(member)),
                (b"authorization", f"Bearer {token}".encode()),
            ],
        )
        assert await refusal(socket) == 4401

    live(body)


@pytest.mark.django_db
def test_a_revoked_token_is_refused(member):
    token = issue_tokens(member)["access"]
    member.tokens_valid_after = timezone.now() + timedelta(seconds=1)
    member.save()

    async def body():
        assert await refusal(api_socket(token)) == 4401

    live(body)


# --- what a socket receives -----------------------------------------------------


@pytest.mark.django_db
def test_an_event_reaches_only_its_members_sockets(member, other_member):
    async def body():
        mine, theirs = await page_socket(member), await page_socket(other_member)
        await connected(mine)
        await connected(theirs)
        await publish(broadcast.member_stream(member.pk), status="completed")
        event = await mine.receive_json_from()
        assert (event["type"], event["stream"], event["id"]) == (
            "event",
            f"user:{member.pk}",
            1,
        )
        assert event["kind"] == "booking.status"
        assert event["data"] == {"status": "completed"}
        await nothing_more(theirs)
        await mine.disconnect()
        await theirs.disconnect()

    live(body)


@pytest.mark.django_db
def test_a_page_that_reconnects_gets_what_it_missed_in_order(member):
    stream = broadcast.member_stream(member.pk)

    async def body():
        first = await page_socket(member)
        await connected(first)
        await publish(stream, n=1)
        assert (await first.receive_json_from())["id"] == 1
        await first.disconnect()
        for n in (2, 3, 4):
            await publish(stream, n=n)
        again = await page_socket(member)
        hello = await connected(again)
        assert hello["streams"][stream] == 4
        await again.send_json_to({"type": "resume", "stream": stream, "after": 1})
        replayed = [await again.receive_json_from() for _ in range(3)]
        assert [(e["id"], e["data"]["n"]) for e in replayed] == [(2, 2), (3, 3), (4, 4)]
        await publish(stream, n=5)
        assert (await again.receive_json_from())["id"] == 5
        await nothing_more(again)
        await again.disconnect()

    live(body)


@pytest.mark.django_db
def test_a_gap_beyond_the_window_asks_the_page_to_reload(member, settings):
    settings.REALTIME_LOG_SIZE = 3
    broadcast.event_log.cache_clear()
    stream = broadcast.member_stream(member.pk)

    async def body():
        for n in range(1, 8):
            await publish(stream, n=n)
        socket = await page_socket(member)
        await connected(socket)
        await socket.send_json_to({"type": "resume", "stream": stream, "after": 2})
        assert await socket.receive_json_from() == {"type": "reload", "stream": stream, "last": 7}
        await socket.send_json_to({"type": "resume", "stream": stream, "after": 4})
        kept = [(await socket.receive_json_from())["id"] for _ in range(3)]
        assert kept == [5, 6, 7]
        await socket.disconnect()

    live(body)


@pytest.mark.django_db
def test_a_resume_past_the_streams_newest_id_reloads(member):
    """After a log expired, its numbering restarts: a page's larger id is stale."""
    stream = broadcast.member_stream(member.pk)

    async def body():
        await publish(stream, n=1)
        socket = await page_socket(member)
        await connected(socket)
        await socket.send_json_to({"type": "resume", "stream": stream, "after": 40})
        assert (await socket.receive_json_from())["type"] == "reload"
        await socket.disconnect()

    live(body)


@pytest.mark.django_db
def test_events_that_reach_the_group_out_of_order_reach_the_page_in_order(member):
    """Two publishers raced: the later id arrived first; the log fills in the earlier."""
    stream = broadcast.member_stream(member.pk)
    group = broadcast.group_name(stream)

    async def body():
        socket = await page_socket(member)
        await connected(socket)
        log = broadcast.event_log()
        first = await sync_to_async(log.append)(stream, "booking.status", {"n": 1})
        second = await sync_to_async(log.append)(stream, "booking.status", {"n": 2})
        layer = get_channel_layer()
        await layer.group_send(group, {"type": broadcast.GROUP_MESSAGE, "event": second})
        await layer.group_send(group, {"type": broadcast.GROUP_MESSAGE, "event": first})
        got = [await socket.receive_json_from() for _ in range(2)]
        assert [e["data"]["n"] for e in got] == [1, 2]
        await nothing_more(socket)
        await socket.disconnect()

    live(body)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "message",
    [
        "not json",
        '["a", "list"]',
        '{"type": "dance"}',
        '{"type": "resume", "stream": "user:../../etc", "after": 0}',
        '{"type": "resume", "stream": "user:abc", "after": -1}',
        '{"type": "resume", "stream": "user:abc", "after": "1"}',
        '{"type": "watch", "stream": "request:abc", "after": true}',
        '{"type": []}',
        '{"type": "unwatch", "stream": {}}',
    ],
)
def test_a_bad_message_gets_an_error_and_the_socket_stays_open(member, message):
    async def body():
        socket = await page_socket(member)
        await connected(socket)
        await socket.send_to(text_data=message)
        answer = await socket.receive_json_from()
        assert (answer["type"], answer["code"]) == ("error", "bad_message"), answer
        assert answer["message"]
        await socket.send_json_to({"type": "ping"})
        assert await socket.receive_json_from() == {"type": "pong"}
        await socket.disconnect()

    live(body)


@pytest.mark.django_db
def test_a_binary_frame_is_a_bad_message(member):
    async def body():
        socket = await page_socket(member)
        await connected(socket)
        await socket.send_to(bytes_data=b"\x00\x01")
        assert (await socket.receive_json_from())["code"] == "bad_message"
        await socket.disconnect()

    live(body)


@pytest.mark.django_db
def test_another_members_stream_cannot_be_watched(member, other_member):
    async def body():
        socket = await page_socket(member)
        await connected(socket)
        theirs = broadcast.member_stream(other_member.pk)
        await socket.send_json_to({"type": "watch", "stream": theirs, "after": 0})
        answer = await socket.receive_json_from()
        assert (answer["type"], answer["code"], answer["stream"]) == ("error", "forbidden", theirs)
        await publish(theirs, status="completed")
        await nothing_more(socket)
        await socket.disconnect()

    live(body)


@pytest.mark.django_db
def test_a_closed_socket_leaves_no_group_behind(member):
    group = broadcast.group_name(broadcast.member_stream(member.pk))

    async def body():
        layer = get_channel_layer()
        socket = await page_socket(member)
        await connected(socket)
        assert len(layer.groups.get(group, {})) == 1
        await socket.disconnect()
        assert not layer.groups.get(group)

    live(body)


# --- a session that ends while its socket is open ---------------------------------


@pytest.mark.django_db
def test_logging_out_closes_that_sessions_socket_and_not_the_others(member):
    async def body():
        tab = await page_socket(member)
        await connected(tab)
        phone = await page_socket(member)
        await connected(phone)
        tab_key = tab.scope["headers"][-1][1].decode().split("=", 1)[1]

        def log_out():
            from django.contrib.auth import logout
            from django.contrib.sessions.backends.db import SessionStore
            from django.test import RequestFactory

            request = RequestFactory().post("/accounts/logout/")
            request.session = SessionStore(session_key=tab_key)
            request.user = member
            logout(request)

        await sync_to_async(log_out)()
        closed = await tab.receive_output()
        assert (closed["type"], closed["code"]) == ("websocket.close", 4401)
        await phone.send_json_to({"type": "ping"})
        assert await phone.receive_json_from() == {"type": "pong"}
        await phone.disconnect()

    live(body)


@pytest.mark.django_db
def test_a_session_that_ended_since_the_handshake_is_closed_at_the_next_ping(member):
    async def body():
        socket = await page_socket(member)
        await connected(socket)
        key = socket.scope["headers"][-1][1].decode().split("=", 1)[1]

        def expire():
            from django.contrib.sessions.models import Session

            Session.objects.filter(session_key=key).delete()

        await sync_to_async(expire)()
        await socket.send_json_to({"type": "ping"})
        closed = await socket.receive_output()
        assert (closed["type"], closed["code"]) == ("websocket.close", 4401)

    live(body)
