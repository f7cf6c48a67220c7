"""The booking pipeline end to end: API → beat → Celery worker → Chromium → demo portal.

Real Redis, the emulator server, a Celery worker and beat, daphne and the
demo portal, started as ``make run`` starts them (see ``booking_stack.py``),
with the club's release a few seconds ahead.
"""

from __future__ import annotations

import re
import uuid

import pytest
from celery import Celery

from .booking_stack import COURT, SLOT, booking_stack  # noqa: F401 - the fixture

pytestmark = pytest.mark.browser


def test_a_request_made_through_the_api_is_booked_at_the_release_with_its_history_and_timings(
    booking_stack,  # noqa: F811
):
    club = booking_stack()
    release = club.schedule_release(seconds_ahead=12)

    created = club.create_request(release)
    assert created["status"] == "pending"
    assert created["fire_at"].startswith(release.portal_at.strftime("%Y-%m-%dT%H:%M:00"))

    done = club.wait_for_status(created["request_id"], {"completed", "failed"}, timeout=90)
    story = club.describe(created["request_id"], release)

    assert done["status"] == "completed", story
    steps = [(h["from_status"], h["to_status"]) for h in done["history"]]
    assert steps == [(None, "pending"), ("pending", "processing"), ("processing", "completed")]
    assert done["history"][1]["message"] == "taken by a booking worker"
    result = done["result"]
    assert result["outcome"] == "booked", story
    assert result["verified"] is True
    assert result["choice"] == {"court": COURT, "slot": SLOT}
    # Timings: every step of the engine, the portal clock's skew as measured,
    # and the submission landing just after the release (generous bounds: the
    # machine may be busy).
    assert {"launch", "login", "clock_sync", "wait", "submit", "verify"} <= set(
        result["timings_ms"]
    ), story
    skew_ms = club.portal.clock()["offset_ms"]
    assert abs(result["clock"]["offset_ms"] - skew_ms) < 250, story
    (success,) = [a for a in result["attempts"] if a["outcome"] == "success"]
    assert 0 <= success["ms_after_release"] < 1500, story
    assert result["release_to_confirmation_ms"] > 0

    # The portal agrees: one reservation, made after (never before) the release.
    held = [r for r in club.reservations(release) if not r["cancelled"]]
    assert len(held) == 1, story
    assert str(held[0]["id"]) == str(result["confirmation"]["reservation_id"])
    assert held[0]["slot"] == SLOT
    accepted = [row for row in club.submissions(release) if row["outcome"] == "success"]
    assert len(accepted) == 1, story
    assert accepted[0]["ms_after_release"] >= 0, story


def test_the_same_batch_delivered_twice_books_once(booking_stack):  # noqa: F811
    # No early sweep: the two deliveries below are the only ones.
    club = booking_stack(BOOKER_DISPATCH_MARGIN_SECONDS="0")
    release = club.schedule_release(seconds_ahead=12)
    created = club.create_request(release)
    request_id = created["request_id"]

    # One message, sent twice with the same task id, as a broker redelivers it.
    broker = Celery("duplicate-delivery", broker=club.stack_env["REDIS_URL"])
    task_id = str(uuid.uuid4())
    keys = [[request_id, created["user_id"]]]
    try:
        for _ in range(2):
            broker.send_task(
                "booker.tasks.book_batch", args=[keys], queue="booking", task_id=task_id
            )
    finally:
        broker.close()

    done = club.wait_for_status(request_id, {"completed", "failed"}, timeout=90)
    story = club.describe(request_id, release)
    assert done["status"] == "completed", story
    assert done["result"]["outcome"] == "booked", story
    taken = [h for h in done["history"] if h["to_status"] == "processing"]
    assert len(taken) == 1, story

    # Both deliveries ran; the second found the request taken or finished.
    finished = club.wait_for_log_lines(f"book_batch[{task_id}] succeeded", count=2, timeout=30)
    outcomes = sorted(re.search(rf"'{request_id}': '([a-z_-]+)'", line)[1] for line in finished)
    assert outcomes[0] == "booked", story
    assert outcomes[1] in ("finished-already", "taken-elsewhere"), story

    held = [r for r in club.reservations(release) if not r["cancelled"]]
    assert len(held) == 1, story
    assert [row["outcome"] for row in club.submissions(release)] == ["success"], story
