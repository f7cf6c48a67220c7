"""The two demo portals, as the site sees them, and the demo clubs booking on them.

``make run`` starts both kinds of ``python -m democlub``: the one
``DEMOCLUB_KIND`` names (condo or grid) at ``DEMOCLUB_URL``, for the default
club, and the other at ``DEMOCLUB_SECOND_URL``, for a second demo club whose
id is that kind's name (``demo_clubs``). Each club's settings (courts,
release rules, portal profile) and the demo member's portal account and
sample request there follow its portal's kind. The values mirror democlub's
own defaults and ``--demo`` seed (democlub/README.md): the site never
imports the demo portal, which is a separate program.
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
    club_name: str  # the name seed_demo gives the demo club on this portal
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
        club_name="Demo condominium",
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
        club_name="Demo grid club",
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


def demo_portal_url(kind: str | None = None) -> str:
    """Where ``make run`` runs the demo portal of ``kind``.

    The ``DEMOCLUB_KIND`` portal (the default club's) is at ``DEMOCLUB_URL``,
    the other kind (the second demo club's) at ``DEMOCLUB_SECOND_URL``.
    """
    kind = kind or settings.DEMOCLUB_KIND
    return settings.DEMOCLUB_URL if kind == settings.DEMOCLUB_KIND else settings.DEMOCLUB_SECOND_URL


def demo_portal(kind: str | None = None) -> DemoPortal:
    """The demo portal of ``kind``, by default the one ``DEMOCLUB_KIND`` names."""
    return DEMO_PORTALS[kind or settings.DEMOCLUB_KIND]


def second_kind(kind: str | None = None) -> str:
    """The demo portal kind that is not ``kind`` (``DEMOCLUB_KIND``): the second demo club's."""
    kind = kind or settings.DEMOCLUB_KIND
    return next(other for other in DEMO_PORTALS if other != kind)


def demo_clubs() -> list[tuple[str, str]]:
    """``(club id, portal kind)`` of the demo clubs ``make run`` books on, the default first.

    The default club (``DEFAULT_CLUB_ID``) is on the ``DEMOCLUB_KIND``
    portal; the second demo club is on the other portal, and its id is that
    kind's name. A default club with that very id leaves no room for a
    second demo club: there is then only the default one.
    """
    default, second = settings.DEFAULT_CLUB_ID, second_kind()
    clubs = [(default, settings.DEMOCLUB_KIND)]
    if second != default:
        clubs.append((second, second))
    return clubs
