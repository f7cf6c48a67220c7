"""make run uses REDIS_URL when it answers, else starts its own redis-server."""

from __future__ import annotations

import pytest

from tennisbook.devstack import redis as devredis
from tennisbook.devstack.ports import free_port


@pytest.fixture
def running_redis(tmp_path):
    server = devredis.EmbeddedRedis(tmp_path / "redis").start()
    yield server
    server.stop()


def test_the_wheel_ships_a_redis_server_binary():
    assert devredis.redis_server_binary().name == "redis-server"


def test_a_reachable_redis_url_is_used_as_it_is(running_redis, tmp_path):
    choice = devredis.choose(running_redis.url, tmp_path / "unused")

    assert choice.url == running_redis.url
    assert choice.server is None
    assert "using REDIS_URL" in choice.note


def test_an_unreachable_redis_url_falls_back_to_an_embedded_server(tmp_path):
    dead = f"redis://127.0.0.1:{free_port()}/0"

    choice = devredis.choose(dead, tmp_path / "redis")

    assert choice.server is not None
    assert choice.url == choice.server.url != dead
    assert "does not answer" in choice.note


def test_without_redis_url_an_embedded_server_is_chosen_on_a_free_port(tmp_path):
    choice = devredis.choose(None, tmp_path / "redis")

    assert choice.server is not None
    assert choice.url.startswith("redis://127.0.0.1:")
    assert not devredis.reachable(choice.url)  # chosen, not started yet


def test_the_embedded_server_keeps_its_data_across_a_restart(tmp_path):
    import redis

    server = devredis.EmbeddedRedis(tmp_path / "redis").start()
    try:
        redis.Redis.from_url(server.url).set("queue-item", "kept")
        server.stop()
        assert not devredis.reachable(server.url)
        server.start()
        assert redis.Redis.from_url(server.url).get("queue-item") == b"kept"
    finally:
        server.stop()
