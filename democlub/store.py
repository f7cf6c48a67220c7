"""SQLite storage: sessions, page tokens, reservations and the attempt log.

One connection guarded by one lock. Serialising writes is the point: the
order in which two racing requests reach ``add_reservation`` decides who gets
the slot, exactly like a single database row lock on the real portal. A
partial unique index backs the "one active reservation per slot" rule. A
session's page token (the grid's CSRF token) is one row per session: issuing
a new one replaces the last, so only the most recent is accepted.
"""

from __future__ import annotations

import secrets
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    token TEXT PRIMARY KEY,
    member TEXT NOT NULL,
    w INTEGER NOT NULL,
    last_seen_ns INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS page_tokens (
    session TEXT PRIMARY KEY,
    token TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS reservations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    member TEXT NOT NULL,
    area INTEGER NOT NULL,
    day TEXT NOT NULL,
    slot TEXT NOT NULL,
    label TEXT NOT NULL,
    slot_start_ns INTEGER NOT NULL,
    comments TEXT NOT NULL DEFAULT '',
    door TEXT NOT NULL,
    created_ns INTEGER NOT NULL,
    cancelled_ns INTEGER
);
CREATE UNIQUE INDEX IF NOT EXISTS one_active_per_slot
    ON reservations (area, day, slot) WHERE cancelled_ns IS NULL;
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    received_ns INTEGER NOT NULL,
    member TEXT,
    area INTEGER,
    day TEXT,
    slot TEXT,
    schedule_id TEXT,
    door TEXT NOT NULL,
    outcome TEXT NOT NULL,
    message TEXT NOT NULL,
    release_ns INTEGER,
    decided_ns INTEGER NOT NULL
);
"""


@dataclass(frozen=True)
class NewReservation:
    """What ``Store.add_reservation`` needs; ``quota`` None means unlimited."""

    member: str
    area: int
    day: str
    slot: str
    label: str
    slot_start_ns: int
    comments: str
    door: str
    now_ns: int
    quota: int | None


class Store:
    """The portal's database (``<data-dir>/democlub.sqlite3``)."""

    def __init__(self, path: Path):
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def clear(self) -> None:
        """Forget every session, reservation and attempt (used by reset)."""
        with self._lock:
            self._db.executescript(
                "DELETE FROM sessions; DELETE FROM page_tokens; DELETE FROM reservations;"
                "DELETE FROM attempts; DELETE FROM sqlite_sequence;"
            )

    # --- sessions ---

    def create_session(self, member: str, now_ns: int) -> tuple[str, int]:
        token = secrets.token_hex(16)
        w = secrets.randbelow(900_000) + 100_000
        with self._lock:
            self._db.execute(
                "INSERT INTO sessions (token, member, w, last_seen_ns) VALUES (?, ?, ?, ?)",
                (token, member, w, now_ns),
            )
        return token, w

    def touch_session(self, token: str, now_ns: int, ttl_ns: int) -> tuple[str, int] | None:
        """(member, w) of a live session, refreshing it; None if unknown or idle too long."""
        with self._lock:
            row = self._db.execute(
                "SELECT member, w, last_seen_ns FROM sessions WHERE token = ?", (token,)
            ).fetchone()
            if row is None:
                return None
            if now_ns - row["last_seen_ns"] > ttl_ns:
                self._db.execute("DELETE FROM sessions WHERE token = ?", (token,))
                return None
            self._db.execute(
                "UPDATE sessions SET last_seen_ns = ? WHERE token = ?",
                (max(now_ns, row["last_seen_ns"]), token),
            )
            return row["member"], row["w"]

    def drop_session(self, token: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM sessions WHERE token = ?", (token,))
            self._db.execute("DELETE FROM page_tokens WHERE session = ?", (token,))

    def issue_page_token(self, session: str) -> str:
        """A fresh page token for the session; every earlier one stops being accepted."""
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO page_tokens (session, token) VALUES (?, ?)",
                (session, token),
            )
        return token

    def page_token_matches(self, session: str, given: str) -> bool:
        with self._lock:
            row = self._db.execute(
                "SELECT token FROM page_tokens WHERE session = ?", (session,)
            ).fetchone()
        return row is not None and secrets.compare_digest(row["token"].encode(), given.encode())

    # --- reservations ---

    def add_reservation(self, new: NewReservation) -> tuple[str, int | None]:
        """Book atomically: ``("ok", id)``, ``("taken", None)`` or ``("quota", None)``."""
        with self._lock:
            taken = self._db.execute(
                "SELECT 1 FROM reservations WHERE area = ? AND day = ? AND slot = ? "
                "AND cancelled_ns IS NULL",
                (new.area, new.day, new.slot),
            ).fetchone()
            if taken:
                return "taken", None
            if new.quota is not None:
                (active,) = self._db.execute(
                    "SELECT COUNT(*) FROM reservations WHERE member = ? AND area = ? "
                    "AND cancelled_ns IS NULL AND slot_start_ns > ?",
                    (new.member, new.area, new.now_ns),
                ).fetchone()
                if active >= new.quota:
                    return "quota", None
            cursor = self._db.execute(
                "INSERT INTO reservations (member, area, day, slot, label, slot_start_ns, "
                "comments, door, created_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    new.member, new.area, new.day, new.slot, new.label, new.slot_start_ns,
                    new.comments, new.door, new.now_ns,
                ),
            )  # fmt: skip
            return "ok", cursor.lastrowid

    def cancel_reservation(self, reservation_id: int, member: str, now_ns: int) -> bool:
        with self._lock:
            cursor = self._db.execute(
                "UPDATE reservations SET cancelled_ns = ? "
                "WHERE id = ? AND member = ? AND cancelled_ns IS NULL",
                (now_ns, reservation_id, member),
            )
            return cursor.rowcount == 1

    def reservations(
        self,
        member: str | None = None,
        area: int | None = None,
        day: str | None = None,
        include_cancelled: bool = False,
    ) -> list[dict[str, Any]]:
        clauses, params = [], []
        for column, value in (("member", member), ("area", area), ("day", day)):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        if not include_cancelled:
            clauses.append("cancelled_ns IS NULL")
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        with self._lock:
            rows = self._db.execute(
                f"SELECT * FROM reservations {where} ORDER BY day, slot, id",  # noqa: S608
                params,
            ).fetchall()
        return [dict(r) for r in rows]

    # --- attempt log ---

    def log_attempt(self, **fields: Any) -> int:
        columns = ", ".join(fields)
        marks = ", ".join("?" for _ in fields)
        with self._lock:
            cursor = self._db.execute(
                f"INSERT INTO attempts ({columns}) VALUES ({marks})",  # noqa: S608
                tuple(fields.values()),
            )
            return cursor.lastrowid

    def attempts(
        self, since_id: int | None = None, since_ns: int | None = None, limit: int = 1000
    ) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM attempts WHERE id > ? AND received_ns >= ? ORDER BY id LIMIT ?",
                (since_id or 0, since_ns or 0, limit),
            ).fetchall()
        return [dict(r) for r in rows]
