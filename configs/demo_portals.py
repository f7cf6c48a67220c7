"""The two demo portals ``DEMOCLUB_KIND`` chooses between, as the site sees them.

``make run`` starts ``python -m democlub --kind condo|grid``; the club
settings' defaults (courts, release rules, portal profile) and the demo
member's portal account and sample request follow the kind, so a newcomer's
stack books on whichever portal runs. The values mirror democlub's own
defaults and ``--demo`` seed (democlub/README.md): the site never imports
the demo portal, which is a separate program.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from django.conf import settings

from tennisbook.values import hourly_slots


@dataclass(frozen=True)
class DemoPortal:
    """One demo portal: its built-in profile, courts, and tennisbook's demo account there."""

    kind: str
    profile: str  # a built-in profile of booker.profiles
    courts: tuple[tuple[int, str], ...]  # (id, name); every court has the same slots
    first_slot: time  # hourly slots from here ...
    last_slot_end: time  # ... to here
    member: str  # the demo member of `democlub --demo`
    password: str
    preferred_court: int
    preferred_slots: tuple[str, ...]  # canonical labels
    # seed_demo's sample request: court, slot and an alternative court. Not the
    # demo release's court and slot (demo_release), which moves a day ahead
    # each day and would collide with it.
    sample: tuple[int, str, int]

    def court_list(self) -> list[dict]:
        """The ``courts`` setting's value: every slot in its canonical label."""
        slots = [slot.label for slot in hourly_slots(self.first_slot, self.last_slot_end)]
        return [{"id": court_id, "name": name, "slots": slots} for court_id, name in self.courts]


# The demo members' credentials are public by design, like democlub's own.
DEMO_PORTALS = {
    "condo": DemoPortal(
        kind="condo",
        profile="democlub",
        courts=((5, "Cancha de Tenis 1"), (7, "Cancha de Tenis 2")),
        first_slot=time(6),
        last_slot_end=time(19),
        member="101",
        password="cancha-demo-101",  # noqa: S106 - a demo account on a demo portal
        preferred_court=5,
        preferred_slots=("De 07:00 AM a 08:00 AM", "De 08:00 AM a 09:00 AM"),
        # The demo release is court 5 at 07:00, nine days ahead.
        sample=(5, "De 08:00 AM a 09:00 AM", 7),
    ),
    "grid": DemoPortal(
        kind="grid",
        profile="gridclub",
        courts=tuple((n, f"Court {n}") for n in range(1, 5)),
        first_slot=time(7),
        last_slot_end=time(22),
        member="alex",
        password="grid-demo-alex",  # noqa: S106 - a demo account on a demo portal
        preferred_court=1,
        preferred_slots=("De 08:00 AM a 09:00 AM", "De 09:00 AM a 10:00 AM"),
        # The demo release is court 1 at 8:00 AM, eight days ahead.
        sample=(1, "De 09:00 AM a 10:00 AM", 2),
    ),
}


def demo_portal(kind: str | None = None) -> DemoPortal:
    """The demo portal of ``kind``, by default the one ``DEMOCLUB_KIND`` names."""
    return DEMO_PORTALS[kind or settings.DEMOCLUB_KIND]
