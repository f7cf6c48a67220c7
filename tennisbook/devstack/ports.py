"""Loopback port helpers: is a port free, pick a free one, wait for one."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Collection

LOOPBACK = "127.0.0.1"


def port_is_free(port: int, host: str = LOOPBACK) -> bool:
    """True when nothing listens on ``host:port`` and we could bind it.

    SO_REUSEADDR matches what the servers themselves do, so a port left in
    TIME_WAIT by a previous run does not count as taken.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = LOOPBACK, avoid: Collection[int] = ()) -> int:
    """A port the kernel considers free right now (racy, but fine on loopback).

    ``avoid``: ports promised to processes that have not bound them yet
    (the stack's own), which the kernel would otherwise hand out again.
    """
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind((host, 0))
            port = sock.getsockname()[1]
        if port not in avoid:
            return port


def port_answers(port: int, host: str = LOOPBACK, timeout: float = 0.2) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_for_port(
    port: int,
    *,
    host: str = LOOPBACK,
    timeout: float = 30.0,
    keep_waiting: Callable[[], bool] = lambda: True,
) -> bool:
    """Wait until ``host:port`` accepts connections.

    ``keep_waiting`` lets the caller give up early (the process that should
    listen died, or the user pressed Ctrl-C). Returns whether it answered.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_answers(port, host):
            return True
        if not keep_waiting():
            return False
        time.sleep(0.05)
    return False
