"""One running stack per var dir, enforced with ``fcntl.flock``.

The kernel drops a flock when its holder dies, however it dies, so a lock
left by a crashed run is never a real obstacle: the next run simply gets it
and reports that it took over. The pid written in the file is only for the
messages ("already running as pid N").
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


class AlreadyRunning(Exception):
    """Another live process holds the lock."""

    def __init__(self, path: Path, pid: int | None):
        self.path = path
        self.pid = pid
        who = f"pid {pid}" if pid else "another process"
        super().__init__(f"tennisbook is already running ({who}, lock {path})")


def _read_pid(fd: int) -> int | None:
    os.lseek(fd, 0, os.SEEK_SET)
    text = os.read(fd, 64).decode("ascii", "replace").strip()
    return int(text) if text.isdigit() else None


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        return True
    return True


class InstanceLock:
    """An exclusive, non-blocking lock file holding the owner's pid."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._fd: int | None = None
        self.stale_pid: int | None = None

    def acquire(self) -> InstanceLock:
        """Take the lock or raise ``AlreadyRunning``.

        Sets ``stale_pid`` when the file named a process that no longer holds
        it (a run that crashed or was killed).
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # os.open gives a non-inheritable fd: children must not keep the lock.
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _read_pid(fd)
            os.close(fd)
            raise AlreadyRunning(self.path, pid) from None
        previous = _read_pid(fd)
        self.stale_pid = previous if previous and previous != os.getpid() else None
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, f"{os.getpid()}\n".encode())
        os.fsync(fd)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is None:
            return
        # Empty the file first so a reader never sees our pid without the lock.
        os.ftruncate(self._fd, 0)
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None

    def __enter__(self) -> InstanceLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
