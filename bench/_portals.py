"""The release benchmark's side of the two demo portals (``python -m democlub --kind``).

``PortalKind`` says what differs between the condo (the demo club, with its
HTTP door) and the grid (an English MRBS-like portal: CSRF login, per-page
token, start-only slot labels, rolling release checked at receipt, static
files answered at once). ``Bench`` drives one running portal through its
control API: fresh days, openings, the attempt log, and each measured run.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from booker.browser import BrowserSession, BrowserSettings
from booker.engine import BookingEngine, Credentials, EngineSettings, Plan
from booker.htmltext import attribute
from booker.pages import LoginPage, ReservationForm
from booker.profiles import adapter_for, builtin_profile
from booker.rawhttp import Connection, Target, build_request, request
from booker.replay import parse_set_cookie
from booker.results import Choice
from tennisbook.values import TimeSlot

LEAD_S = 1.5  # release this long after preparation ends
SLOT = TimeSlot.parse("De 07:00 AM a 08:00 AM")


@dataclass(frozen=True)
class PortalKind:
    kind: str  # democlub's --kind
    profile: str  # the engine's built-in profile for it
    member: str
    password: str
    court: int
    server_work: tuple[float, float]  # injected per page by default (ms, low-high)

    @property
    def label(self) -> str:
        return {"condo": "first demo portal (condo)", "grid": "second demo portal (grid)"}[
            self.kind
        ]


CONDO = PortalKind("condo", "democlub", "101", "cancha-demo-101", 5, (0.0, 0.0))
GRID = PortalKind("grid", "gridclub", "alex", "grid-demo-alex", 1, (30.0, 80.0))
KINDS = {"first": CONDO, "condo": CONDO, "second": GRID, "grid": GRID}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


class Bench:
    def __init__(self, portal, kind: PortalKind = CONDO):
        self.portal, self.kind = portal, kind
        self.control = portal.control
        self.base_day = date.fromisoformat(self.control.state()["demo_release"]["day"])
        self.next_day = 0
        self.overrides: list[dict] = []
        self.control.set_area(kind.court, member_quota=None)
        self.profile = builtin_profile(kind.profile, portal.url)
        self.adapter = adapter_for(self.profile)

    def set_server_work(self, low_ms: float, high_ms: float) -> None:
        """Every page (not static files, not the control API) takes low..high ms of work."""
        self.control.patch_config(latency_ms=low_ms, latency_jitter_ms=max(high_ms - low_ms, 0))

    def fresh_day(self) -> date:
        self.next_day += 1
        return self.base_day + timedelta(days=self.next_day)

    def open_at(self, day: date, seconds: float) -> datetime:
        now = self.control.clock()["portal_now_ns"] / 1e9
        opens = datetime.fromtimestamp(now + seconds, UTC).replace(microsecond=0)
        opens += timedelta(seconds=1)
        self.overrides.append(
            {"area": self.kind.court, "day": day.isoformat(), "opens_at": opens.isoformat()}
        )
        self.control.patch_config(release_overrides=self.overrides[-30:])
        return opens

    def attempts_on(self, day: date) -> list[dict]:
        """Our attempts (not the competitors') on ``day``, as the portal logged them."""
        return [
            a
            for a in self.control.attempts()
            if a["day"] == day.isoformat() and a["door"] != "competitor"
        ]

    def lateness(self, day: date) -> tuple[float | None, str]:
        """The first attempt's ms after release on ``day``, and its outcome."""
        rows = self.attempts_on(day)
        if not rows:
            return None, "none"
        first = min(rows, key=lambda a: a["received_ns"])
        return first["ms_after_release"], first["outcome"]

    def early(self, day: date) -> int:
        """Attempts the portal received before the release on its own clock: bugs."""
        return sum(
            1
            for a in self.attempts_on(day)
            if a["ms_after_release"] is not None and a["ms_after_release"] < 0
        )

    def engine(self, evidence: Path, **settings) -> BookingEngine:
        return BookingEngine(self.profile, EngineSettings(evidence_dir=evidence, **settings))

    def credentials(self) -> Credentials:
        return Credentials(self.kind.member, self.kind.password)

    # (a) + (d) + (f)
    def engine_release(self, skew_ms: float, evidence: Path, **choices) -> tuple:
        self.control.set_clock(offset_ms=skew_ms)
        day = self.fresh_day()
        plan = Plan(day, [Choice(self.kind.court, SLOT)], retry_window_s=2.0)
        session = self.engine(evidence, **choices).prepare(self.credentials(), plan)
        try:
            error_ms = session.clock.offset_ns / 1e6 - self.control.clock()["offset_ms"]
            opens = self.open_at(day, LEAD_S)
            result = session.fire(opens)
        finally:
            session.close()
        late, outcome = self.lateness(day)
        return late, outcome, error_ms, result, self.early(day)

    # (b)
    def floor_release(self) -> float | None:
        """A minimal pre-authenticated POST sent by this script on the portal's true clock."""
        day = self.fresh_day()
        offset_ns = self.control.offset_ns()
        target = Target.of(self.portal.url)
        raw = self._door_request(target, day) if self.kind.kind == "condo" else None
        raw = raw or self._grid_request(target, day)
        opens = self.open_at(day, LEAD_S)
        connection = Connection(target)
        self.control.wait_until(round(opens.timestamp() * 1e9), offset_ns)
        connection.exchange(raw)
        return self.lateness(day)[0]

    def _door_request(self, target: Target, day: date) -> bytes:
        door = self.portal.door(self.kind.member, self.kind.password)
        portal_day = self.adapter.format_day(day)
        schedules = door.schedules(self.kind.court, portal_day)[1]["schedules"]
        door_id = next(s["id"] for s in schedules if s["label"] == SLOT.label)
        path = "/utilities/process/app/poster.php?app_action=add_reservation"
        form = {"house": self.kind.member, "password": door.password_md5,
                "area": str(self.kind.court), "day": portal_day, "schedule": str(door_id),
                "comments": ""}  # fmt: skip
        return build_request(target, "POST", path, form=form)

    def _grid_request(self, target: Target, day: date) -> bytes:
        """Log in over HTTP, read the form's fresh token, prebuild the booking POST."""
        jar: dict[str, str] = {}

        def get(path: str, form: dict | None = None):
            method = "POST" if form is not None else "GET"
            answer = request(target, build_request(target, method, path, form=form, cookies=jar))
            for header in answer.header_all("set-cookie"):
                cookie = parse_set_cookie(header)  # SimpleCookie drops unknown flags' headers
                if cookie and not cookie[2]:
                    jar[cookie[0]] = cookie[1]
            return answer

        token = attribute(get("/login").text, "input[name=csrf_token]", "value")
        get("/login", {"csrf_token": token, "next": "", "username": self.kind.member,
                       "password": self.kind.password})  # fmt: skip
        page = get(f"/book?court={self.kind.court}&date={day.isoformat()}").text
        start = SLOT.start.hour * 3600 + SLOT.start.minute * 60
        form = {"csrf_token": attribute(page, "input[name=csrf_token]", "value"),
                "court": str(self.kind.court), "date": day.isoformat(), "start": str(start),
                "end_time": str(start + 3600), "notes": ""}  # fmt: skip
        return build_request(target, "POST", "/book", form=form, cookies=jar)

    # (c)
    def naive_release(self) -> float | None:
        day = self.fresh_day()
        opens = self.open_at(day, LEAD_S + 1)
        self.control.wait_until(round(opens.timestamp() * 1e9))
        with BrowserSession(BrowserSettings()) as browser:
            dashboard = LoginPage(browser.driver, self.profile).login(
                self.kind.member, self.kind.password
            )
            form = ReservationForm(browser.driver, self.profile)
            form.open({"area": str(self.kind.court), "day": self.adapter.format_day(day),
                       "dashboard_url": dashboard})  # fmt: skip
            options = dict(form.snapshot()["options"])
            form.submit(options[self.adapter.slot_label(SLOT)])
            form.reply()
        return self.lateness(day)[0]

    # (e)
    def race(self, delta_ms: float, evidence: Path) -> bool:
        self.control.set_clock(offset_ms=random.uniform(-3000, 3000))
        day = self.fresh_day()
        self.control.add_member("rival", "rival-password")
        plan = Plan(day, [Choice(self.kind.court, SLOT)], 1.0)
        session = self.engine(evidence).prepare(self.credentials(), plan)
        try:
            opens = self.open_at(day, LEAD_S)
            self.control.add_competitor(
                "rival", self.kind.court, self.adapter.format_day(day), "07:00", delay_ms=delta_ms
            )
            result = session.fire(opens)
        finally:
            session.close()
        return result.outcome.value == "booked"
