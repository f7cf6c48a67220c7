"""One stack per var dir: a second run is refused, a crashed run's lock is taken over."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from tennisbook.devstack.lock import AlreadyRunning, InstanceLock

HOLDER = textwrap.dedent(
    """
    import sys, time
    from tennisbook.devstack.lock import InstanceLock
    InstanceLock(sys.argv[1]).acquire()
    print("locked", flush=True)
    time.sleep(60)
    """
)


@pytest.fixture
def holder(tmp_path):
    """Another process holding the lock, as a running `make run` would."""
    path = tmp_path / "run" / "devstack.lock"
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "locked"
    yield path, proc
    if proc.poll() is None:
        proc.kill()
    proc.wait(timeout=10)


def test_a_second_instance_is_refused_and_told_the_pid(holder):
    path, proc = holder

    with pytest.raises(AlreadyRunning) as refused:
        InstanceLock(path).acquire()

    assert refused.value.pid == proc.pid
    assert f"pid {proc.pid}" in str(refused.value)


def test_the_lock_of_a_killed_instance_is_taken_over(holder):
    path, proc = holder
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)

    lock = InstanceLock(path).acquire()
    try:
        assert lock.stale_pid == proc.pid
        assert path.read_text().strip() == str(os.getpid())
    finally:
        lock.release()


def test_a_stale_pid_file_without_a_holder_is_taken_over(tmp_path):
    path = tmp_path / "devstack.lock"
    path.write_text("999999\n")

    with InstanceLock(path) as lock:
        assert lock.stale_pid == 999999


def test_release_lets_the_next_instance_start_cleanly(tmp_path):
    path = tmp_path / "devstack.lock"
    InstanceLock(path).acquire().release()

    with InstanceLock(path) as lock:
        assert lock.stale_pid is None


def test_two_locks_in_one_process_exclude_each_other(tmp_path):
    path = tmp_path / "devstack.lock"
    with InstanceLock(path):
        started = time.monotonic()
        with pytest.raises(AlreadyRunning):
            InstanceLock(path).acquire()
        assert time.monotonic() - started < 1  # refused at once, never waits
