"""Portal adapters: what a profile's data cannot express.

The engine calls these hooks and never names a portal's selectors. The base
``PortalAdapter`` implements everything from the profile's data; a club whose
portal has a quirk that data cannot describe gets a small subclass here,
registered in ``ADAPTERS`` under the name its profile gives in ``adapter``.
"""

from __future__ import annotations

import hashlib
from datetime import date

from tennisbook.values import TimeSlot


class PortalAdapter:
    """Profile-driven behaviour shared by every portal."""

    def __init__(self, profile: dict):
        self.profile = profile

    def format_day(self, day: date) -> str:
        """The date as the portal writes it in URLs and form fields."""
        return self.profile["day_format"].format(year=day.year, month=day.month, day=day.day)

    def slot_label(self, slot: TimeSlot) -> str:
        spec = self.profile["slot_label"]
        fmt = spec["time_format"]
        return spec["format"].format(start=slot.start.strftime(fmt), end=slot.end.strftime(fmt))

    def door_password(self, password: str) -> str:
        """The password as the door wants it on every call (some portals hash it)."""
        kind = self.profile["door"].get("password_hash", "none")
        if kind == "none":
            return password
        return hashlib.new(kind, password.encode(), usedforsecurity=False).hexdigest()

    def door_schedule_id(self, web_id: str) -> str | None:
        """The door's id of a slot from its web id, when the door cannot list them."""
        return None


class DemoclubAdapter(PortalAdapter):
    """The demo club (and the real portal it imitates).

    Its door's schedule ids are the web form's ids minus 2 (PORTAL.md): a rule
    of arithmetic, not data, used only when ``get_schedules`` is unavailable.
    """

    def door_schedule_id(self, web_id: str) -> str | None:
        return str(int(web_id) - 2) if web_id.isdigit() else None


ADAPTERS: dict[str, type[PortalAdapter]] = {
    "default": PortalAdapter,
    "democlub": DemoclubAdapter,
}


def adapter_for(profile: dict) -> PortalAdapter:
    return ADAPTERS[profile.get("adapter", "default")](profile)
