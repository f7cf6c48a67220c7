"""What the engine hands back: plain dataclasses with ``to_dict()`` for storage.

``BookingResult.to_dict()`` is what the processor stores in a request's
``result`` map (JSON-safe: strings, numbers, booleans, lists, dicts).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from enum import Enum, StrEnum

from tennisbook.values import TimeSlot


class ReplyKind(StrEnum):
    """What one portal reply said: the classifier's and the submit loop's words.

    The profile's ``reply.patterns`` are keyed by the kinds a page's text can
    show (``CLASSIFIED``); the others come from the transport.
    """

    SUCCESS = "success"
    NOT_OPEN = "not_open"
    SLOT_TAKEN = "slot_taken"
    QUOTA = "quota"
    SESSION_EXPIRED = "session_expired"
    BAD_CREDENTIALS = "bad_credentials"
    SERVER_ERROR = "server_error"
    TRANSPORT_ERROR = "transport_error"
    UNKNOWN = "unknown"


# The kinds a profile's reply patterns may name, in the order they are tried.
CLASSIFIED = (
    ReplyKind.SUCCESS,
    ReplyKind.NOT_OPEN,
    ReplyKind.SLOT_TAKEN,
    ReplyKind.QUOTA,
    ReplyKind.SESSION_EXPIRED,
    ReplyKind.BAD_CREDENTIALS,
    ReplyKind.SERVER_ERROR,
)


class Outcome(StrEnum):
    """The final outcome of one booking run."""

    BOOKED = "booked"  # success reply and found in the member's reservation list
    ALREADY_BOOKED = "already_booked"  # found in the list before submitting
    UNVERIFIED = "unverified"  # success reply, but not found in the list
    DRY_RUN = "dry_run"  # everything but the final submit
    NOT_OPEN = "not_open"  # still "not yet open" when the retry window closed
    SLOT_TAKEN = "slot_taken"  # every choice was taken
    QUOTA = "quota"  # the member's quota is reached: stopped
    LOGIN_FAILED = "login_failed"  # wrong portal credentials
    LEASE_LOST = "lease_lost"  # another worker took the request over: stopped before a submit
    PORTAL_ERROR = "portal_error"  # errors or no answer until the window closed
    UNKNOWN = "unknown"  # a reply we could not classify
    ERROR = "error"  # the engine failed (browser crashed, page changed...)

    @property
    def ok(self) -> bool:
        return self in (Outcome.BOOKED, Outcome.ALREADY_BOOKED, Outcome.DRY_RUN)


REASONS = {
    Outcome.BOOKED: "Booked and confirmed in your reservation list.",
    Outcome.ALREADY_BOOKED: "You already hold this booking on the portal.",
    Outcome.UNVERIFIED: "The portal said yes, but the booking is not in your reservation list.",
    Outcome.DRY_RUN: "Dry run: everything was ready; nothing was submitted.",
    Outcome.NOT_OPEN: "The portal did not open the date before the retry window closed.",
    Outcome.SLOT_TAKEN: "Every slot you asked for was already taken.",
    Outcome.QUOTA: "The portal says you reached your reservation limit.",
    Outcome.LOGIN_FAILED: "The portal refused your username or password.",
    Outcome.LEASE_LOST: "Another worker took this booking over; it carries on there.",
    Outcome.PORTAL_ERROR: "The portal kept failing until the retry window closed.",
    Outcome.UNKNOWN: "The portal gave an answer we did not recognise.",
    Outcome.ERROR: "The booking engine failed; see the details.",
}


@dataclass(frozen=True)
class Choice:
    """One acceptable (court, slot), in the member's order of preference."""

    court: int
    slot: TimeSlot

    def to_dict(self) -> dict:
        return {"court": self.court, "slot": self.slot.label}


@dataclass
class Plan:
    """What to book: a club date and ordered choices; how hard to try."""

    day: date
    choices: list[Choice]
    retry_window_s: float | None = None  # None: the engine's setting
    dry_run: bool = False
    run_id: str = ""  # names the evidence directory (the request id)
    # For the portal's comments field, where the profile fills one with
    # ``{comments}``: the partners' names and the member's notes.
    comments: str = ""

    def __post_init__(self) -> None:
        if not self.choices:
            raise ValueError("a plan needs at least one choice")


@dataclass(frozen=True)
class Credentials:
    """Plaintext portal credentials (decrypted by the caller). Never printed."""

    username: str
    password: str = field(repr=False)


@dataclass
class AttemptRecord:
    """One submit: which choice, which path, when, and what the portal said."""

    choice: dict
    path: str
    outcome: str
    message: str
    sent_at_ns: int  # local wall clock
    portal_sent_ns: int  # the same instant on the portal's clock (estimated)
    ms_after_release: float
    round_trip_ms: float
    http_status: int | None = None


def _plain(value):
    """``value`` with every enum member (a ``StrEnum`` is a ``str`` subclass) made plain."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, Enum):
        return _plain(value.value)
    return value


@dataclass
class BookingResult:
    outcome: Outcome
    message: str = ""  # the portal's own words, when it said something
    reason: str = ""  # for the member
    choice: dict | None = None  # the choice booked (or last tried)
    confirmation: dict | None = None  # e.g. {"reservation_id": "12", "row": {...}}
    verified: bool = False
    attempts: list[AttemptRecord] = field(default_factory=list)
    timings: list[dict] = field(default_factory=list)  # [{"step", "ms", ...}]
    clock: dict | None = None
    evidence: dict = field(default_factory=dict)  # {"screenshot": path, "html": path}
    release_at: str | None = None
    detail: str = ""  # technical detail for operators (never a secret)
    # When the portal opened as the submits saw it (``session._opening``):
    # None when it never answered "not yet open".
    opened: dict | None = None

    def __post_init__(self) -> None:
        if not self.reason:
            self.reason = REASONS[self.outcome]

    @property
    def ok(self) -> bool:
        return self.outcome.ok

    def to_dict(self) -> dict:
        """Plain JSON values only: DynamoDB's map attribute refuses an enum member."""
        data = _plain(asdict(self))
        data["outcome"] = self.outcome.value
        data["ok"] = self.ok
        data["timings_ms"] = {t["step"]: t["ms"] for t in self.timings}
        return data
