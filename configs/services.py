"""Reading and writing club settings and members' configurations.

Views, serializers, commands and the engine call these functions; none of
them writes a SystemConfig or UserConfigs item itself.
"""

from __future__ import annotations

import copy
import time
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import structlog
from django.conf import settings
from django.contrib.auth import get_user_model

from tennisbook.dynamo import Conflict, DataError, NotFound, Unavailable
from tennisbook.values import InvalidValue, TimeSlot, parse_court_id

from . import demo_portals, system_keys
from .crypto import acting_as
from .dynamo import NotificationSettings, SystemConfigItem, UserConfig, user_config_key
from .repositories import SystemConfigRepository, UserConfigRepository

log = structlog.get_logger(__name__)

system_configs = SystemConfigRepository()
user_configs = UserConfigRepository()


# --- SystemConfig ----------------------------------------------------------------


# Club settings change rarely and one booking request reads several of them:
# each process keeps them this long, and serves the last value it read while
# DynamoDB is unavailable. A change made here is seen at once by this process
# and within the TTL by the others.
SYSTEM_CACHE_SECONDS = 5.0
_system_cache: dict[tuple[str, str], tuple[float, Any]] = {}


def get_system_value(key: str, *, club: str) -> Any:
    """The stored value of a known key at ``club``, or its default when never set.

    ``club`` is a club id as stored (callers check it with ``clubs.get_club``
    where it comes from outside).
    """
    if key not in system_keys.KEYS:
        raise KeyError(key)
    cached = _system_cache.get((club, key))
    if cached is not None and time.monotonic() - cached[0] < SYSTEM_CACHE_SECONDS:
        return copy.deepcopy(cached[1])
    try:
        item = system_configs.find(system_keys.item_key(club, key))
    except Unavailable:
        if cached is None:
            raise
        # An outage must not stop the booking attempts already under way.
        log.warning(
            "system_config.served_stale",
            club=club,
            key=key,
            age_s=round(time.monotonic() - cached[0]),
        )
        return copy.deepcopy(cached[1])
    value = item.config_value if item is not None else system_keys.KEYS[key].default(club)
    _system_cache[(club, key)] = (time.monotonic(), value)
    return copy.deepcopy(value)


def forget_cached_settings() -> None:
    """Drop the per-process cache (tests, and after restoring a backup)."""
    _system_cache.clear()
    from . import club_migration, clubs

    clubs.forget_cached_clubs()
    club_migration.forget_pending()


def set_system_value(
    key: str, value: Any, *, club: str, actor: str, description: str | None = None
) -> Any:
    """Validate and store a setting of ``club``; returns the canonical value.

    Raises ``InvalidValue`` naming the bad path, or ``Conflict`` when another
    operator changed the same key at the same moment (optimistic locking).
    """
    _require_migrated()
    canonical = system_keys.validate(key, value)
    stored_key = system_keys.item_key(club, key)
    item = system_configs.find(stored_key) or SystemConfigItem(stored_key)
    item.config_value = canonical
    item.description = description or system_keys.KEYS[key].description
    item.last_modified = datetime.now(UTC)
    item.modified_by = actor
    system_configs.save(item)
    _system_cache.pop((club, key), None)
    if key == "club":
        from . import clubs

        clubs.forget_cached_clubs()
    log.info("system_config.changed", club=club, key=key, actor=actor)
    return canonical


def ensure_system_defaults(*, club: str, actor: str = "system") -> list[str]:
    """Store the default of every key of ``club`` never set; returns those keys."""
    created = []
    for key, spec in system_keys.KEYS.items():
        if system_configs.find(system_keys.item_key(club, key)) is None:
            set_system_value(key, spec.default(club), club=club, actor=actor)
            created.append(key)
    return created


def adopt_demo_portal_defaults(
    kind: str | None = None, *, club: str, actor: str = "system"
) -> tuple[list[str], list[str]]:
    """Give ``club``'s demo-portal keys still holding another kind's defaults this kind's.

    For a deployment that ran with one ``DEMOCLUB_KIND`` and restarts with
    the other on the same data: a stored ``courts``, ``release_rules`` or
    ``portal_profile`` that is exactly another demo portal's default becomes
    the default of ``kind`` (``DEMOCLUB_KIND`` when None). Any other value
    is someone's edit (or an older version's default) and is kept. Returns
    the keys switched and the keys kept although they differ from this
    kind's default. Idempotent. A key never stored is left to
    ``ensure_system_defaults``.
    """
    kind = kind or settings.DEMOCLUB_KIND
    wanted = system_keys.demo_defaults(kind)
    others = [system_keys.demo_defaults(k) for k in demo_portals.DEMO_PORTALS if k != kind]
    # A portal's defaults as they were when it ran at the other demo URL.
    others += [_demo_defaults_at(k) for k in demo_portals.DEMO_PORTALS]
    switched, kept = [], []
    for key, value in wanted.items():
        item = system_configs.find(system_keys.item_key(club, key))
        if item is None or item.config_value == value:
            continue
        stored = _without_openings(key, item.config_value)
        if stored == value:
            continue  # this kind's rules plus one-off openings (the demo release's)
        if any(stored == defaults[key] for defaults in others):
            set_system_value(key, value, club=club, actor=actor)
            switched.append(key)
        else:
            kept.append(key)
    return switched, kept


def _without_openings(key: str, value: Any) -> Any:
    """``release_rules`` without its one-off openings: what a demo portal's default is."""
    if key == "release_rules" and isinstance(value, dict) and "openings" in value:
        return {name: part for name, part in value.items() if name != "openings"}
    return value


def _demo_defaults_at(kind: str) -> dict[str, Any]:
    """The defaults of ``kind``'s portal had it run at the other demo URL."""
    defaults = system_keys.demo_defaults(kind)
    here = demo_portals.demo_portal_url(kind)
    there = settings.DEMOCLUB_SECOND_URL if here == settings.DEMOCLUB_URL else settings.DEMOCLUB_URL
    moved = copy.deepcopy(defaults)
    if moved["portal_profile"].get("base_url") == here:
        moved["portal_profile"]["base_url"] = there
    return moved


def _require_migrated() -> None:
    """Settings and configurations are written per club only once the data is (``migrate_clubs``).

    Before, a member would not see their configuration (not moved yet) and
    save a new one that the migration then drops in favour of the old.
    """
    from .club_migration import require_migrated

    require_migrated()


def get_courts(club: str) -> list[dict]:
    return get_system_value("courts", club=club)


def get_court(club: str, court_id: object, field: str = "court_id") -> dict:
    """``club``'s court with this id; ``InvalidValue`` names the field otherwise."""
    number = parse_court_id(court_id, field)
    courts = get_courts(club)
    for court in courts:
        if court["id"] == number:
            return court
    known = ", ".join(f"{c['id']} ({c['name']})" for c in courts)
    raise InvalidValue(field, f"court {number} does not exist; courts: {known}.")


def check_slot_for_court(court: dict, slot: object, field: str = "time_slot") -> TimeSlot:
    """Parse ``slot`` and check that ``court`` offers it."""
    parsed = TimeSlot.parse(slot, field)
    if parsed.label not in court["slots"]:
        raise InvalidValue(field, f"{parsed.label!r} is not a slot of {court['name']}.")
    return parsed


# --- UserConfigs -------------------------------------------------------------------


def get_user_config(user_id: str, club: str) -> UserConfig:
    """The member's configuration at ``club``; ``NotFound`` if they have none yet."""
    return user_configs.get(user_config_key(str(user_id), club))


def find_user_config(user_id: str, club: str) -> UserConfig | None:
    try:
        return get_user_config(user_id, club)
    except NotFound:
        return None


def member_configs(user_id: str, club_ids: Iterable[str]) -> list[UserConfig]:
    """The member's configurations at the clubs of ``club_ids`` that have one (one batch read)."""
    keys = [user_config_key(str(user_id), club) for club in club_ids]
    found = {config.config_key: config for config in user_configs.get_many(keys)}
    return [found[key] for key in keys if key in found]


def save_user_config(user_id: str, club: str, **changes: Any) -> UserConfig:
    """Create or update a member's configuration at ``club`` with already-validated values.

    Optimistic locking through the item's version: a concurrent edit raises
    ``Conflict`` instead of being silently overwritten.
    """
    _require_migrated()
    now = datetime.now(UTC)
    user_id = str(user_id)
    config = find_user_config(user_id, club)
    if config is None:
        config = UserConfig.for_member(user_id, club, created_at=now)
    for name, value in changes.items():
        setattr(config, name, value)
    config.updated_at = now
    user_configs.save(config)
    log.info("user_config.saved", user_id=user_id, club=club, fields=sorted(changes))
    return config


def delete_user_config(user_id: str, club: str) -> None:
    """Delete the configuration as last read; ``Conflict`` if it changed meanwhile."""
    _require_migrated()
    user_configs.delete(get_user_config(user_id, club))
    log.info("user_config.deleted", user_id=str(user_id), club=club)


# --- members who are gone ------------------------------------------------------------

ERASE_ATTEMPTS = 3


def erase_user_config(user_id: str, *, reason: str) -> bool:
    """Delete every configuration ``user_id`` has, at any club; True if there was one.

    For a member who is gone, so a concurrent edit is not a reason to keep
    the secret: the delete is retried on the fresh version. Raises
    ``Unavailable`` (or another ``DataError``) when DynamoDB cannot do it.
    Legacy items (written before clubs) are found too.
    """
    user_id = str(user_id)
    from .clubs import club_ids

    keys = [user_id] + [user_config_key(user_id, club) for club in club_ids(include_unlisted=True)]
    erased = False
    for key in keys:
        erased |= _erase_item(key, user_id, reason)
    return erased


def _erase_item(key: str, user_id: str, reason: str) -> bool:
    for _ in range(ERASE_ATTEMPTS):
        config = user_configs.find(key)
        if config is None:
            return False
        try:
            user_configs.delete(config)
        except Conflict:
            continue  # edited (or deleted) meanwhile: read it again
        log.info("user_config.deleted", user_id=user_id, club=config.club_id, reason=reason)
        return True
    raise Conflict(f"The configuration of {user_id} kept changing; it was not deleted.")


def erase_config_of_deleted_member(user_id: str) -> None:
    """Erase the configuration (portal credentials) of a member just deleted.

    Runs after the deletion committed (``configs.signals``), so it never
    raises: the member is gone and there is nothing to roll back. When
    DynamoDB fails the row is left behind as an *orphan*: logged at error
    level (``user_config.orphaned``, with the id), shown as an orphan in the
    admin's member configurations and deletable there, one by one or all at
    once (``delete_orphan_user_configs``).
    """
    try:
        erase_user_config(user_id, reason="member deleted")
    except DataError as exc:
        log.error(
            "user_config.orphaned",
            user_id=str(user_id),
            error=str(exc),
            remedy="delete it at /admin/configs/userconfigs/?orphans=1",
        )


def existing_member_ids(user_ids: Iterable[str]) -> set[str]:
    """The ids among ``user_ids`` whose site account still exists."""
    keys = set()
    for user_id in user_ids:
        try:
            keys.add(uuid.UUID(str(user_id)))
        except ValueError:
            continue  # not a site user's id at all: an orphan by definition
    found = get_user_model().objects.filter(pk__in=keys).values_list("pk", flat=True)
    return {str(pk) for pk in found}


def member_of(config: UserConfig) -> str:
    """The member's id of a configuration, legacy ones included."""
    return config.user_id or config.config_key


def is_orphan(config: UserConfig) -> bool:
    return not existing_member_ids([member_of(config)])


def orphan_user_configs() -> list[UserConfig]:
    """Configurations whose member no longer exists (a table scan)."""
    configs = list_user_configs()
    members = existing_member_ids(member_of(config) for config in configs)
    return [config for config in configs if member_of(config) not in members]


def delete_orphan_user_configs(*, actor: str) -> tuple[list[str], list[str]]:
    """Delete every orphan configuration; returns the ids deleted and those that failed.

    Each orphan is re-checked just before its deletion (a member is never
    recreated under an old id, but the check is cheap). A failure on one row
    does not stop the others; the failed ones stay listed as orphans.
    """
    deleted, failed = [], []
    for config in orphan_user_configs():
        if not is_orphan(config):
            continue
        member = member_of(config)
        try:
            erase_user_config(member, reason=f"orphan deleted by {actor}")
        except DataError as exc:
            log.error("user_config.orphan_not_deleted", user_id=member, error=str(exc))
            failed.append(member)
        else:
            deleted.append(member)
    log.info("user_config.orphans_deleted", actor=actor, deleted=len(deleted), failed=len(failed))
    return deleted, failed


# --- API and admin helpers ---------------------------------------------------------

CREDENTIAL_FIELDS = ("portal_username", "portal_password")


def update_user_config(
    user_id: str, club: str, *, actor: str = "system", **changes: Any
) -> tuple[UserConfig, bool]:
    """Create or partly update a member's configuration at ``club``; returns it and "created".

    ``changes`` hold validated values (``portal_password`` as plaintext, which
    the model encrypts on save; ``preferred_court`` as a court dict or id;
    ``preferred_slots`` as ``TimeSlot``s; ``notifications`` as a partial dict
    merged into the stored one). Creating requires the portal credentials,
    since a configuration without them cannot book anything: ``InvalidValue``
    names the first one missing. A concurrent creation or edit raises
    ``Conflict``; KMS being down raises ``KeyServiceUnavailable`` and nothing
    is written. ``actor`` is who the encryption is audited under.
    """
    existing = find_user_config(user_id, club)
    if existing is None:
        for field in CREDENTIAL_FIELDS:
            if not changes.get(field):
                raise InvalidValue(field, "this field is required to create a configuration.")
    values: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "preferred_court" and isinstance(value, dict):
            value = value["id"]
        elif name == "preferred_slots":
            value = [str(slot) for slot in value]
        elif name == "favourite_slots":
            value = list(dict.fromkeys(str(slot) for slot in value))
        elif name == "favourite_courts":
            value = list(dict.fromkeys(c["id"] if isinstance(c, dict) else int(c) for c in value))
        elif name == "notifications":
            current = existing.notifications.as_dict() if existing is not None else {}
            value = NotificationSettings(**(_notification_fields(current) | value))
        values[name] = value
    with acting_as(actor, "configuration saved"):
        return save_user_config(user_id, club, **values), existing is None


def _notification_fields(stored: dict) -> dict:
    """Stored (camelCase) notification names → attribute names."""
    names = {attr.attr_name: name for name, attr in NotificationSettings.get_attributes().items()}
    return {names.get(key, key): value for key, value in stored.items()}


def _entry(club: str, key: str, spec, item) -> dict:
    return {
        "club": club,
        "key": key,
        "value": item.config_value if item else spec.default(club),
        "description": (item.description if item else "") or spec.description,
        "public": spec.public,
        "last_modified": item.last_modified if item else None,
        "modified_by": item.modified_by if item else None,
    }


def system_config_entries(*, club: str, include_private: bool) -> list[dict]:
    """Every known setting of ``club`` (public ones only for members), stored or default."""
    keys = [key for key, spec in system_keys.KEYS.items() if spec.public or include_private]
    stored = {
        item.config_key: item
        for item in system_configs.get_many(system_keys.item_key(club, key) for key in keys)
    }
    return [
        _entry(club, key, system_keys.KEYS[key], stored.get(system_keys.item_key(club, key)))
        for key in keys
    ]


def system_config_entry(key: str, *, club: str, include_private: bool = True) -> dict:
    """One setting as ``system_config_entries`` shows it (one read, not a scan)."""
    spec = system_keys.KEYS.get(key)
    if spec is None or not (spec.public or include_private):
        raise KeyError(key)
    return _entry(club, key, spec, system_configs.find(system_keys.item_key(club, key)))


def list_user_configs(club: str | None = None) -> list[UserConfig]:
    """Members' configurations (at ``club``, or all), for operators' tools only (a scan)."""
    configs = [c for c in user_configs.scan() if club is None or c.club_id == club]
    return sorted(configs, key=lambda config: config.updated_at, reverse=True)
