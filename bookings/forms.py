"""The booking form of the member pages, as the API's create body.

The page posts plain form fields (``alt_court``/``alt_slot`` repeated once
per alternative, ``partner`` once per name); ``BookingForm`` turns them into
the body ``POST /api/bookings`` takes, checked by the API's own serializer
and then by the same workflow call, and keeps what the member typed for the
page to show again beside the errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import zip_longest

from django.http import QueryDict

from configs import services as config_services

from .choices import MAX_PARTNERS, OnConflict

FIELDS = ("court_id", "date", "time_slot", "notes", "on_conflict")


@dataclass
class Alternative:
    court_id: str = ""
    time_slot: str = ""


@dataclass
class BookingForm:
    """What the member typed (strings, as typed) and its API body."""

    club: str
    court_id: str = ""
    date: str = ""
    time_slot: str = ""
    alternatives: list[Alternative] = field(default_factory=list)
    partners: list[str] = field(default_factory=list)
    notes: str = ""
    on_conflict: str = OnConflict.SUGGEST.value

    @classmethod
    def from_post(cls, club: str, data: QueryDict) -> BookingForm:
        courts, slots = data.getlist("alt_court"), data.getlist("alt_slot")
        alternatives = [
            Alternative(court.strip(), slot.strip())
            for court, slot in zip_longest(courts, slots, fillvalue="")
            if court.strip() or slot.strip()
        ]
        partners = [name for name in data.getlist("partner") if name.strip()]
        values = {name: data.get(name, "") for name in FIELDS}
        return cls(club, alternatives=alternatives, partners=partners, **values)

    @classmethod
    def from_query(
        cls, club: str, data: QueryDict, *, preferred_court=None, preferred_slot="", policy=""
    ):
        """A form prefilled from the URL (a suggestion or a template link), else preferences.

        The conflict choice starts as the club's own policy ("queue" or "reject").
        """
        return cls(
            club,
            court_id=data.get("court_id") or (str(preferred_court) if preferred_court else ""),
            date=data.get("date", ""),
            time_slot=data.get("time_slot") or preferred_slot or "",
            on_conflict=OnConflict.QUEUE.value if policy == "queue" else OnConflict.SUGGEST.value,
        )

    @classmethod
    def from_request(cls, request) -> BookingForm:
        """The form filled with a stored request, for the member to edit it.

        A request left to the club's policy (no conflict choice of its own)
        shows the choice that policy makes, as a new form would.
        """
        on_conflict = request.on_conflict
        if on_conflict is None:
            policy = config_services.get_system_value("conflict_policy", club=request.club_id)
            on_conflict = OnConflict.QUEUE.value if policy == "queue" else OnConflict.SUGGEST.value
        return cls(
            request.club_id,
            court_id=str(request.court_id),
            date=request.date,
            time_slot=request.time_slot,
            alternatives=[Alternative(str(a.court_id), a.time_slot) for a in request.alternatives],
            partners=list(request.partners or []),
            notes=request.notes or "",
            on_conflict=on_conflict,
        )

    @property
    def partner_inputs(self) -> list[str]:
        """One input per partner slot, the typed names first."""
        return (self.partners + [""] * MAX_PARTNERS)[:MAX_PARTNERS]

    def body(self) -> dict:
        """The API's create body; numbers stay text for the serializer to judge."""
        return {
            "club": self.club,
            "court_id": self.court_id,
            "date": self.date,
            "time_slot": self.time_slot,
            "alternatives": [
                {"court_id": alt.court_id, "time_slot": alt.time_slot} for alt in self.alternatives
            ],
            "partners": self.partners,
            "notes": self.notes,
            "on_conflict": self.on_conflict or None,
        }
