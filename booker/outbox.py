"""Status writes that could not reach DynamoDB, kept until they can.

When DynamoDB is unavailable at the moment a worker has a result, the
result is not lost: it goes into a small SQLite file on the worker's disk
(durable across a worker restart) and is written to DynamoDB as soon as it
answers again, by the worker itself and by a periodic task. ``/readyz``
reports the number of writes waiting as ``degraded``.

A row that fails for any other reason than an outage (DynamoDB refuses it,
the code raises) is tried ``QUARANTINE_AFTER`` times, then quarantined: kept,
no longer tried, counted in ``/metrics`` and listed by ``manage.py outbox``,
where an operator retries or drops it. One bad row never blocks the others.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import asdict, dataclass
from pathlib import Path

import structlog
from django.conf import settings

from bookings.errors import Contended, Moot, Quarantine
from tennisbook.dynamo import Unavailable

log = structlog.get_logger(__name__)
_lock = threading.Lock()

# Failures (other than an outage) after which a row is set aside.
QUARANTINE_AFTER = 5


@dataclass
class PendingWrite:
    request_id: str
    user_id: str
    owner: str
    target: str
    message: str
    reason: str | None
    result: dict


@dataclass
class Row:
    """A write as the outbox holds it, for operators."""

    write: PendingWrite
    queued_at: float
    tries: int
    quarantined: bool
    last_error: str


def _path() -> Path:
    return Path(settings.BOOKER_OUTBOX_PATH)


_COLUMNS = {
    "tries": "INTEGER NOT NULL DEFAULT 0",
    "quarantined": "INTEGER NOT NULL DEFAULT 0",
    "last_error": "TEXT NOT NULL DEFAULT ''",
}


def _connect() -> sqlite3.Connection:
    path = _path()
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, timeout=5)
    connection.execute(
        "CREATE TABLE IF NOT EXISTS outbox (request_id TEXT PRIMARY KEY, body TEXT NOT NULL,"
        " queued_at REAL NOT NULL)"
    )
    # Files written by an older version lack the later columns.
    present = {row[1] for row in connection.execute("PRAGMA table_info(outbox)")}
    for name, kind in _COLUMNS.items():
        if name not in present:
            connection.execute(f"ALTER TABLE outbox ADD COLUMN {name} {kind}")
    return connection


def _execute(sql: str, params: tuple = ()) -> list[tuple]:
    with _lock, closing(_connect()) as db, db:
        return db.execute(sql, params).fetchall()


def _change(sql: str, params: tuple) -> int:
    """Run a write; the number of rows it changed."""
    with _lock, closing(_connect()) as db, db:
        return db.execute(sql, params).rowcount


def put(write: PendingWrite) -> None:
    """Keep ``write`` until DynamoDB takes it (one pending write per request)."""
    _execute(
        "INSERT OR REPLACE INTO outbox (request_id, body, queued_at) VALUES (?, ?, ?)",
        (write.request_id, json.dumps(asdict(write)), time.time()),
    )
    log.warning("outbox.queued", booking_request_id=write.request_id, target=write.target)


def depth() -> int:
    """Writes waiting to be tried (quarantined ones not counted)."""
    if not _path().exists():
        return 0
    return _execute("SELECT COUNT(*) FROM outbox WHERE quarantined = 0")[0][0]


def quarantined() -> int:
    if not _path().exists():
        return 0
    return _execute("SELECT COUNT(*) FROM outbox WHERE quarantined = 1")[0][0]


def rows() -> list[Row]:
    """Every row, oldest first (``manage.py outbox``)."""
    if not _path().exists():
        return []
    found = _execute(
        "SELECT body, queued_at, tries, quarantined, last_error FROM outbox ORDER BY queued_at"
    )
    return [
        Row(PendingWrite(**json.loads(body)), queued_at, tries, bool(flag), error)
        for body, queued_at, tries, flag, error in found
    ]


def release(request_id: str) -> bool:
    """Take a row out of quarantine so the next flush tries it again."""
    return bool(
        _change("UPDATE outbox SET quarantined = 0, tries = 0 WHERE request_id = ?", (request_id,))
    )


def drop(request_id: str) -> bool:
    """Remove a row for good (an operator decided)."""
    return bool(_change("DELETE FROM outbox WHERE request_id = ?", (request_id,)))


def flush(apply: Callable[[PendingWrite], None]) -> tuple[int, int]:
    """Try every waiting write with ``apply``; returns (done, still waiting).

    ``apply`` returns once the write is final; ``Moot`` means it no longer
    applies (dropped, with a log line); ``Unavailable`` means DynamoDB is
    down (the row stays, and the rest wait for the next flush); anything
    else counts towards the row's quarantine.
    """
    if not _path().exists():
        return 0, 0
    waiting = _execute(
        "SELECT request_id, body, tries FROM outbox WHERE quarantined = 0 ORDER BY queued_at"
    )
    done = 0
    for request_id, body, tries in waiting:
        try:
            apply(PendingWrite(**json.loads(body)))
        except Moot as exc:
            log.info("outbox.moot", booking_request_id=request_id, why=str(exc))
        except Contended as exc:
            # This request keeps changing under the write: its own trouble,
            # not an outage. It counts towards quarantine; the others go on.
            _failed(request_id, tries + 1, exc)
            continue
        except Unavailable:
            break  # an outage: every other row would fail alike
        except Exception as exc:
            _failed(request_id, tries + 1, exc)
            continue
        _execute("DELETE FROM outbox WHERE request_id = ?", (request_id,))
        done += 1
        log.info("outbox.flushed", booking_request_id=request_id)
    return done, depth()


def _failed(request_id: str, tries: int, exc: Exception) -> None:
    quarantine = isinstance(exc, Quarantine) or tries >= QUARANTINE_AFTER
    error = f"{type(exc).__name__}: {exc}"[:500]
    _execute(
        "UPDATE outbox SET tries = ?, quarantined = ?, last_error = ? WHERE request_id = ?",
        (tries, int(quarantine), error, request_id),
    )
    if quarantine:
        log.error("outbox.quarantined", booking_request_id=request_id, tries=tries, error=error)
    else:
        log.warning("outbox.write_failed", booking_request_id=request_id, tries=tries, error=error)
