"""A member's story set up through the front doors, fast: the API and the portal's own door.

The history and calendar tests need requests in every status, made for
real: ``ApiMember`` registers and saves the demo portal account through
the API (``POST /api/auth/register``, ``/api/users/me/config``) and asks
for courts with ``POST /api/bookings``. A date the club already opened
(``club_day(1)``) is booked by the engine within seconds; a slot that
``rival_books`` took first at the portal's HTTP door (another portal
member, as at a real club) fails as "taken" with the portal's words; a
date near the window's end waits; ``cancel`` cancels. The browser then
only logs in (``browser.log_in``) and reads.

Every test member books as the demo portal's member 101, whose portal
quota is two active reservations per court: ``PortalTidy`` cancels, at
the end of a module, the portal reservations its bookings made, so later
modules find the portal as the stack started it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import requests

from democlub.__main__ import DEMO_MEMBER
from democlub.client import DoorClient
from tests.integration.booking_stack import CLUB_ZONE

from .browser import unique_username
from .members import PASSWORD

TIMEOUT = 15  # seconds per API call
BOOKED_WITHIN = 90.0  # seconds for the engine to book an open date (a loaded machine)
FINISHED = {"completed", "failed", "cancelled"}
RIVAL = ("303", "rival-portal-303")  # a portal member who is not tennisbook's


def club_day(days_ahead: int) -> date:
    """The club's date ``days_ahead`` days from today (Costa Rica's calendar, not UTC's)."""
    return (datetime.now(UTC).astimezone(CLUB_ZONE) + timedelta(days=days_ahead)).date()


def portal_day(day: date) -> str:
    return f"{day.year}-{day.month}-{day.day}"


@dataclass
class ApiMember:
    """A member registered through the API, with a JWT session for asking."""

    site: Any
    username: str
    session: requests.Session = field(repr=False)

    @classmethod
    def register(cls, site: Any, *, portal_account: bool = True) -> ApiMember:
        username = unique_username()
        answer = requests.post(
            site.page("/api/auth/register"),
            json={"username": username, "email": f"{username}@example.org", "password": PASSWORD},
            timeout=TIMEOUT,
        )
        assert answer.status_code == 201, answer.text
        login = requests.post(
            site.page("/api/auth/login"),
            json={"username": username, "password": PASSWORD},
            timeout=TIMEOUT,
        )
        assert login.status_code == 200, login.text
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {login.json()['access']}"
        member = cls(site, username, session)
        if portal_account:
            member.post(
                "/api/users/me/config",
                {"portal_username": DEMO_MEMBER.member, "portal_password": DEMO_MEMBER.password},
                expect=(200, 201),
            )
        return member

    def post(self, path: str, body: dict, expect=(201,)) -> dict:
        answer = self.session.post(self.site.page(path), json=body, timeout=TIMEOUT)
        assert answer.status_code in expect, f"{path}: {answer.status_code} {answer.text}"
        return answer.json()

    def get(self, path: str) -> dict:
        answer = self.session.get(self.site.page(path), timeout=TIMEOUT)
        assert answer.status_code == 200, f"{path}: {answer.status_code} {answer.text}"
        return answer.json()

    def ask(self, court: str | int, day: date, slot: str) -> dict:
        """``POST /api/bookings``: the created request (pending, or already being booked)."""
        return self.post(
            "/api/bookings",
            {"court_id": int(court), "date": day.isoformat(), "time_slot": slot},
        )

    def cancel(self, request_id: str) -> dict:
        answer = self.session.delete(self.site.page(f"/api/bookings/{request_id}"), timeout=TIMEOUT)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def request(self, request_id: str) -> dict:
        return self.get(f"/api/bookings/{request_id}")

    def wait_until_finished(self, request_id: str, timeout: float = BOOKED_WITHIN) -> dict:
        deadline = time.monotonic() + timeout
        last: dict = {}
        while time.monotonic() < deadline:
            last = self.request(request_id)
            if last["status"] in FINISHED:
                return last
            time.sleep(0.5)
        pytest.fail(
            f"request {request_id} still {last.get('status')} after {timeout:.0f} s\n"
            + self.site.describe(request_id)
        )


class PortalTidy:
    """The demo portal's reservations a module's bookings made, cancelled at its end."""

    def __init__(self, site: Any):
        self.site = site
        self.url = f"http://127.0.0.1:{site.stack.democlub_port}"
        self.made: list[tuple[int, date, str]] = []  # (court, day, slot) booked for 101
        self.rival_made: list[int] = []

    def booked_for_members(self, court: str | int, day: date, slot: str) -> None:
        """Remember a slot the engine is to book as the demo member (cancelled at the end)."""
        self.made.append((int(court), day, slot))

    def rival_books(self, court: str | int, day: date, slot: str) -> None:
        """Another portal member books ``slot`` first, at the portal's HTTP door."""
        self.site.portal.add_member(RIVAL[0], RIVAL[1], "Rival member")
        door = DoorClient(self.url, *RIVAL)
        status, reply = door.schedules(int(court), portal_day(day))
        assert status == 200, reply
        assert reply["success"], reply
        (schedule,) = [s["id"] for s in reply["schedules"] if s["label"] == slot]
        status, reply = door.add_reservation(int(court), portal_day(day), schedule, "rival")
        assert status == 200, reply
        assert reply["success"], reply
        self.rival_made.append(int(reply["reservation_id"]))

    def cancel_all(self) -> None:
        rival = DoorClient(self.url, *RIVAL)
        for reservation in self.rival_made:
            rival.cancel(reservation)
        if not self.made:
            return
        ours = DoorClient(self.url, DEMO_MEMBER.member, DEMO_MEMBER.password)
        status, reply = ours.reservations()
        assert status == 200, reply
        wanted = {(court, portal_day(day), slot) for court, day, slot in self.made}
        for row in reply.get("reservations", []):
            if (row["area"], row["day"], row["schedule"]) in wanted:
                ours.cancel(row["id"])
