"""The live events' log in a real Redis: ids, order, the window, concurrent publishers."""

from __future__ import annotations

import threading
import uuid

import pytest

from realtime.broadcast import RedisLog


@pytest.fixture
def log(redis_server):
    return RedisLog(redis_server.url, size=5, seconds=60)


@pytest.fixture
def stream():
    return f"user:{uuid.uuid4()}"


def test_events_are_numbered_from_one_and_replayed_in_order(log, stream):
    ids = [log.append(stream, "booking.status", {"n": n})["id"] for n in range(1, 4)]
    assert ids == [1, 2, 3]
    replay = log.after(stream, 1)
    assert not replay.reload
    assert replay.latest == 3
    assert [(e["id"], e["data"]) for e in replay.events] == [(2, {"n": 2}), (3, {"n": 3})]
    assert log.latest([stream, "user:nobody"]) == {stream: 3, "user:nobody": 0}


def test_two_alike_events_are_both_kept(log, stream):
    log.append(stream, "booking.step", {"step": "wait"})
    log.append(stream, "booking.step", {"step": "wait"})
    assert [e["id"] for e in log.after(stream, 0).events] == [1, 2]


def test_the_window_keeps_the_newest_and_an_older_resume_reloads(log, stream):
    for n in range(1, 9):
        log.append(stream, "booking.status", {"n": n})
    assert [e["id"] for e in log.after(stream, 3).events] == [4, 5, 6, 7, 8]
    assert log.after(stream, 2).reload
    assert log.after(stream, 9).reload  # beyond the newest: numbering restarted
    assert log.after(stream, 8).events == []
    assert not log.after(stream, 8).reload


def test_the_log_expires_with_its_stream(log, stream, redis_server):
    log.append(stream, "booking.status", {})
    ttl = log.client.ttl(f"live:{stream}:log")
    assert 0 < ttl <= 60
    assert log.client.ttl(f"live:{stream}:seq") == ttl


def test_concurrent_publishers_never_share_or_skip_an_id(log, redis_server, stream):
    wide = RedisLog(redis_server.url, size=1000, seconds=60)
    got: list[int] = []
    lock = threading.Lock()

    def publish(worker: int) -> None:
        for n in range(50):
            event = wide.append(stream, "booking.step", {"worker": worker, "n": n})
            with lock:
                got.append(event["id"])

    threads = [threading.Thread(target=publish, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(got) == list(range(1, 201))
    replayed = wide.after(stream, 0).events
    assert [e["id"] for e in replayed] == list(range(1, 201))
    for worker in range(4):  # each publisher's own events in its order
        mine = [e["data"]["n"] for e in replayed if e["data"]["worker"] == worker]
        assert mine == list(range(50))
