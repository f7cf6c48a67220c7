"""A stack that cannot start says why, exits non-zero and leaves nothing running."""

from __future__ import annotations


def test_a_failing_setup_step_stops_everything_with_a_clear_line(devstack):
    stack = devstack()
    # A database that cannot be opened: migrate fails in the setup step.
    stack.extra_env["DATABASE_URL"] = f"sqlite:///{stack.var_dir}/missing-dir/db.sqlite3"

    stack.start()

    assert stack.wait_exit(timeout=60) == 1
    assert "ERROR: the setup steps failed (status 1); see above" in stack.output
    assert "stopped democlub, democlub2, setup, emulator, redis" in stack.output
    assert not (stack.var_dir / "run" / "children.json").exists()
    assert not (stack.var_dir / "run" / "stack.env").exists()
