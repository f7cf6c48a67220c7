"""Two clubs of one deployment on the two live demo portals, for the engine's tests.

``clubs_on_portals(tapped=...)`` makes the default club (A) book on the
condo demo portal and creates club B (``configs.clubs.create_club``) on the
grid demo portal, with that portal's courts, release rules and profile;
both portals are reset. ``tapped`` puts a ``WireTap`` in front of each
portal and points the club's profile at it: a loopback relay that keeps
every byte the portal received, since a refused login or a password leaves
no trace in a portal's own records. ``site_member(*clubs)`` makes a site
account with the demo portal account of each club given. The
``booking_workers`` fixture is a ``BookingWorkers``: its ``send``, for
``booker.dispatch.sweep``, runs each batch (``booker.processor.run_batch``)
in its own thread, as it would run in its own booking worker process;
``watching_preparation`` reads the workers' log for the moment each club's
request was prepared.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import socket
import threading
import time
import urllib.parse
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.db import connections

from booker import processor
from bookings import workflow
from configs import clubs
from configs import services as config_services
from configs.demo_portals import DEMO_PORTALS
from configs.system_keys import demo_defaults
from democlub.client import ControlClient
from democlub.testing import RunningPortal
from tests.factories import CLUB

from .live_portals import SLOT_7

CLUB_A = CLUB  # the default club, on the condo portal
CLUB_B = "grid-club"  # created by the test, on the grid portal
ACTOR = "test:two-clubs"
WORKERS_TIMEOUT_S = 90.0  # the longest a test waits for its booking workers
SLOW_MS = 1_500  # club B's portal: every page this slow
# Fields that carry a member's login in either portal's traffic: the condo's
# form and door (house, password), the grid's form and bookings search
# (username, password, member).
LOGIN_FIELD = re.compile(rb"(?<![\w%-])(house|username|member|password)=([^&\s]*)")


class WireTap:
    """A loopback TCP relay in front of a portal that keeps what it was sent.

    Every connection's client-to-portal bytes are kept apart (one stream
    each), so a field split across reads is still found whole.
    """

    def __init__(self, upstream: str):
        parts = urllib.parse.urlsplit(upstream)
        self._upstream = (parts.hostname, parts.port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._streams: list[bytearray] = []
        self._sockets: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._spawn(self._accept)

    def streams(self) -> list[bytes]:
        """What the portal received, one ``bytes`` per connection made through the tap."""
        with self._lock:
            return [bytes(stream) for stream in self._streams]

    def login_fields(self) -> dict[str, set[str]]:
        """Every value of a login field sent to the portal, by field name, decoded."""
        found: dict[str, set[str]] = {}
        for stream in self.streams():
            for name, value in LOGIN_FIELD.findall(stream):
                found.setdefault(name.decode(), set()).add(
                    urllib.parse.unquote_plus(value.decode())
                )
        return found

    def stop(self) -> None:
        self._stopped.set()
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        for thread in list(self._threads):
            thread.join(timeout=5)
        self._listener.close()

    def _spawn(self, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True, name="wire-tap")
        with self._lock:
            self._threads.append(thread)
        thread.start()

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                portal = socket.create_connection(self._upstream, timeout=10)
            except OSError:
                client.close()
                continue
            client.settimeout(None)
            portal.settimeout(None)
            stream = bytearray()
            with self._lock:
                self._sockets += [client, portal]
                self._streams.append(stream)
            if self._stopped.is_set():  # stop() ran meanwhile and missed these
                client.close()
                portal.close()
                return
            self._spawn(self._pump, client, portal, stream)
            self._spawn(self._pump, portal, client, None)

    def _pump(self, source: socket.socket, target: socket.socket, kept: bytearray | None):
        try:
            while data := source.recv(65536):
                if kept is not None:
                    with self._lock:
                        kept += data
                target.sendall(data)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                target.shutdown(socket.SHUT_WR)


@dataclass
class ClubPortal:
    """A club of the deployment and the live demo portal its profile points at."""

    club: str
    kind: str
    running: RunningPortal
    court: int  # the portal's demo release court: 5 (condo), 1 (grid)
    day: date  # its demo release day: not open by the portal's own rule
    tap: WireTap | None
    log_start: int

    @property
    def control(self) -> ControlClient:
        return self.running.control

    @property
    def username(self) -> str:
        return DEMO_PORTALS[self.kind].member

    @property
    def password(self) -> str:
        return DEMO_PORTALS[self.kind].password

    def secrets(self) -> set[bytes]:
        """This club's password as any portal could be sent it: plain or hashed (the door)."""
        plain = self.password.encode()
        return {plain, hashlib.md5(plain, usedforsecurity=False).hexdigest().encode()}

    def opens_at(self, instant: datetime) -> None:
        """Make the day open at ``instant`` on the portal's clock (a release override)."""
        override = {
            "area": self.court,
            "day": self.day.isoformat(),
            "opens_at": instant.isoformat(),
        }
        self.control.patch_config(release_overrides=[override])

    def portal_now(self) -> datetime:
        return datetime.fromtimestamp(self.control.clock()["portal_now_ns"] / 1e9, UTC)

    def request(self, user_id: str, release_at: datetime):
        """The member's request at this club for the demo day, court and 07:00 slot."""
        return workflow.create(
            user_id, self.court, self.day, SLOT_7.label, club=self.club, release_at=release_at
        )

    def submits(self) -> list[dict]:
        """The portal's attempt log: every submit it received (no competitors run here)."""
        return self.control.attempts()

    def logins(self) -> list[str]:
        """The members the portal logged in since the test began, from its own log."""
        log = Path(self.running.data_dir, "democlub.log").read_bytes()[self.log_start :]
        return re.findall(r"login member=(\S+)", log.decode(errors="replace"))


def _club_settings(kind: str, base_url: str) -> dict:
    """The demo portal's courts, release rules and profile, the profile at ``base_url``."""
    values = demo_defaults(kind)
    values["portal_profile"] = {**values["portal_profile"], "base_url": base_url}
    return values


@pytest.fixture
def clubs_on_portals(transactional_db, dynamo, democlub, gridclub, settings, tmp_path):
    """``make(tapped=...)`` -> (club A on the condo, club B on the grid), both portals reset.

    Transactional: the booking workers' threads read the site's accounts.
    """
    settings.BOOKER_OUTBOX_PATH = tmp_path / "outbox.sqlite3"
    settings.BOOKER_EVIDENCE_DIR = tmp_path / "evidence"
    taps: list[WireTap] = []

    def on_portal(club: str, kind: str, running: RunningPortal, tapped: bool) -> ClubPortal:
        tap = WireTap(running.url) if tapped else None
        if tap is not None:
            taps.append(tap)
        demo = running.control.state()["demo_release"]
        log_start = Path(running.data_dir, "democlub.log").stat().st_size
        return ClubPortal(
            club, kind, running, demo["area"], date.fromisoformat(demo["day"]), tap, log_start
        )

    def make(*, tapped: bool) -> tuple[ClubPortal, ClubPortal]:
        clubs.forget_cached_clubs()
        condo = on_portal(CLUB_A, "condo", democlub, tapped)
        grid = on_portal(CLUB_B, "grid", gridclub, tapped)
        for key, value in _club_settings("condo", (condo.tap or democlub).url).items():
            config_services.set_system_value(key, value, club=CLUB_A, actor=ACTOR)
        clubs.create_club(
            CLUB_B,
            "Grid club",
            actor=ACTOR,
            settings_values=_club_settings("grid", (grid.tap or gridclub).url),
        )
        return condo, grid

    try:
        yield make
    finally:
        for tap in taps:
            tap.stop()
        clubs.forget_cached_clubs()


@pytest.fixture
def site_member(transactional_db, django_user_model):
    """``site_member(*clubs)`` -> the id of a new site account with portal credentials there."""

    def make(*at: ClubPortal) -> str:
        user = django_user_model.objects.create_user("dana", "dana@example.test", "dana-pass-1")
        for club in at:
            config_services.save_user_config(
                str(user.pk),
                club.club,
                portal_username=club.username,
                portal_password=club.password,
            )
        return str(user.pk)

    return make


class BookingWorkers:
    """A ``send`` for the sweep: each batch runs in its own thread, as in its own worker.

    ``processor.run_batch`` is what the ``book_batch`` task runs.
    """

    def __init__(self) -> None:
        self.batches: list[list[list[str]]] = []
        self.outcomes: dict[str, str] = {}
        self.errors: list[BaseException] = []
        self._threads: list[threading.Thread] = []

    def send(self, keys: list[list[str]]) -> None:
        self.batches.append(keys)
        name = f"booking-worker-{len(self.batches)}"
        thread = threading.Thread(target=self._run, args=(keys,), daemon=True, name=name)
        self._threads.append(thread)
        thread.start()

    def _run(self, keys: list[list[str]]) -> None:
        try:
            self.outcomes.update(processor.run_batch([(r, u) for r, u in keys]))
        except BaseException as exc:
            self.errors.append(exc)
        finally:
            connections.close_all()

    def wait(self, timeout: float = WORKERS_TIMEOUT_S) -> None:
        """Every batch sent has finished; none raised."""
        self.join(timeout)
        assert not [t.name for t in self._threads if t.is_alive()], "booking workers still busy"
        assert self.errors == []

    def join(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))


@pytest.fixture
def booking_workers(clubs_on_portals):
    """A ``BookingWorkers``; a test that failed early still waits for its batches.

    Set up after the clubs, so torn down before them: no worker outlives
    its test to book on a portal the next test has reset.
    """
    workers = BookingWorkers()
    yield workers
    workers.join(WORKERS_TIMEOUT_S)


class Prepared(logging.Handler):
    """When a booking worker first said it prepared a request of each club (its own log)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.at: dict[str, datetime] = {}
        self.changed = threading.Condition()

    def emit(self, record: logging.LogRecord) -> None:
        event = record.msg if isinstance(record.msg, dict) else {}
        if event.get("event") == "booking.prepared":
            with self.changed:
                self.at.setdefault(event.get("club"), datetime.now(UTC))
                self.changed.notify_all()

    def wait_for(self, club: str, timeout: float) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: club in self.at, timeout)


@contextlib.contextmanager
def watching_preparation(caplog):
    caplog.set_level(logging.INFO, logger="booker.processor")
    handler = Prepared()
    logger = logging.getLogger("booker.processor")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


def whole_second_after(moment: datetime, seconds: float) -> datetime:
    return datetime.fromtimestamp(int(moment.timestamp() + seconds) + 1, UTC)


def ns(moment: datetime) -> int:
    return round(moment.timestamp() * 1e6) * 1000
