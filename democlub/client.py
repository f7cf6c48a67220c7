"""Python clients for a running democlub: the control API and the HTTP door.

Standard library only (``urllib``), so tests, benchmarks and the runner can
use it without the portal's process internals::

    control = ControlClient("http://127.0.0.1:8100", token)
    control.set_clock(now="2026-12-01T00:00:00-06:00")
    door = DoorClient("http://127.0.0.1:8100", "101", "cancha-demo-101")
    door.add_reservation(area=5, day="2026-12-9", schedule=door_id)
"""

from __future__ import annotations

import hashlib
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any


class ControlError(Exception):
    """A non-2xx answer of the control API; ``body`` holds its JSON error."""

    def __init__(self, status: int, body: Any):
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body


class ControlClient:
    """Thin wrapper over ``/_control/*`` (see democlub/README.md)."""

    def __init__(self, base_url: str, token: str, timeout: float = 10.0):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def request(self, method: str, path: str, body: Any = None, **query: Any) -> Any:
        params = {k: v for k, v in query.items() if v is not None}
        url = f"{self.base_url}/_control{path}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - http(s) only
        req.add_header("Authorization", f"Bearer {self.token}")
        req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310
                return json.loads(resp.read().decode())
        except urllib.error.HTTPError as exc:
            raw = exc.read().decode(errors="replace")
            try:
                payload = json.loads(raw)
            except ValueError:
                payload = raw
            raise ControlError(exc.code, payload) from None

    # --- state and settings ---

    def state(self) -> dict:
        return self.request("GET", "/state")

    def config(self) -> dict:
        return self.request("GET", "/config")

    def patch_config(self, **changes: Any) -> dict:
        """Replace top-level settings keys (same names as the config file)."""
        return self.request("PATCH", "/config", changes)

    def reset(self) -> dict:
        return self.request("POST", "/reset")

    def add_member(self, member: str, password: str, name: str = "") -> dict:
        return self.request(
            "POST", "/members", {"member": member, "password": password, "name": name}
        )

    def set_area(self, area_id: int, **fields: Any) -> dict:
        """Merge fields (``release``, ``member_quota``, ``slots``...) into one area."""
        return self.request("PUT", "/area", {"id": area_id, **fields})

    def add_competitor(
        self, member: str, area: int, day: str, slot: str, delay_ms: float = 0
    ) -> dict:
        body = {"member": member, "area": area, "day": day, "slot": slot, "delay_ms": delay_ms}
        return self.request("POST", "/competitors", body)

    def competitors(self) -> list[dict]:
        return self.request("GET", "/competitors")["competitors"]

    # --- clock ---

    def clock(self) -> dict:
        return self.request("GET", "/clock")

    def set_clock(self, offset_ms: float | None = None, now: str | None = None) -> dict:
        """Set the portal's offset against real time, directly or via a target ``now``."""
        body = {"now": now} if now is not None else {"offset_ms": offset_ms}
        return self.request("PUT", "/clock", body)

    def offset_ns(self) -> int:
        return round(self.clock()["offset_ms"] * 1_000_000)

    def portal_now_ns(self, offset_ns: int | None = None) -> int:
        """The portal's clock computed locally (same host, so no round trip error)."""
        return time.time_ns() + (self.offset_ns() if offset_ns is None else offset_ns)

    def wait_until(self, portal_ns: int, offset_ns: int | None = None) -> int:
        """Sleep, then spin, until the portal's clock reaches ``portal_ns``; return it."""
        offset = self.offset_ns() if offset_ns is None else offset_ns
        while (remaining := portal_ns - (time.time_ns() + offset)) > 2_000_000:
            time.sleep((remaining - 1_500_000) / 1e9)
        while (now := time.time_ns() + offset) < portal_ns:
            pass
        return now

    # --- lookups ---

    def release(self, area: int, day: str, slot: str) -> dict:
        return self.request("GET", "/release", area=area, day=day, slot=slot)

    def schedules(self, area: int, day: str) -> list[dict]:
        return self.request("GET", "/schedules", area=area, day=day)["schedules"]

    def attempts(self, since_id: int | None = None, since_ns: int | None = None) -> list[dict]:
        return self.request("GET", "/attempts", since_id=since_id, since_ns=since_ns)["attempts"]

    def reservations(self, **filters: Any) -> list[dict]:
        return self.request("GET", "/reservations", **filters)["reservations"]


class DoorClient:
    """The portal's mobile-app door: member + MD5(password) on every call."""

    def __init__(self, base_url: str, member: str, password: str, timeout: float = 10.0):
        self.url = base_url.rstrip("/") + "/utilities/process/app/poster.php"
        self.member = member
        self.password_md5 = hashlib.md5(password.encode(), usedforsecurity=False).hexdigest()
        self.timeout = timeout

    def call(self, action: str, **params: Any) -> tuple[int, dict]:
        """POST one action; returns (HTTP status, JSON reply)."""
        fields = {"house": self.member, "password": self.password_md5, **params}
        data = urllib.parse.urlencode(fields).encode()
        url = f"{self.url}?app_action={urllib.parse.quote(action)}"
        req = urllib.request.Request(url, data=data, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310
                return resp.status, json.loads(resp.read().decode())
        except urllib.error.HTTPError as exc:
            raw = exc.read().decode(errors="replace")
            try:
                return exc.code, json.loads(raw)
            except ValueError:
                return exc.code, {"success": False, "message": raw}

    def add_reservation(self, area: int, day: str, schedule: int, comments: str = ""):
        return self.call(
            "add_reservation", area=area, day=day, schedule=schedule, comments=comments
        )

    def schedules(self, area: int, day: str):
        return self.call("get_schedules", area=area, day=day)

    def reservations(self):
        return self.call("get_reservations")

    def cancel(self, reservation_id: int):
        return self.call("cancel_reservation", id=reservation_id)
