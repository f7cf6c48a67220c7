"""The two demo portals as the engine's live tests drive them (``portal`` fixture).

``LivePortal`` wraps one running democlub (reset for the test) of either
kind, the condo's (``democlub`` profile: door, replay, browser) or the
grid's (``gridclub`` profile: replay, browser), with what a scenario needs
to say the same thing on both: the demo member's credentials, a court and
two slots valid there, a day not open yet, ``open_soon`` (a release
override, which both kinds honour), bookings made by other members through
the portal's own front door, and the words of its replies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from booker.engine import BookingEngine, Credentials, EngineSettings, Plan
from booker.profiles import builtin_profile
from booker.results import Choice
from democlub.client import ControlClient
from democlub.testing import RunningPortal
from tennisbook.values import TimeSlot
from tests.democlub.conftest import DEMO_MEMBER, DEMO_PASSWORD, GRID_MEMBER, GRID_PASSWORD
from tests.democlub.grid_member import GridMember

SLOT_7 = TimeSlot.parse("De 07:00 AM a 08:00 AM")
SLOT_8 = TimeSlot.parse("De 08:00 AM a 09:00 AM")


@dataclass(frozen=True)
class Kind:
    """What differs between the two kinds of demo portal, as data."""

    profile: str  # booker.profiles.BUILT_IN
    server: str  # the tests/democlub fixture of a reset portal
    member: tuple[str, str]
    rival: tuple[str, str]  # another member, added by the test that needs one
    quota_words: str  # in the reply when the member's quota is reached
    bad_login_words: str  # in the login page's error
    bad_login_html: str  # in the saved HTML of a refused login


KINDS = {
    "condo": Kind(
        "democlub", "democlub", (DEMO_MEMBER, DEMO_PASSWORD), ("102", "rival-102"),
        "límite", "incorrectos", "login_error",
    ),
    "grid": Kind(
        "gridclub", "gridclub", (GRID_MEMBER, GRID_PASSWORD), ("sam", "sam-pass"),
        "maximum of 1 upcoming bookings", "wrong password", "errorlist",
    ),
}  # fmt: skip

# (kind, path) for every path a kind's profile lists, in its order: the
# condo's door, replay, browser; the grid's replay, browser (it has no door).
PORTAL_PATHS = [
    (kind, path)
    for kind, spec in KINDS.items()
    for path in builtin_profile(spec.profile)["submission"]["paths"]
]
# The paths that carry the member's web session (the door logs in on every call).
SESSION_PATHS = [(kind, path) for kind, path in PORTAL_PATHS if path != "door"]


def open_soon(running: RunningPortal, day: date, seconds: float = 2.0, area: int = 5) -> datetime:
    """Make ``day`` open ``seconds`` from now on the portal's clock; that instant.

    A release override, which both kinds honour over their own rule.
    """
    portal_now = running.control.clock()["portal_now_ns"] / 1e9
    opens = datetime.fromtimestamp(int(portal_now + seconds) + 1, UTC)
    running.control.patch_config(
        release_overrides=[{"area": area, "day": day.isoformat(), "opens_at": opens.isoformat()}]
    )
    return opens


@dataclass
class LivePortal:
    """One reset demo portal of ``kind``, and how the engine's tests use it."""

    kind: str
    running: RunningPortal
    court: int  # the demo release's court: 5 (condo), 1 (grid)
    day: date  # the demo release's day: not open by the portal's rule
    evidence_dir: Path
    slots: tuple[TimeSlot, TimeSlot] = (SLOT_7, SLOT_8)

    @classmethod
    def of(cls, kind: str, running: RunningPortal, evidence_dir: Path) -> LivePortal:
        demo = running.control.state()["demo_release"]
        return cls(kind, running, demo["area"], date.fromisoformat(demo["day"]), evidence_dir)

    @property
    def spec(self) -> Kind:
        return KINDS[self.kind]

    @property
    def control(self) -> ControlClient:
        return self.running.control

    @property
    def profile(self) -> dict:
        return builtin_profile(self.spec.profile, self.running.url)

    @property
    def member(self) -> str:
        return self.spec.member[0]

    def credentials(self, password: str | None = None) -> Credentials:
        member, demo_password = self.spec.member
        return Credentials(member, demo_password if password is None else password)

    def engine(self, **settings) -> BookingEngine:
        settings.setdefault("evidence_dir", self.evidence_dir)
        settings.setdefault("clock_target_ms", 8.0)
        settings.setdefault("clock_probes_per_round", 8)
        return BookingEngine(self.profile, EngineSettings(**settings))

    def plan(self, *slots: TimeSlot, **kwargs) -> Plan:
        """The demo member's plan for the day on the court: ``slots`` in order."""
        kwargs.setdefault("retry_window_s", 3.0)
        return Plan(self.day, [Choice(self.court, slot) for slot in slots], **kwargs)

    # --- the portal's clock and release ---------------------------------------------

    def open_soon(self, seconds: float = 2.0, day: date | None = None) -> datetime:
        """Make the day open ``seconds`` from now (past if negative) on the portal's clock."""
        return open_soon(self.running, self.day if day is None else day, seconds, self.court)

    def soon(self, seconds: float = 1.0) -> datetime:
        """An instant ``seconds`` ahead on the portal's clock."""
        return datetime.fromtimestamp(self.control.clock()["portal_now_ns"] / 1e9 + seconds, UTC)

    def forget_sessions(self) -> None:
        """Every session is gone, as when they expire while the engine waits.

        ``POST /_control/reset`` also restores the settings and drops bookings
        and attempts: call it before arranging the test's release.
        """
        self.control.reset()

    # --- what the portal holds ----------------------------------------------------------

    def attempts(self) -> list[dict]:
        """The attempt log of the demo member (and of requests with no live session)."""
        return [a for a in self.control.attempts() if a["member"] in (None, self.member)]

    def held(self) -> list[dict]:
        """The demo member's reservations, as the portal stores them."""
        return self.control.reservations(member=self.member)

    def add_rival(self) -> tuple[str, str]:
        member, password = self.spec.rival
        self.control.add_member(member, password)
        return member, password

    def book_as(
        self,
        member: str,
        password: str,
        slot: TimeSlot,
        day: date | None = None,
        court: int | None = None,
    ) -> None:
        """Book ``slot`` for ``member`` the way a member would, without the engine.

        The condo through its HTTP door, the grid through its web form over
        plain HTTP (page token and end time as its script sets them).
        """
        day = self.day if day is None else day
        court = self.court if court is None else court
        if self.kind == "condo":
            door = self.running.door(member, password)
            portal_day = f"{day.year}-{day.month}-{day.day}"
            schedules = door.schedules(court, portal_day)[1]["schedules"]
            door_id = next(s["id"] for s in schedules if s["label"] == slot.label)
            _, reply = door.add_reservation(court, portal_day, door_id)
            assert reply["success"] is True, reply
        else:
            person = GridMember(self.running.url, member, password)
            person.login()
            start = slot.start.hour * 3600 + slot.start.minute * 60
            reply = person.book(court, day.isoformat(), start)
            assert reply.status == 302, reply.errors()
