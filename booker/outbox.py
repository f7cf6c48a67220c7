"""Status writes that could not reach DynamoDB, kept until they can.

When DynamoDB is unavailable at the moment a worker has a result, the
result is not lost: it goes into a small SQLite file on the worker's disk
(durable across a worker restart) and is written to DynamoDB as soon as it
answers again, by the worker itself and by a periodic task. ``/readyz``
reports the number of writes waiting as ``degraded``.
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

log = structlog.get_logger(__name__)
_lock = threading.Lock()


@dataclass
class PendingWrite:
    request_id: str
    user_id: str
    owner: str
    target: str
    message: str
    reason: str | None
    result: dict


def _path() -> Path:
    return Path(settings.BOOKER_OUTBOX_PATH)


def _connect() -> sqlite3.Connection:
    path = _path()
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, timeout=5)
    connection.execute(
        "CREATE TABLE IF NOT EXISTS outbox (request_id TEXT PRIMARY KEY, body TEXT NOT NULL,"
        " queued_at REAL NOT NULL, tries INTEGER NOT NULL DEFAULT 0)"
    )
    return connection


def put(write: PendingWrite) -> None:
    """Keep ``write`` until DynamoDB takes it (one pending write per request)."""
    with _lock, closing(_connect()) as db, db:
        db.execute(
            "INSERT OR REPLACE INTO outbox (request_id, body, queued_at) VALUES (?, ?, ?)",
            (write.request_id, json.dumps(asdict(write)), time.time()),
        )
    log.warning("outbox.queued", booking_request_id=write.request_id, target=write.target)


def depth() -> int:
    if not _path().exists():
        return 0
    with _lock, closing(_connect()) as db:
        return db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]


def flush(apply: Callable[[PendingWrite], None]) -> tuple[int, int]:
    """Try every pending write with ``apply``; returns (written, still waiting).

    ``apply`` raises ``tennisbook.dynamo.Unavailable`` while DynamoDB is down
    (the write stays) and returns normally once the write is final or moot.
    """
    from tennisbook.dynamo import Unavailable

    if not _path().exists():
        return 0, 0
    with _lock, closing(_connect()) as db:
        rows = db.execute("SELECT request_id, body FROM outbox ORDER BY queued_at").fetchall()
    written = 0
    for request_id, body in rows:
        try:
            apply(PendingWrite(**json.loads(body)))
        except Unavailable:
            with _lock, closing(_connect()) as db, db:
                db.execute(
                    "UPDATE outbox SET tries = tries + 1 WHERE request_id = ?", (request_id,)
                )
            continue
        with _lock, closing(_connect()) as db, db:
            db.execute("DELETE FROM outbox WHERE request_id = ?", (request_id,))
        written += 1
        log.info("outbox.flushed", booking_request_id=request_id)
    return written, len(rows) - written
