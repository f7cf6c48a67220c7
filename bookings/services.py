"""Booking requests: validation and reads.

Everything that writes a request lives in ``bookings.workflow``; this module
checks a member's wish against the club's rules and reads requests back.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model

from booker.profiles.release_rules import MAX_OPENINGS
from configs import services as config_services
from tennisbook.dynamo import NotFound
from tennisbook.values import InvalidValue, TimeSlot, clean_text, parse_date

from . import claims
from .choices import MAX_PARTNERS, NOTES_MAX_LENGTH, PARTNER_MAX_LENGTH, OnConflict
from .dynamo import Alternative, BookingRequest
from .lifecycle import Actor, targets_for
from .release import club_today, fire_time, next_release, one_off_opening, rule_for_court
from .repositories import BookingRequestRepository

requests_repo = BookingRequestRepository()


# --- validation --------------------------------------------------------------------


def check_request(
    club: str,
    court_id: object,
    day: object,
    time_slot: object,
    alternatives: Sequence[dict] = (),
    *,
    now: datetime | None = None,
) -> tuple[dict, date, str, list[Alternative]]:
    """Validate a wish against ``club``'s courts, slots, horizon and limits.

    Returns the court, the date, the slot label and the alternatives; raises
    ``InvalidValue`` naming the first bad field.
    """
    now = now or datetime.now(UTC)
    court, slot_label, checked = check_choices(club, court_id, time_slot, alternatives)
    booking_date = check_date(club, day, now)
    return court, booking_date, slot_label, checked


def check_choices(
    club: str, court_id: object, time_slot: object, alternatives: Sequence[dict] = ()
) -> tuple[dict, str, list[Alternative]]:
    """The court, slot and ordered alternatives of a wish, without its date.

    ``check_request`` for a request; a template (which has no date) alone.
    """
    court = config_services.get_court(club, court_id)
    slot = config_services.check_slot_for_court(court, time_slot)
    limits = config_services.get_system_value("limits", club=club)
    if not isinstance(alternatives, list | tuple):
        raise InvalidValue("alternatives", "expected a list of {court_id, time_slot}.")
    if len(alternatives) > limits["max_alternatives"]:
        raise InvalidValue("alternatives", f"at most {limits['max_alternatives']} alternatives.")
    seen = {(court["id"], slot.label)}
    checked = []
    for i, alt in enumerate(alternatives):
        if not isinstance(alt, dict):
            raise InvalidValue(f"alternatives[{i}]", "expected {court_id, time_slot}.")
        alt_court = config_services.get_court(
            club, alt.get("court_id"), f"alternatives[{i}].court_id"
        )
        alt_slot = config_services.check_slot_for_court(
            alt_court, alt.get("time_slot"), f"alternatives[{i}].time_slot"
        )
        if (alt_court["id"], alt_slot.label) in seen:
            raise InvalidValue(f"alternatives[{i}]", "repeats the first choice or another one.")
        seen.add((alt_court["id"], alt_slot.label))
        checked.append(Alternative(court_id=alt_court["id"], time_slot=alt_slot.label))
    return court, slot.label, checked


def check_date(club: str, day: object, now: datetime, *, limits: dict | None = None) -> date:
    """The booking date, if it is neither past nor beyond ``club``'s horizon."""
    booking_date = parse_date(day, "date")
    rules = config_services.get_system_value("release_rules", club=club)
    limits = limits or config_services.get_system_value("limits", club=club)
    today = club_today(rules["time_zone"], now)
    if booking_date < today:
        raise InvalidValue("date", f"{booking_date} is in the past (club date today: {today}).")
    if (booking_date - today).days > limits["horizon_days"]:
        raise InvalidValue(
            "date", f"{booking_date} is beyond the {limits['horizon_days']}-day booking horizon."
        )
    return booking_date


def check_notes(
    partners: object, notes: object, on_conflict: object
) -> tuple[list[str], str, str | None]:
    """The member's partners, notes and conflict choice, cleaned; ``InvalidValue`` if bad."""
    if not isinstance(partners, list | tuple):
        raise InvalidValue("partners", "expected a list of names.")
    if len(partners) > MAX_PARTNERS:
        raise InvalidValue("partners", f"at most {MAX_PARTNERS} partners.")
    names = [
        clean_text(name, f"partners[{i}]", max_length=PARTNER_MAX_LENGTH, min_length=1)
        for i, name in enumerate(partners)
    ]
    text = clean_text(notes or "", "notes", max_length=NOTES_MAX_LENGTH, multiline=True)
    if on_conflict not in (None, *OnConflict.values):
        raise InvalidValue("on_conflict", f"expected one of {', '.join(OnConflict.values)}.")
    return names, text, on_conflict


def check_credentials(user_id: str, club: str) -> None:
    """``InvalidValue`` unless the member saved portal credentials for ``club``."""
    config = config_services.find_user_config(user_id, club)
    if config is None or not config.portal_username or not config.has_portal_password:
        raise InvalidValue(
            "portal_credentials",
            f"save your portal username and password for the club {club!r} first "
            "(your configuration page).",
        )


def suggestions(club: str, court_id: int, day: str, slot_label: str, limit: int = 5) -> list[dict]:
    """Free alternatives at ``club``: the same slot on other courts, then adjacent slots here."""
    courts = config_services.get_courts(club)
    candidates = [
        (c["id"], day, slot_label)
        for c in courts
        if c["id"] != court_id and slot_label in c["slots"]
    ]
    own = next((c for c in courts if c["id"] == court_id), None)
    if own is not None and slot_label in own["slots"]:
        index = own["slots"].index(slot_label)
        for neighbour in (index - 1, index + 1, index - 2, index + 2):
            if 0 <= neighbour < len(own["slots"]):
                candidates.append((court_id, day, own["slots"][neighbour]))
    held = claims.held_slots(club, candidates)
    free = [c for c in candidates if c not in held][:limit]
    return [{"court_id": c, "date": d, "time_slot": s} for c, d, s in free]


# --- the club's calendar -------------------------------------------------------------


@dataclass(frozen=True)
class Opening:
    """When a court's slots open: the instant (UTC), the club date, the slot (None: all)."""

    court_id: int
    court_name: str
    at: datetime
    day: date
    time_slot: str | None
    time_zone: str


def booking_window(club: str, now: datetime | None = None) -> tuple[date, date]:
    """The first and last club dates a member may ask for at ``club`` (``check_date``'s bounds)."""
    now = now or datetime.now(UTC)
    rules = config_services.get_system_value("release_rules", club=club)
    limits = config_services.get_system_value("limits", club=club)
    today = club_today(rules["time_zone"], now)
    return today, today + timedelta(days=limits["horizon_days"])


def opening_of(
    club: str, court_id: object, day: object, time_slot: object = None, *, now=None
) -> Opening:
    """When ``court_id``'s ``time_slot`` on ``day`` opens at ``club`` (its first slot if None).

    The instant the engine fires at (``fire_time``): a date already open
    answers ``now``. ``InvalidValue`` names a bad court, date or slot.
    """
    now = now or datetime.now(UTC)
    court = config_services.get_court(club, court_id)
    booking_date = check_date(club, day, now)
    if time_slot in (None, ""):
        if not court["slots"]:
            raise InvalidValue("time_slot", f"court {court['id']} has no slots.")
        slot = TimeSlot.parse(court["slots"][0])
    else:
        slot = config_services.check_slot_for_court(court, time_slot)
    rules = config_services.get_system_value("release_rules", club=club)
    rule = rule_for_court(rules, court["id"])
    at = fire_time(rules, court["id"], booking_date, slot, now)
    whole_day = rule["kind"] == "fixed_daily" or one_off_opening(rules, court["id"], booking_date)
    label = None if whole_day else slot.label
    return Opening(court["id"], court["name"], at, booking_date, label, rules["time_zone"])


def next_openings(club: str, now: datetime | None = None) -> list[Opening]:
    """Each court's next release after ``now`` at ``club``, soonest first."""
    now = now or datetime.now(UTC)
    rules = config_services.get_system_value("release_rules", club=club)
    zone = ZoneInfo(rules["time_zone"])
    found = []
    for court in config_services.get_courts(club):
        slots = [TimeSlot.parse(label) for label in court["slots"]]
        candidates = [
            (datetime.fromisoformat(o["at"]).astimezone(UTC), date.fromisoformat(o["date"]), None)
            for o in rules.get("openings", ())
            if o["court"] == court["id"] and datetime.fromisoformat(o["at"]) > now
        ]
        rule = rule_for_court(rules, court["id"])
        upcoming = next_release(rule, slots, now, zone)
        for _ in range(MAX_OPENINGS + 1):  # a date a one-off opening moved opens then, not now
            if upcoming is None or one_off_opening(rules, court["id"], upcoming[1]) is None:
                break
            upcoming = next_release(rule, slots, upcoming[0], zone)
        if upcoming is not None:
            candidates.append(upcoming)
        if candidates:
            at, day, slot = min(candidates, key=lambda candidate: candidate[0])
            label = slot.label if slot is not None else None
            found.append(Opening(court["id"], court["name"], at, day, label, rules["time_zone"]))
    return sorted(found, key=lambda opening: (opening.at, opening.court_id))


# --- read ---------------------------------------------------------------------------


def get_request(user_id: str, request_id: str) -> BookingRequest:
    """The member's request; ``NotFound`` for anyone else's (no existence leak)."""
    try:
        uuid.UUID(str(request_id))
    except ValueError:
        raise NotFound("no such request") from None
    return requests_repo.get(str(request_id), str(user_id))


def list_requests(
    user_id: str,
    *,
    club: str | None = None,
    status: str | None = None,
    court_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    newest_first: bool = False,
) -> list[BookingRequest]:
    """A member's requests by booking date (at ``club``, or all), optionally filtered."""
    items = requests_repo.for_user(
        str(user_id), date_from=date_from, date_to=date_to, newest_first=newest_first
    )
    return [
        r
        for r in items
        if (club is None or r.club_id == club)
        and (status is None or r.status == status)
        and (court_id is None or r.court_id == court_id)
    ]


_WORKER_ID = re.compile(r"^[^:\s]+:\d+:[0-9a-f]{6}$")


def is_worker_id(actor: str) -> bool:
    """Whether a history actor names a worker process (``host:pid:nonce``)."""
    return bool(_WORKER_ID.match(actor or ""))


def allowed_targets(request: BookingRequest, actor: Actor) -> list[str]:
    return targets_for(request.status, actor)


def active_members(user_ids: Sequence[str]) -> set[str]:
    """Which of ``user_ids`` are site accounts that exist and are active.

    A request whose member was deleted or deactivated must never fire.
    """
    pks = []
    for user_id in user_ids:
        try:
            pks.append(uuid.UUID(str(user_id)))
        except ValueError:
            continue
    found = get_user_model().objects.filter(pk__in=pks, is_active=True).values_list("pk", flat=True)
    return {str(pk) for pk in found}
