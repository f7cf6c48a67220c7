"""Members' notification choices: event type by channel, in the ORM.

They replace the per-club e-mail flags of ``UserConfig.notifications``
(DynamoDB). A member's choices are seeded the first time they are needed
(a notification to deliver, the profile page): from those flags where the
member had any, so someone who turned e-mail off at a club keeps it off,
and from ``choices.DEFAULTS`` otherwise. Seeding reads DynamoDB, so it
can raise ``tennisbook.dynamo.Unavailable``: a task retries, a page says
the choices cannot be read right now.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from configs import clubs
from configs import services as config_services
from tennisbook.api.permissions import operated_clubs

from .choices import DEFAULTS, LEGACY_EMAIL_FLAG, PAIRS, Channel
from .models import NotificationPreference

FIELD_PREFIX = "pref"
_TRUE = ("on", "true", "1")


class InvalidChoice(ValueError):
    """A posted choice that is not one of the form's, or a value that is not "on"."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def field_name(event: str, channel: str) -> str:
    """The form field of one choice: ``pref.booked.email``."""
    return f"{FIELD_PREFIX}.{event}.{channel}"


def legacy_choices(member) -> dict[tuple[str, str], bool]:
    """E-mail choices from the member's old per-club flags: off if off at any club."""
    configs = config_services.member_configs(str(member.pk), clubs.club_ids(include_unlisted=True))
    seeded = {}
    for event, flag in LEGACY_EMAIL_FLAG.items():
        values = [getattr(config.notifications, flag, None) for config in configs]
        if any(value is False for value in values):
            seeded[(event.value, Channel.EMAIL.value)] = False
    return seeded


def preferences_for(member) -> dict[tuple[str, str], bool]:
    """Every ``(event, channel)`` choice of ``member``, seeded first if needed."""
    stored = {
        (row.event, row.channel): row.enabled
        for row in NotificationPreference.objects.filter(member=member)
    }
    missing = [pair for pair in PAIRS if pair not in stored]
    if not missing:
        return stored
    # A member with no row at all is met for the first time: their old flags
    # count. A later event type or channel simply starts at its default.
    seeded = legacy_choices(member) if not stored else {}
    rows = [
        NotificationPreference(
            member=member,
            event=event,
            channel=channel,
            enabled=seeded.get((event, channel), DEFAULTS[(event, channel)]),
        )
        for event, channel in missing
    ]
    # Two tasks seeding at once: the unique constraint keeps the first's rows.
    NotificationPreference.objects.bulk_create(rows, ignore_conflicts=True)
    return {
        (row.event, row.channel): row.enabled
        for row in NotificationPreference.objects.filter(member=member)
    }


def wanted_channels(member, event: str) -> set[str]:
    """The channels ``member`` keeps on for ``event``."""
    choices = preferences_for(member)
    return {channel for (kind, channel), on in choices.items() if kind == event and on}


def wants(member, event: str, channel: str) -> bool:
    """One choice, read without seeding (a member with no rows yet gets the default)."""
    row = NotificationPreference.objects.filter(member=member, event=event, channel=channel).first()
    return DEFAULTS.get((event, channel), False) if row is None else row.enabled


def parse_posted(post, *, editable: set[str]) -> dict[tuple[str, str], bool]:
    """The choices a profile form posted, for the channels in ``editable``.

    A ticked box posts ``pref.<event>.<channel>=on``; an unticked one posts
    nothing, so every editable pair not posted is off. Anything else under
    ``pref.`` (an unknown event or channel, a value that is not "on")
    raises ``InvalidChoice`` naming it.
    """
    known = set(PAIRS)
    ticked = set()
    for key in post:
        if not key.startswith(FIELD_PREFIX + "."):
            continue
        _prefix, _, rest = key.partition(".")
        event, _, channel = rest.partition(".")
        if (event, channel) not in known:
            raise InvalidChoice(key, f"“{key[:80]}” is not one of the notification choices.")
        values = post.getlist(key) if hasattr(post, "getlist") else [post[key]]
        if any(str(value).lower() not in _TRUE for value in values):
            raise InvalidChoice(key, f"“{key}” can only be ticked (on) or left out.")
        if channel not in editable:
            raise InvalidChoice(
                key, f"{Channel(channel).label} cannot be changed on this site now."
            )
        ticked.add((event, channel))
    return {pair: pair in ticked for pair in PAIRS if pair[1] in editable}


class NotPermitted(PermissionError):
    """The caller may not change these choices (they are the member's at every club)."""


def _account(owner_id: str):
    """The account of ``owner_id``; None for a configuration left by a deleted one."""
    return get_user_model().objects.filter(pk=owner_id).first()


def legacy_flags(owner_id: str) -> dict[str, bool] | None:
    """The UserConfig API's old ``notifications`` object, read from the member's choices.

    The choices are the member's at every club, so every club's
    configuration shows the same flags; pages are always live. None when
    the account is gone (its configuration then keeps what it stored).
    """
    member = _account(owner_id)
    if member is None:
        return None
    choices = preferences_for(member)
    flags: dict[str, bool] = {}
    for event, flag in LEGACY_EMAIL_FLAG.items():
        # A flag that stands for several events reads as its first (its namesake).
        flags.setdefault(flag, choices[(event.value, Channel.EMAIL.value)])
    return flags | {"live_updates": True}


def may_change_legacy_flags(actor, owner_id: str) -> bool:
    """Only the member, or an operator of every club, changes choices that span every club."""
    return str(actor.pk) == str(owner_id) or operated_clubs(actor) is None


def check_legacy_flags_change(actor, owner_id: str) -> None:
    """Raise ``NotPermitted`` before anything is written when ``actor`` may not change them."""
    if not may_change_legacy_flags(actor, owner_id):
        raise NotPermitted(
            "notifications: these are the member's choices at every club; "
            "only the member or an operator of every club may change them."
        )


def save_legacy_flags(actor, owner_id: str, flags: dict[str, bool]) -> None:
    """Store the old flags an API client sent as the e-mail choices they name."""
    check_legacy_flags_change(actor, owner_id)
    member = _account(owner_id)
    if member is None:
        return
    save_preferences(
        member,
        {
            (event.value, Channel.EMAIL.value): flags[flag]
            for event, flag in LEGACY_EMAIL_FLAG.items()
            if flag in flags
        },
    )


def save_preferences(member, choices: dict[tuple[str, str], bool]) -> None:
    """Store ``choices`` (as ``parse_posted`` gives them); other pairs keep their values."""
    unknown = [pair for pair in choices if pair not in PAIRS]
    if unknown:
        raise InvalidChoice(field_name(*unknown[0]), f"{unknown[0]} is not a notification choice.")
    preferences_for(member)  # every row exists (seeded) before some are overwritten
    with transaction.atomic():
        for (event, channel), enabled in choices.items():
            NotificationPreference.objects.filter(
                member=member, event=event, channel=channel
            ).update(enabled=enabled)
