"""The known SystemConfig keys: their defaults, validation and visibility.

Every setting belongs to a club: its item's key is ``club#<club id>#<key>``
(``item_key``), so one table holds any number of clubs. A club exists when
its ``club`` item (name, enabled) does; the default club
(``settings.DEFAULT_CLUB_ID``) always exists, on defaults until an operator
changes them.

SystemConfig stores JSON, but never arbitrary JSON: each key has a validator
that returns the value in canonical form or raises ``InvalidValue`` whose
field is the path of the bad part (``courts[1].slots[0]``). Members may read
the public keys (club, courts, release rules, limits); only operators write
any of them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from booker.profiles import builtin_profile, validate_profile
from booker.profiles.release_rules import default_release_rules, validate_release_rules
from tennisbook.values import InvalidValue, TimeSlot, clean_text, parse_court_id

from .demo_portals import demo_portal, demo_portal_url


@dataclass(frozen=True)
class SystemKey:
    key: str
    description: str
    default: Callable[[str], Any]  # the club's id -> the value of a key never set
    validate: Callable[[Any], Any]
    public: bool = False


ITEM_PREFIX = "club#"


def item_key(club: str, key: str) -> str:
    """The SystemConfig item key of ``key`` at ``club``."""
    return f"{ITEM_PREFIX}{club}#{key}"


def split_item_key(stored: str) -> tuple[str, str] | None:
    """``(club, key)`` of a namespaced item key; None for anything else (a legacy key)."""
    if not stored.startswith(ITEM_PREFIX):
        return None
    club, sep, key = stored[len(ITEM_PREFIX) :].partition("#")
    return (club, key) if sep and club and key else None


def _expect(value: Any, kind: type, path: str, what: str) -> Any:
    # bool is an int in Python; a JSON true is never a number or a court id.
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise InvalidValue(path, f"expected {what}.")
    return value


def _int(value: Any, path: str, low: int, high: int) -> int:
    _expect(value, int, path, "a whole number")
    if not low <= value <= high:
        raise InvalidValue(path, f"must be between {low} and {high}, got {value}.")
    return value


def _only_keys(value: dict, allowed: set[str], path: str) -> None:
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise InvalidValue(
            f"{path}.{unknown[0]}", f"unknown key; allowed: {', '.join(sorted(allowed))}."
        )


# --- courts --------------------------------------------------------------------


def default_courts(club: str = "") -> list[dict]:
    """The demo portal's courts (``DEMOCLUB_KIND``)."""
    return demo_portal().court_list()


def validate_courts(value: Any) -> list[dict]:
    _expect(value, list, "courts", "a list of courts")
    if not value:
        raise InvalidValue("courts", "at least one court is required.")
    seen: set[int] = set()
    courts = []
    for i, court in enumerate(value):
        path = f"courts[{i}]"
        _expect(court, dict, path, "an object with id, name and slots")
        _only_keys(court, {"id", "name", "slots"}, path)
        for required in ("id", "name", "slots"):
            if required not in court:
                raise InvalidValue(f"{path}.{required}", "this field is required.")
        court_id = parse_court_id(court["id"], f"{path}.id")
        if court_id in seen:
            raise InvalidValue(f"{path}.id", f"court {court_id} is listed twice.")
        seen.add(court_id)
        name = clean_text(court["name"], f"{path}.name", max_length=80, min_length=1)
        _expect(court["slots"], list, f"{path}.slots", "a list of slot labels")
        if not court["slots"]:
            raise InvalidValue(f"{path}.slots", "at least one slot is required.")
        slots = sorted(
            TimeSlot.parse(label, f"{path}.slots[{j}]") for j, label in enumerate(court["slots"])
        )
        labels = [slot.label for slot in slots]
        if len(set(labels)) != len(labels):
            raise InvalidValue(f"{path}.slots", "a slot is listed twice.")
        courts.append({"id": court_id, "name": name, "slots": labels})
    return courts


# --- the club itself ------------------------------------------------------------


def default_club(club: str) -> dict:
    return {"name": club.replace("-", " ").capitalize() or "Club", "enabled": True}


def validate_club(value: Any) -> dict:
    _expect(value, dict, "club", "an object with name and enabled")
    _only_keys(value, {"name", "enabled"}, "club")
    if "name" not in value:
        raise InvalidValue("club.name", "this field is required.")
    name = clean_text(value["name"], "club.name", max_length=80, min_length=1)
    enabled = value.get("enabled", True)
    _expect(enabled, bool, "club.enabled", "true or false")
    return {"name": name, "enabled": enabled}


# --- limits, retention, policies, flags ---------------------------------------

_LIMITS = {
    "max_active_requests": (1, 100, 5),
    "max_alternatives": (0, 10, 3),
    "horizon_days": (1, 366, 30),
}


def validate_limits(value: Any) -> dict:
    _expect(value, dict, "limits", "an object")
    _only_keys(value, set(_LIMITS), "limits")
    return {
        name: _int(value.get(name, default), f"limits.{name}", low, high)
        for name, (low, high, default) in _LIMITS.items()
    }


def validate_retention(value: Any) -> dict:
    _expect(value, dict, "retention", "an object")
    _only_keys(value, {"finished_ttl_days"}, "retention")
    return {
        "finished_ttl_days": _int(
            value.get("finished_ttl_days"), "retention.finished_ttl_days", 1, 3650
        )
    }


def validate_conflict_policy(value: Any) -> str:
    if value not in ("reject", "queue"):
        raise InvalidValue("conflict_policy", "expected 'reject' or 'queue'.")
    return value


def validate_feature_flags(value: Any) -> dict:
    _expect(value, dict, "feature_flags", "an object of name: true/false")
    flags = {}
    for name, enabled in value.items():
        if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9_]{0,49}", name):
            raise InvalidValue(f"feature_flags.{name}", "flag names are lower_snake_case.")
        if not isinstance(enabled, bool):
            raise InvalidValue(f"feature_flags.{name}", "expected true or false.")
        flags[name] = enabled
    return flags


# --- release rules and the portal profile: their format is the booking engine's -----

# The keys whose defaults are the demo portal's, so they follow DEMOCLUB_KIND.
DEMO_PORTAL_KEYS = ("courts", "release_rules", "portal_profile")


def demo_defaults(kind: str | None = None) -> dict[str, Any]:
    """The defaults of ``DEMO_PORTAL_KEYS`` for the demo portal of ``kind``.

    ``kind`` defaults to ``DEMOCLUB_KIND``. The profile is the portal's
    built-in one pointed at where ``make run`` runs that portal
    (``demo_portals.demo_portal_url``), and the club's release rules are
    that profile's own.
    """
    portal = demo_portal(kind)
    profile = builtin_profile(portal.profile, demo_portal_url(portal.kind))
    return {
        "courts": portal.court_list(),
        "release_rules": profile.get("release_rules") or default_release_rules(),
        "portal_profile": profile,
    }


def default_club_release_rules(club: str = "") -> dict:
    """The demo portal's release rules (the condo's are those of PORTAL.md's club)."""
    return demo_defaults()["release_rules"]


def default_portal_profile(club: str = "") -> dict:
    """The demo portal's profile, pointed at the portal this deployment uses."""
    return demo_defaults()["portal_profile"]


def validate_portal_profile(value: Any) -> dict:
    return validate_profile(value, "portal_profile")


KEYS: dict[str, SystemKey] = {
    key.key: key
    for key in (
        SystemKey(
            "club",
            "The club's name, and whether it takes new requests (enabled).",
            default_club,
            validate_club,
            True,
        ),
        SystemKey(
            "courts", "Bookable courts and their slots.", default_courts, validate_courts, True
        ),
        SystemKey(
            "release_rules",
            "When each court's slots open for booking, in the club's time zone.",
            default_club_release_rules,
            validate_release_rules,
            True,
        ),
        SystemKey(
            "limits",
            "Per-member limits: active requests, alternatives, booking horizon.",
            lambda club: {name: spec[2] for name, spec in _LIMITS.items()},
            validate_limits,
            True,
        ),
        SystemKey(
            "retention",
            "How long finished requests are kept.",
            lambda club: {"finished_ttl_days": 180},
            validate_retention,
        ),
        SystemKey(
            "conflict_policy",
            "What happens when two members want the same court, date and slot.",
            lambda club: "reject",
            validate_conflict_policy,
        ),
        SystemKey(
            "feature_flags",
            "Switches for features being rolled out.",
            lambda club: {},
            validate_feature_flags,
        ),
        SystemKey(
            "portal_profile",
            "How the booking engine drives the club's portal (see docs/engine.md).",
            default_portal_profile,
            validate_portal_profile,
        ),
    )
}


def validate(key: str, value: Any) -> Any:
    """Validate ``value`` for ``key``; an unknown key is an error too."""
    if key not in KEYS:
        raise InvalidValue("config_key", f"unknown key {key!r}; known keys: {', '.join(KEYS)}.")
    return KEYS[key].validate(value)
