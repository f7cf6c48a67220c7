"""Moving a single-club deployment's data to the default club (``manage.py migrate_clubs``).

Before clubs, SystemConfig keys were bare (``courts``), a member's
configuration was keyed by their UUID alone with a password bound to them
alone, and requests and claims named no club. Each step here finds what is
still in the old form and moves it to ``settings.DEFAULT_CLUB_ID``, one
item at a time, each move conditional: an interrupted run loses nothing and
the next run finishes it; a run with nothing left changes nothing.
BookingRequests are moved by ``bookings.workflow.club_migration``.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

import structlog

from tennisbook.dynamo import Conflict, Unavailable
from tennisbook.values import InvalidValue

from . import system_keys
from .crypto import DecryptionFailed, acting_as
from .dynamo import SystemConfigItem, UserConfig
from .services import forget_cached_settings, system_configs, user_configs

log = structlog.get_logger(__name__)

ACTOR = "migrate_clubs"

# Written "running" when a run starts and "done" when one finishes with
# nothing left behind: a run stopped half-way keeps the deployment "pending".
MARKER_KEY = "migration#clubs"
PENDING_CACHE_SECONDS = 5.0
_pending_cache: tuple[float, str | None] | None = None


class MigrationPending(Unavailable):
    """Data from before clubs is still there: booking writes wait until it has moved."""

    code = "migration_pending"


def pending_reason(*, cached: bool = True) -> str | None:
    """Why the data may not all be per club yet, or None when it is.

    Only a finished run of ``migrate_clubs`` says so (the marker ``done``),
    or ``create_tables`` creating every table afresh: data from before
    clubs cannot be told apart by a cheap read (a deployment that ran on
    defaults stored no setting at all). One GetItem, cached per process like
    the settings; when it turns done, this process's settings cache, filled
    with defaults meanwhile, is dropped.
    """
    global _pending_cache
    fresh = _pending_cache is not None and (
        time.monotonic() - _pending_cache[0] < PENDING_CACHE_SECONDS
    )
    if cached and fresh:
        return _pending_cache[1]
    state = marker_state()
    if state == "done":
        reason = None
    elif state is None:
        reason = "data from before clubs, or migrate_clubs never ran"
    else:
        reason = "a run of migrate_clubs that did not finish"
    if reason is None and _pending_cache is not None and _pending_cache[1] is not None:
        forget_cached_settings()  # read while pending: maybe defaults, not the moved values
    _pending_cache = (time.monotonic(), reason)
    return reason


def forget_pending() -> None:
    global _pending_cache
    _pending_cache = None


def require_migrated() -> None:
    """``MigrationPending`` (an ``Unavailable``: try again later) until the data is per club."""
    reason = pending_reason()
    if reason is not None:
        raise MigrationPending(
            f"tennisbook is moving its data to clubs ({reason}); an operator runs "
            "`python manage.py migrate_clubs`. Try again in a few minutes."
        )


def marker_state() -> str | None:
    item = system_configs.find(MARKER_KEY)
    return item.config_value.get("state") if item is not None else None


def set_marker(state: str) -> None:
    """Record the run's state; writes nothing when it is that already."""
    item = system_configs.find(MARKER_KEY) or SystemConfigItem(MARKER_KEY)
    if item.config_value is not None and item.config_value.get("state") == state:
        return
    item.config_value = {"state": state}
    item.description = "The state of `manage.py migrate_clubs`."
    item.last_modified = datetime.now(UTC)
    item.modified_by = ACTOR
    system_configs.save(item)
    forget_pending()


@dataclass
class StepResult:
    """What one step found and did: counts by outcome, and notes for the operator."""

    name: str
    counts: Counter
    notes: list[str]

    @property
    def changed(self) -> int:
        return self.counts["moved"] + self.counts["dropped"]

    def summary(self) -> str:
        parts = [f"{name} {number}" for name, number in sorted(self.counts.items()) if number]
        return f"{self.name}: {', '.join(parts) or 'nothing to migrate'}"


def legacy_settings() -> list[SystemConfigItem]:
    return [
        item
        for item in system_configs.all()
        if system_keys.split_item_key(item.config_key) is None and item.config_key != MARKER_KEY
    ]


def migrate_settings(club: str, *, dry_run: bool = False) -> StepResult:
    """Bare SystemConfig keys become ``club``'s; a key already set there wins."""
    result = StepResult("SystemConfig", Counter(), [])
    for item in legacy_settings():
        key = item.config_key
        if key not in system_keys.KEYS:
            result.counts["unknown"] += 1
            result.notes.append(f"SystemConfig key {key!r} is not a known setting: left as it is.")
            continue
        target_key = system_keys.item_key(club, key)
        target = system_configs.find(target_key)
        if dry_run:
            result.counts["moved" if target is None else "dropped"] += 1
            continue
        if target is None:
            try:
                value = system_keys.validate(key, item.config_value)
            except InvalidValue as exc:
                result.counts["failed"] += 1
                result.notes.append(f"SystemConfig key {key!r} is not valid ({exc}): left.")
                continue
            copy = SystemConfigItem(
                target_key,
                config_value=value,
                description=item.description,
                last_modified=item.last_modified,
                modified_by=item.modified_by,
            )
            try:
                system_configs.create(copy)
            except Conflict:
                pass  # written meanwhile: that value wins, like an existing one
            else:
                result.counts["moved"] += 1
                _delete(system_configs, item, result)
                continue
        # The club has its own value already (an earlier, interrupted run, or
        # an operator's edit since): the bare copy is stale.
        result.counts["dropped"] += 1
        _delete(system_configs, item, result)
    if result.changed and not dry_run:
        forget_cached_settings()
    return result


def legacy_user_configs() -> list[UserConfig]:
    return [config for config in user_configs.scan() if config.is_legacy]


def migrate_user_configs(club: str, *, dry_run: bool = False) -> StepResult:
    """Each member's configuration becomes their configuration at ``club``.

    The password is decrypted with its old binding (the member alone) and
    encrypted again bound to the member and the club: KMS re-wrapping could
    not change the authenticated context of the ciphertext itself.
    """
    result = StepResult("UserConfigs", Counter(), [])
    with acting_as(ACTOR, f"moving configurations to the club {club}"):
        for legacy in legacy_user_configs():
            member = legacy.config_key
            existing = user_configs.find(f"{member}#{club}")
            if dry_run:
                result.counts["moved" if existing is None else "dropped"] += 1
                continue
            if existing is None:
                moved = UserConfig.for_member(
                    member,
                    club,
                    portal_username=legacy.portal_username,
                    preferred_court=legacy.preferred_court,
                    preferred_slots=list(legacy.preferred_slots or []),
                    notifications=legacy.notifications,
                    created_at=legacy.created_at,
                    updated_at=legacy.updated_at,
                )
                if legacy.has_portal_password:
                    try:
                        moved.portal_password = legacy.portal_password  # decrypts, audited
                    except DecryptionFailed as exc:
                        # It could not open before either: move the rest, and
                        # the member enters the password again.
                        result.counts["password unreadable"] += 1
                        result.notes.append(
                            f"the portal password of {member} could not be decrypted ({exc}): "
                            "moved without it; the member must enter it again."
                        )
                try:
                    user_configs.create(moved)
                except Conflict:
                    pass  # the member saved one meanwhile: theirs wins
                else:
                    result.counts["moved"] += 1
                    _delete(user_configs, legacy, result)
                    continue
            result.counts["dropped"] += 1
            _delete(user_configs, legacy, result)
    return result


def _delete(repository, item, result: StepResult) -> None:
    """Delete the old item as read; one changed meanwhile is counted and left for the next run."""
    try:
        repository.delete(item)
    except Conflict:
        result.counts["changed meanwhile"] += 1
        result.notes.append(f"an item of {repository.table} changed meanwhile: run it again.")
        log.warning("migrate_clubs.changed_meanwhile", table=repository.table)
