"""The clubs of a deployment: which exist, their names, and where a request belongs.

A club is data in SystemConfig: its settings live under ``club#<id>#``
(``system_keys.item_key``) and its ``club`` item (name, enabled) says it
exists. The default club (``settings.DEFAULT_CLUB_ID``) always exists: a
fresh deployment, or one that had a single club before, is that club.
Operators add clubs through the API, the admin or ``manage.py clubs``; a
club is never deleted (its members' requests and history refer to it), it
is disabled, and then takes no new requests.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import structlog
from django.conf import settings

from tennisbook.dynamo import Conflict, Unavailable
from tennisbook.values import InvalidValue, parse_club_id

from . import services, system_keys
from .dynamo import SystemConfigItem

log = structlog.get_logger(__name__)

_cache: tuple[float, list[str]] | None = None


@dataclass(frozen=True)
class Club:
    id: str
    name: str
    enabled: bool
    time_zone: str

    @property
    def is_default(self) -> bool:
        return self.id == settings.DEFAULT_CLUB_ID


def default_club_id() -> str:
    return settings.DEFAULT_CLUB_ID


def forget_cached_clubs() -> None:
    global _cache
    _cache = None


def club_ids(*, include_unlisted: bool = False) -> list[str]:
    """Every club's id, the default club first (cached like the settings).

    A club is listed once its ``club`` item exists; ``include_unlisted``
    adds clubs that have any other setting stored without one (a club
    created half-way, which ``create_club`` finishes when run again).
    """
    global _cache
    fresh = _cache is not None and time.monotonic() - _cache[0] < services.SYSTEM_CACHE_SECONDS
    if fresh and not include_unlisted:
        return list(_cache[1])
    try:
        stored = [item.config_key for item in services.system_configs.all()]
    except Unavailable:
        if _cache is None:
            raise
        return list(_cache[1])
    listed, unlisted = set(), set()
    for key in stored:
        parts = system_keys.split_item_key(key)
        if parts is None:
            continue
        (listed if parts[1] == "club" else unlisted).add(parts[0])
    ids = sorted(listed | {default_club_id()})
    ids.remove(default_club_id())
    ids = [default_club_id(), *ids]
    if not include_unlisted:
        _cache = (time.monotonic(), ids)
        return list(ids)
    return ids + sorted(unlisted - set(ids))


def _club(club_id: str) -> Club:
    record = services.get_system_value("club", club=club_id)
    rules = services.get_system_value("release_rules", club=club_id)
    return Club(club_id, record["name"], record["enabled"], rules["time_zone"])


def list_clubs(only: Iterable[str] | None = None) -> list[Club]:
    """Every club (or those of ``only`` that exist), the default club first."""
    wanted = None if only is None else set(only)
    return [_club(club_id) for club_id in club_ids() if wanted is None or club_id in wanted]


def get_club(club_id: object, field: str = "club") -> Club:
    """The club with this id; ``InvalidValue`` naming ``field`` and the clubs otherwise."""
    club = parse_club_id(club_id, field)
    known = club_ids()
    if club not in known:
        raise InvalidValue(field, f"there is no club {club!r}; clubs: {', '.join(known)}.")
    return _club(club)


def club_of(value: object | None, field: str = "club") -> str:
    """A club id from outside (an API body, a form), the default club when absent."""
    if value is None or value == "":
        return default_club_id()
    return get_club(value, field).id


def require_enabled(club_id: str, field: str = "club") -> Club:
    club = get_club(club_id, field)
    if not club.enabled:
        raise InvalidValue(field, f"the club {club.name} ({club.id}) takes no new requests.")
    return club


def update_club(club_id: str, *, actor: str, **changes: Any) -> Club:
    """Rename a club or enable/disable it: ``changes`` merged into its record as stored now.

    Read consistently, not from the cache, so a change made a moment ago in
    another process is not undone. ``InvalidValue`` names a bad field.
    """
    stored = services.system_configs.find(system_keys.item_key(club_id, "club"))
    current = stored.config_value if stored else system_keys.default_club(club_id)
    services.set_system_value("club", current | changes, club=club_id, actor=actor)
    return _club(club_id)


def create_club(
    club_id: object,
    name: object,
    *,
    actor: str,
    settings_values: dict[str, Any] | None = None,
    copy_from: str | None = None,
    enabled: bool | None = None,
) -> Club:
    """Create a club: every setting stored, the ``club`` item last.

    Each setting is ``settings_values[key]``, else ``copy_from``'s value
    (another club's), else the default. All are validated before anything is
    written; the ``club`` item is written last, so a club whose creation was
    interrupted is not listed and running the same creation again finishes
    it. ``InvalidValue`` names a bad field (``id`` when the id is taken).

    A club is created enabled only when given its own ``portal_profile``
    (or ``enabled=True``): one on defaults or on a copy would send its
    members' credentials to the portal it was copied from, so it waits,
    disabled, until an operator has set its portal and enabled it.
    """
    club = parse_club_id(club_id, "id")
    # A consistent read, not the cache: a club created a moment ago by
    # another process must not have its settings overwritten.
    stored = services.system_configs.find(system_keys.item_key(club, "club"))
    if club == default_club_id() or stored is not None:
        raise InvalidValue("id", f"the club {club!r} exists already.")
    values = dict(settings_values or {})
    unknown = sorted(set(values) - set(system_keys.KEYS))
    if unknown:
        raise InvalidValue(f"settings.{unknown[0]}", "unknown setting.")
    if copy_from is not None:
        source = get_club(copy_from, "copy_from").id
    if enabled is None:
        enabled = "portal_profile" in values
    record = system_keys.validate_club({"name": name, "enabled": enabled})
    canonical: dict[str, Any] = {}
    for key, spec in system_keys.KEYS.items():
        if key == "club":
            continue
        if key in values:
            raw = values[key]
        elif copy_from is not None:
            raw = services.get_system_value(key, club=source)
        else:
            raw = spec.default(club)
        try:
            canonical[key] = system_keys.validate(key, raw)
        except InvalidValue as exc:
            raise InvalidValue(f"settings.{exc.field}", exc.message) from None
    for key, value in canonical.items():
        services.set_system_value(key, value, club=club, actor=actor)
    item = SystemConfigItem(system_keys.item_key(club, "club"))
    item.config_value = record
    item.description = system_keys.KEYS["club"].description
    item.last_modified = datetime.now(UTC)
    item.modified_by = actor
    try:
        services.system_configs.create(item)
    except Conflict:
        raise InvalidValue("id", f"the club {club!r} exists already.") from None
    forget_cached_clubs()
    log.info("club.created", club=club, actor=actor, copied_from=copy_from)
    return _club(club)
