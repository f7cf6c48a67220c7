"""The portal's direct HTTP door (the mobile app's endpoint), when a profile allows it.

No session: every call carries the member and the password (hashed as the
profile says). Requests are built before the release instant and sent on a
pre-opened connection. Replies are JSON whose message is classified with the
same patterns as the web form's.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from .classify import classify
from .profiles import PortalAdapter
from .rawhttp import Response, Target, build_request, request
from .results import ReplyKind
from .submit import Reply, Unavailable, WarmPool, exchange


class DoorClient:
    """Builds and sends door calls for one member."""

    def __init__(self, profile: dict, adapter: PortalAdapter, username: str, password: str):
        spec = profile["door"]
        if not spec.get("enabled"):
            raise Unavailable("the profile does not allow the HTTP door")
        self.profile, self.spec, self.adapter = profile, spec, adapter
        self.target = Target.of(profile["base_url"])
        self._auth = {
            spec["member_field"]: username,
            spec["password_field"]: adapter.door_password(password),
        }
        self.pool = WarmPool(self.target)

    def build(self, action_spec: dict, context: dict) -> bytes:
        path = f"{self.spec['url']}?{urlencode({self.spec['action_param']: action_spec['action']})}"
        fields = {k: v.format(**context) for k, v in action_spec["fields"].items()}
        return build_request(self.target, "POST", path, form={**self._auth, **fields})

    def call(self, action_spec: dict, context: dict) -> tuple[Response, dict]:
        response = request(self.target, self.build(action_spec, context))
        return response, _json(response)

    def schedule_ids(self, area: str, day: str) -> dict[str, str]:
        """Slot label → door id, from the door's own listing (empty if it has none)."""
        spec = self.spec.get("schedules")
        if not spec:
            return {}
        response, data = self.call(spec, {"area": area, "day": day})
        if response.status == 404:
            raise Unavailable("the portal's HTTP door answers 404")
        items = data.get(spec["list_key"]) or []
        return {str(item[spec["label_key"]]): str(item[spec["id_key"]]) for item in items}

    def reservations(self) -> list[dict]:
        """The member's reservations as rows like the web list's (``verify.find_booking``).

        Raises ``Unavailable`` when the profile names no listing action or the
        door is closed; rows carry ``area`` (the court id) besides the web keys.
        """
        spec = self.spec.get("reservations")
        if not spec:
            raise Unavailable("the profile's door has no reservation listing")
        response, data = self.call(spec, {})
        if response.status == 404:
            raise Unavailable("the portal's HTTP door answers 404")
        if response.status >= 400 or not data:
            raise Unavailable(f"the door's reservation listing answered HTTP {response.status}")
        keys = {"id": spec["id_key"], "area": spec["area_key"], "day": spec["day_key"],
                "slot": spec["slot_key"]}  # fmt: skip
        rows = data.get(spec["list_key"]) or []
        return [{name: str(item.get(key, "")) for name, key in keys.items()} for item in rows]

    def reply_of(self, response: Response) -> Reply:
        data = _json(response)
        message = str(data.get(self.spec["message_key"], "")) if data else response.text[:300]
        if response.status == 404:
            raise Unavailable("the portal's HTTP door answers 404")
        if response.status >= 500:
            outcome = ReplyKind.SERVER_ERROR
        else:
            outcome = classify(message, self.profile["reply"]["patterns"])
        return Reply(
            outcome, message, response.sent_ns, response.received_ns, response.status,
            response.text, "json",
        )  # fmt: skip


class DoorPath:
    """Submit through the door: one prepared request per choice."""

    name = "door"

    def __init__(self, client: DoorClient):
        self.client = client
        self.requests: dict[object, bytes] = {}

    def prepare(self, key: object, context: dict) -> None:
        self.requests[key] = self.client.build(self.client.spec["add"], context)

    def ready(self, key: object) -> bool:
        return key in self.requests

    def warm(self) -> None:
        self.client.pool.warm()

    def arm(self, key: object) -> None:
        """Nothing to get ready: the request is prebuilt."""

    def send(self, key: object) -> Reply:
        return self.client.reply_of(exchange(self.client.pool, self.requests[key]))

    def close(self) -> None:
        self.client.pool.close()


def _json(response: Response) -> dict:
    try:
        data = json.loads(response.text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
