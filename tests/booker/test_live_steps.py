"""An attempt's live timeline: the stopwatch tells, the publisher translates and sends."""

from __future__ import annotations

import pytest

from booker import live
from booker.pages import LoginFailed
from booker.timing import Stopwatch
from realtime import broadcast


@pytest.fixture(autouse=True)
def fresh_log():
    broadcast.event_log.cache_clear()
    yield
    broadcast.event_log.cache_clear()


def test_the_stopwatch_tells_each_step_as_it_starts_and_ends():
    heard = []
    watch = Stopwatch(lambda name, state, extra: heard.append((name, state, extra)))
    with watch.step("login") as step:
        step.extra["court"] = 5
    with pytest.raises(LoginFailed), watch.step("relogin"):
        raise LoginFailed("Usuario o clave incorrectos")
    watch.mark("reply", outcome="success")
    assert [(name, state) for name, state, _ in heard] == [
        ("login", "started"),
        ("login", "done"),
        ("relogin", "started"),
        ("relogin", "error"),
        ("reply", "done"),
    ]
    assert heard[1][2]["court"] == 5
    assert heard[3][2]["detail"] == "Usuario o clave incorrectos"
    # The stored timings keep the error's type, never the portal's words.
    assert watch.steps[1]["error"] == "LoginFailed"
    assert "detail" not in watch.steps[1]


def test_a_stopwatch_without_a_listener_only_records():
    watch = Stopwatch()
    with watch.step("login"):
        pass
    watch.mark("reply", outcome="success")
    assert [s["step"] for s in watch.steps] == ["login"]


def test_the_engines_steps_become_the_members_words():
    assert live.translate("launch", "started", {}) == []
    assert live.translate("launch", "done", {"ms": 812.4})[0] == {
        "step": "browser",
        "state": "done",
        "label": "Browser ready",
        "detail": "",
        "elapsed_ms": 812.4,
    }
    clock = live.translate(
        "clock_sync", "done", {"ms": 84.2, "offset_ms": -0.17, "uncertainty_ms": 0.72}
    )
    assert clock[0]["detail"] == "the portal's clock is 0.17 ms behind ± 0.72 ms"
    assert (clock[0]["offset_ms"], clock[0]["uncertainty_ms"]) == (-0.17, 0.72)
    shared = live.translate(
        "clock_sync", "done", {"ms": 3.1, "offset_ms": 2.0, "uncertainty_ms": 0.5, "shared": True}
    )
    assert shared[0]["detail"] == (
        "the portal's clock is 2.00 ms ahead ± 0.50 ms "
        "(measured once for everyone booking this portal now)"
    )
    [watching] = live.translate("release_watch", "done", {"seconds": 60.0})
    assert (watching["step"], watching["state"], watching["label"]) == (
        "release_watch",
        "started",
        "Still not open: watching the portal",
    )
    assert watching["detail"] == "asking more slowly until 60 s after the release"
    wait = live.translate("wait", "started", {"fire_at": "2026-12-10T23:00:00.000+00:00"})
    assert (wait[0]["step"], wait[0]["state"], wait[0]["fire_at"]) == (
        "wait",
        "started",
        "2026-12-10T23:00:00.000+00:00",
    )
    assert live.translate("wait", "done", {"ms": 30000}) == []
    failed = live.translate(
        "login", "error", {"ms": 5, "error": "LoginFailed", "detail": "Clave incorrecta"}
    )
    assert (failed[0]["label"], failed[0]["detail"]) == ("Login failed", "Clave incorrecta")
    for engine_only in ("browser_slot", "warm", "evidence", "close", "release_browser"):
        assert live.translate(engine_only, "done", {"ms": 1}) == []


def test_a_reply_tells_how_late_the_submit_arrived_and_what_the_portal_said():
    submitted, reply = live.translate(
        "reply",
        "done",
        {
            "path": "door",
            "choice": "07:00",
            "court": 5,
            "outcome": "slot_taken",
            "message": "La cancha ya está reservada",
            "ms_after_release": 2.36,
            "round_trip_ms": 4.1,
        },
    )
    assert submitted["label"] == "Submitted +2.36 ms after the release"
    assert (submitted["path"], submitted["ms_after_release"]) == ("door", 2.36)
    assert (reply["state"], reply["outcome"], reply["detail"]) == (
        "error",
        "slot_taken",
        "La cancha ya está reservada",
    )
    assert reply["label"] == "The portal said the slot is taken"


def test_the_publisher_sends_an_attempt_in_order_on_the_requests_stream():
    steps = live.StepPublisher("0d5e6f7a-0000-4000-8000-000000000001", attempt=1)
    steps.started()
    steps("login", "started", {})
    steps("login", "done", {"ms": 120.0})
    steps("reply", "done", {"outcome": "success", "ms_after_release": 1.2, "path": "door"})
    steps.finished({"ok": True, "outcome": "booked", "message": "Reserva confirmada"})
    steps.close()
    replay = broadcast.event_log().after(broadcast.request_stream(steps.request_id), 0)
    assert [(e["id"], e["data"]["step"]) for e in replay.events] == [
        (1, "attempt"),
        (2, "login"),
        (3, "submit"),
        (4, "reply"),
        (5, "finished"),
    ]
    last = replay.events[-1]
    assert last["kind"] == "booking.step"
    assert (last["data"]["label"], last["data"]["detail"], last["data"]["attempt"]) == (
        "Booked",
        "Reserva confirmada",
        1,
    )
    assert all(
        e["data"]["request_id"] == steps.request_id and e["data"]["at"] for e in replay.events
    )


def test_a_broken_log_costs_the_attempt_nothing(monkeypatch):
    def down(stream, kind, data):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(broadcast, "publish", down)
    steps = live.StepPublisher("0d5e6f7a-0000-4000-8000-000000000002", attempt=1)
    steps.started()
    steps("login", "done", {"ms": 1.0})
    steps.close()
    assert steps.failed
    assert not steps.thread.is_alive()
