"""The demo portal is part of the stack: if it cannot start, make run says so and stops.

It used to be skipped when it looked unavailable, and a failed demo booking
was a warning: both hid real failures from a newcomer.
"""

from __future__ import annotations


def test_a_demo_portal_that_cannot_start_stops_everything_with_a_clear_line(devstack):
    stack = devstack()
    stack.extra_env["DEMOCLUB_DEMO_RELEASE_MINUTES"] = "soon"  # democlub refuses it

    stack.start()

    assert stack.wait_exit(timeout=60) == 1
    assert "DEMOCLUB_DEMO_RELEASE_MINUTES='soon' is not a number of minutes" in stack.output
    assert "ERROR: democlub exited with status 2" in stack.output
    assert "stopped democlub, emulator, redis" in stack.output
    assert not (stack.var_dir / "run" / "children.json").exists()
