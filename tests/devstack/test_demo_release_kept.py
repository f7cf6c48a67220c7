"""The demo portal keeps its demo release across restarts while it is still ahead.

``make run`` restarts the demo portal (``democlub --demo``) with the same
data dir; the demo request already stored on tennisbook's side fires at the
release it was given, so the portal must not pick a new one needlessly.
A real portal process each time.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from democlub.__main__ import DEMO_RELEASE_FILE, KEEP_DEMO_RELEASE_AHEAD
from democlub.testing import start_portal
from tests.devstack.helpers import demo_opens_at


def test_a_restarted_portal_keeps_a_demo_release_that_is_still_ahead(tmp_path):
    with start_portal(tmp_path, demo=True) as first:
        release = first.control.state()["demo_release"]
    with start_portal(tmp_path, demo=True) as second:
        assert second.control.state()["demo_release"] == release


def test_a_demo_release_too_close_or_past_is_replaced_and_the_new_one_saved(tmp_path):
    with start_portal(tmp_path, demo=True) as first:
        release = first.control.state()["demo_release"]
    close = datetime.now(UTC) + KEEP_DEMO_RELEASE_AHEAD - timedelta(seconds=5)
    saved = {k: release[k] for k in ("area", "day", "slot")} | {"opens_at": close.isoformat()}
    (tmp_path / DEMO_RELEASE_FILE).write_text(json.dumps(saved))

    with start_portal(tmp_path, demo=True) as second:
        opens_at = demo_opens_at(second)

    assert opens_at - datetime.now(UTC) > timedelta(minutes=2)  # a fresh one, 3 min out
    stored = json.loads((tmp_path / DEMO_RELEASE_FILE).read_text())
    assert datetime.fromisoformat(stored["opens_at"]) == opens_at


def test_an_unreadable_saved_release_is_replaced(tmp_path):
    (tmp_path / DEMO_RELEASE_FILE).write_text("{not json")

    with start_portal(tmp_path, demo=True) as portal:
        assert demo_opens_at(portal) > datetime.now(UTC)
