"""The control API (``/_control/...``): JSON, loopback only, bearer token.

Tests and benchmarks drive the portal through it: settings (the same keys
as the config file), the clock offset, members, areas, competitors, the
attempt log, reservations and reset. Errors are
``{"error": {"code", "message", "fields"}}`` with the bad field named.
"""

from __future__ import annotations

import datetime as dt
import hmac
import ipaddress
from collections.abc import Callable
from typing import Any

from democlub.booking import reservation_json
from democlub.competitors import CompetitorRunner
from democlub.parsing import ConfigError, parse_area, parse_competitor, parse_member
from democlub.portal import Portal
from democlub.release import opens_at, to_ns
from democlub.slots import door_id, format_day, parse_day, parse_slot_start, slot_text, web_ids
from democlub.wsgi import Request, Response, json_response

PREFIX = "/_control"


class BadRequest(Exception):
    """A 4xx answer; ``field`` names the offending input."""

    def __init__(self, field: str, message: str, status: int = 400):
        super().__init__(message)
        self.field, self.message, self.status = field, message, status


def _error(status: int, code: str, message: str, field: str | None = None) -> Response:
    fields = {field: message} if field else {}
    return json_response({"error": {"code": code, "message": message, "fields": fields}}, status)


def is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.split("%")[0]).is_loopback
    except ValueError:
        return False


class ControlApi:
    """Routes ``/_control/*`` requests; constructed once per process."""

    def __init__(self, portal: Portal, competitors: CompetitorRunner, token: str):
        self.portal = portal
        self.competitors = competitors
        self._token = token.encode()
        self._routes: dict[tuple[str, str], Callable[[Request], Any]] = {
            ("GET", "/state"): self.state,
            ("GET", "/config"): lambda r: self.portal.settings.to_json(),
            ("PATCH", "/config"): self.patch_config,
            ("GET", "/clock"): lambda r: self.clock(),
            ("PUT", "/clock"): self.set_clock,
            ("POST", "/members"): self.put_member,
            ("PUT", "/area"): self.put_area,
            ("GET", "/competitors"): lambda r: {"competitors": self.competitors.status()},
            ("POST", "/competitors"): self.add_competitor,
            ("GET", "/release"): self.release,
            ("GET", "/schedules"): self.schedules,
            ("GET", "/attempts"): self.attempts,
            ("GET", "/reservations"): self.reservations,
            ("POST", "/reset"): self.reset,
        }

    def __call__(self, request: Request) -> Response:
        if not is_loopback(request.remote_addr):
            return _error(403, "forbidden", "the control API answers loopback clients only")
        given = request.header("Authorization").removeprefix("Bearer ").strip().encode()
        if not given or not hmac.compare_digest(given, self._token):
            return _error(401, "unauthorized", "missing or wrong bearer token")
        handler = self._routes.get((request.method, request.path[len(PREFIX) :] or "/"))
        if handler is None:
            return _error(404, "not_found", f"no control endpoint {request.method} {request.path}")
        try:
            return json_response(handler(request))
        except ConfigError as exc:
            return _error(400, "invalid", exc.message, exc.key)
        except BadRequest as exc:
            return _error(exc.status, "invalid", exc.message, exc.field)

    # --- helpers ---

    @staticmethod
    def _body(request: Request) -> dict[str, Any]:
        try:
            data = request.json()
        except ValueError:
            raise BadRequest("body", "must be a JSON object") from None
        if not isinstance(data, dict):
            raise BadRequest("body", "must be a JSON object")
        return data

    def _area_day(self, params: dict[str, str]):
        settings = self.portal.settings
        text = params.get("area", "")
        area = settings.area(int(text)) if text.isdigit() else None
        if area is None:
            raise BadRequest("area", "unknown area")
        try:
            day = parse_day(params.get("day", ""))
        except ValueError:
            raise BadRequest("day", "must be a date like 2026-12-5") from None
        return area, day

    @staticmethod
    def _int_param(params: dict[str, str], name: str) -> int | None:
        text = params.get(name)
        if text in (None, ""):
            return None
        if not text.lstrip("-").isdigit():
            raise BadRequest(name, "must be an integer")
        return int(text)

    # --- endpoints ---

    def clock(self) -> dict[str, Any]:
        now_ns = self.portal.now_ns()
        settings = self.portal.settings
        return {
            "offset_ms": settings.clock_offset_ms,
            "portal_now_ns": now_ns,
            "portal_now": dt.datetime.fromtimestamp(now_ns / 1e9, tz=settings.timezone).isoformat(),
            "timezone": settings.timezone.key,
        }

    def set_clock(self, request: Request) -> dict[str, Any]:
        """``{"offset_ms": n}`` or ``{"now": "<aware ISO>"}`` (offset computed from it)."""
        data = self._body(request)
        if "now" in data:
            try:
                target = dt.datetime.fromisoformat(str(data["now"]))
            except ValueError:
                raise BadRequest("now", "must be an ISO 8601 date-time with an offset") from None
            if target.tzinfo is None:
                raise BadRequest("now", "must carry a UTC offset")
            real = dt.datetime.now(dt.UTC)
            offset_ms = (target - real) / dt.timedelta(milliseconds=1)
        elif "offset_ms" in data:
            offset_ms = data["offset_ms"]
        else:
            raise BadRequest("offset_ms", "give offset_ms or now")
        self.portal.patch({"clock_offset_ms": offset_ms})
        return self.clock()

    def state(self, request: Request) -> dict[str, Any]:
        settings = self.portal.settings
        demo = settings.demo_release
        demo_json = None
        if demo is not None:
            area = settings.area(demo.area)
            demo_json = {
                **demo.to_json(settings.kind),
                "area_name": area.name if area else "",
                "portal_day": format_day(demo.day),
                "opens_at_ns": to_ns(demo.opens_at),
            }
        return {
            "kind": settings.kind,
            "clock": self.clock(),
            "demo_release": demo_json,
            "members": [m.member for m in settings.members],
            "areas": [{"id": a.id, "name": a.name} for a in settings.areas],
            "reservations": len(self.portal.store.reservations()),
            "attempts": len(self.portal.store.attempts(limit=10**9)),
        }

    def patch_config(self, request: Request) -> dict[str, Any]:
        return self.portal.patch(self._body(request)).to_json()

    def put_member(self, request: Request) -> dict[str, Any]:
        """Add or replace one member: ``{"member", "password", "name"?}``."""
        member = parse_member(self._body(request), "member")
        current = [m.to_json() for m in self.portal.settings.members if m.member != member.member]
        self.portal.patch({"members": [*current, member.to_json()]})
        return member.to_json()

    def put_area(self, request: Request) -> dict[str, Any]:
        """Merge fields into one area (or add it): ``{"id": 5, "release": {...}}``."""
        data = self._body(request)
        if "id" not in data:
            raise BadRequest("id", "is required")
        areas = [a.to_json() for a in self.portal.settings.areas]
        existing = next((a for a in areas if a["id"] == data["id"]), None)
        merged = {**existing, **data} if existing else data
        parse_area(merged, "area")  # names the bad field as area.<key>
        areas = [merged if a is existing else a for a in areas] if existing else [*areas, merged]
        settings = self.portal.patch({"areas": areas})
        return settings.area(data["id"]).to_json()

    def add_competitor(self, request: Request) -> dict[str, Any]:
        competitor = parse_competitor(self._body(request), "competitor")
        current = [c.to_json() for c in self.portal.settings.competitors]
        self.portal.patch({"competitors": [*current, competitor.to_json()]})
        return {"competitors": self.competitors.status()}

    def release(self, request: Request) -> dict[str, Any]:
        """When (area, day, slot) opens: ``?area=5&day=2026-12-5&slot=07:00``."""
        area, day = self._area_day(request.query)
        try:
            start = parse_slot_start(request.query.get("slot", ""))
        except ValueError:
            raise BadRequest("slot", 'must be "HH:MM" or a slot label') from None
        moment = opens_at(self.portal.settings, area, day, start)
        return {"opens_at": moment.isoformat(), "opens_at_ns": to_ns(moment)}

    def schedules(self, request: Request) -> dict[str, Any]:
        """Web and door ids of a day's slots (tests and benchmarks skip the form)."""
        area, day = self._area_day(request.query)
        settings = self.portal.settings
        grid = settings.grid(area)
        ids = web_ids(settings.kind, area.id, day, grid.starts())
        return {
            "schedules": [
                {
                    "slot": slot_text(settings.kind, s, grid.minutes),
                    "web_id": ids[s],
                    "door_id": door_id(settings.kind, ids[s]),
                    "opens_at_ns": to_ns(opens_at(settings, area, day, s)),
                }
                for s in grid.starts()
            ]
        }

    def attempts(self, request: Request) -> dict[str, Any]:
        """The attempt log, oldest first: ``?since_id=&since_ns=&limit=``."""
        params = request.query
        limit = self._int_param(params, "limit") or 1000
        rows = self.portal.store.attempts(
            since_id=self._int_param(params, "since_id"),
            since_ns=self._int_param(params, "since_ns"),
            limit=max(1, min(limit, 100_000)),
        )
        for row in rows:
            release = row["release_ns"]
            row["ms_after_release"] = (
                None if release is None else (row["received_ns"] - release) / 1e6
            )
        return {"attempts": rows}

    def reservations(self, request: Request) -> dict[str, Any]:
        params = request.query
        area = self._int_param(params, "area")
        day = None
        if params.get("day"):
            try:
                day = parse_day(params["day"]).isoformat()
            except ValueError:
                raise BadRequest("day", "must be a date like 2026-12-5") from None
        rows = self.portal.store.reservations(
            member=params.get("member") or None,
            area=area,
            day=day,
            include_cancelled=params.get("include_cancelled") in ("1", "true"),
        )
        return {"reservations": [reservation_json(r, self.portal.settings) for r in rows]}

    def reset(self, request: Request) -> dict[str, Any]:
        self.portal.reset()
        return {"reset": True, "clock": self.clock()}
