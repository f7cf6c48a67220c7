"""Editing one template together: who may, saving against a version, telling the others.

**Who.** A template's owner and each member it is shared with *by
username* (a ``TemplateShare`` naming them, copied or not) may change what
it asks for: its name, first choice (court and slot), alternatives,
partners, notes, weekdays and conflict choice. A link share stays
copy-only. Deleting, sharing and withdrawing stay the owner's alone
(``member_templates``). To anyone else the template does not exist.

**Saving.** Optimistic concurrency: a form carries the ``version`` it was
drawn from, and the save is one conditional ``UPDATE … WHERE version =
<that one>`` that also counts the version up. Of two saves drawn from one
version only the first lands; the second is refused (``StaleTemplate``,
naming who changed the template and carrying its current values), never
applied over the first. A save that changes nothing writes nothing, and is
not refused: there is nothing to overwrite.

**Telling.** After the commit, ``template.changed`` goes to the template's
stream (``template:<id>``, docs/realtime.md) with ``{template_id, version,
by, at, fields, values}``: ``fields`` names what this version changed and
``values`` holds those fields' new values. A publish that fails (Redis
down) is logged; the save stands, and an open page's next save is checked
against the version as always.

**The pages' rule** (static/js/template-edit.js, ``rebase``): the form's
hidden version is the newest version every change of which the form either
shows or the member has answered ("use theirs" or "keep mine"). A change to
a field the member has not touched is shown at once; one to a field they
did touch waits for their answer, and until then the form stays on the
older version, so a save is refused rather than lay their text over the
other member's change without their knowing. After a refusal the page is
drawn again from the current version by ``rebase``: the other member's
values where this member had changed nothing, this member's where the other
had changed nothing, and both, side by side, where both changed a field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from accounts.models import BookingTemplate, TemplateShare
from realtime import broadcast
from tennisbook.values import InvalidValue

from .member_templates import NoSuchTemplate, check_template

log = structlog.get_logger(__name__)

EVENT_KIND = "template.changed"
# What editing together may change, in the order the page shows it.
FIELDS = (
    "name",
    "court_id",
    "time_slot",
    "alternatives",
    "partners",
    "notes",
    "weekdays",
    "on_conflict",
)


class StaleTemplate(Exception):
    """A save drawn from an older version than the template's: nothing was saved.

    ``template`` is the template as it is now, ``by`` who made its last edit
    (None: a write outside the editing page, such as its owner replacing it
    by name), ``mine`` the caller's values, checked, and ``fields`` those of
    them that differ from the current ones.
    """

    def __init__(self, template: BookingTemplate, mine: dict[str, Any]):
        self.template = template
        self.by = template.updated_by.get_username() if template.updated_by_id else None
        self.at: datetime = template.updated_at
        self.mine = mine
        current = values_of(template)
        self.fields = [name for name in FIELDS if mine[name] != current[name]]
        super().__init__(self.message)

    @property
    def message(self) -> str:
        who = self.by or "Another member"
        return f"{who} changed this template meanwhile; nothing was saved."


@dataclass(frozen=True)
class Edited:
    """A save's outcome: the template as saved and the fields it changed (none: no write)."""

    template: BookingTemplate
    fields: list[str]


# --- who may edit ---------------------------------------------------------------------


def _editable_by(user: Any):
    shared = TemplateShare.objects.filter(template=OuterRef("pk"), recipient=user)
    return BookingTemplate.objects.filter(Q(owner=user) | Exists(shared))


def editable_template(user: Any, template_id: object) -> BookingTemplate:
    """Template ``template_id`` if ``user`` owns it or has it shared by username.

    ``NoSuchTemplate`` for anyone else (a link holder included) and for an
    id that is not one at all: the pages answer 404 either way.
    """
    try:
        return _editable_by(user).select_related("owner", "updated_by").get(pk=str(template_id))
    except (BookingTemplate.DoesNotExist, ValidationError):
        raise NoSuchTemplate(template_id) from None


def edited_together(user: Any) -> list[TemplateShare]:
    """The shares by username to ``user``: templates of others they may edit."""
    return list(
        TemplateShare.objects.filter(recipient=user)
        .select_related("template", "template__owner", "template__updated_by")
        .order_by("template__name")
    )


def editors(template: BookingTemplate) -> list[str]:
    """The usernames of the members the template is shared with by username."""
    return list(
        template.shares.filter(recipient__isnull=False)
        .order_by("recipient__username")
        .values_list("recipient__username", flat=True)
    )


def values_of(template: BookingTemplate) -> dict[str, Any]:
    """What editing may change of ``template``, as ``check_template`` gives it."""
    return {
        "name": template.name,
        "court_id": template.court_id,
        "time_slot": template.time_slot,
        "alternatives": [
            {"court_id": alt.get("court_id"), "time_slot": alt.get("time_slot")}
            for alt in template.alternatives
        ],
        "partners": list(template.partners),
        "notes": template.notes,
        "weekdays": list(template.weekdays),
        "on_conflict": template.on_conflict,
    }


# --- saving ---------------------------------------------------------------------------


def _version(value: object) -> int:
    try:
        version = int(str(value))
    except ValueError:
        version = 0
    if version < 1:
        raise InvalidValue("version", "the form lost the version it was drawn from; reload it.")
    return version


def edit_template(user: Any, template_id: object, body: dict[str, Any], version: object) -> Edited:
    """Save ``body`` over template ``template_id``, drawn from ``version``.

    The caller must be allowed to edit it (else ``NoSuchTemplate``).
    ``InvalidValue`` names a bad field (the same rules as saving a template);
    ``StaleTemplate`` when the template moved past ``version`` meanwhile.
    After the commit the template's stream gets ``template.changed``.
    """
    template = editable_template(user, template_id)
    drawn_from = _version(version)
    values = check_template(template.club_id, body)
    current = values_of(template)
    changed = [name for name in FIELDS if values[name] != current[name]]
    if not changed:
        return Edited(template, [])  # nothing to write, so nothing to overwrite
    if template.version != drawn_from:
        log.info("template.edit_stale", user_id=str(user.pk), template_id=str(template.pk))
        raise StaleTemplate(template, values)
    _name_is_free(template, values["name"])
    at = timezone.now()
    try:
        with transaction.atomic():
            updated = BookingTemplate.objects.filter(pk=template.pk, version=drawn_from).update(
                **values, version=F("version") + 1, updated_by=user, updated_at=at
            )
    except IntegrityError:  # the owner saved another of this name at this very moment
        raise InvalidValue("name", "the owner just saved another template of this name.") from None
    if updated != 1:  # another save landed between our read and our write
        fresh = editable_template(user, template_id)
        log.info("template.edit_stale", user_id=str(user.pk), template_id=str(template.pk))
        raise StaleTemplate(fresh, values)
    template.refresh_from_db()
    log.info(
        "template.edited",
        user_id=str(user.pk),
        template_id=str(template.pk),
        version=template.version,
        fields=changed,
    )
    announce_change(template, current, user, at)
    return Edited(template, changed)


def announce_change(
    template: BookingTemplate, before: dict[str, Any], user: Any, at: datetime
) -> list[str]:
    """Tell the template's editors, after the commit, what this save changed from ``before``.

    Every path that writes a new version calls it (an edit here, a save by
    name from the booking form), so an open editing page never learns of a
    version only when its own save is refused. Returns the changed fields.
    """
    after = values_of(template)
    changed = [name for name in FIELDS if after[name] != before[name]]
    if changed:
        event = {
            "template_id": str(template.pk),
            "version": template.version,
            "by": user.get_username(),
            "at": at.isoformat(),
            "fields": changed,
            "values": {name: after[name] for name in changed},
        }
        transaction.on_commit(lambda: announce(event))
    return changed


def _name_is_free(template: BookingTemplate, name: str) -> None:
    """Names are unique per owner and club: a co-editor renames within the owner's."""
    taken = (
        BookingTemplate.objects.filter(owner_id=template.owner_id, club_id=template.club_id)
        .filter(name=name)
        .exclude(pk=template.pk)
        .exists()
    )
    if taken:
        raise InvalidValue(
            "name", f"{template.owner.get_username()} keeps another template of this name."
        )


def announce(event: dict[str, Any]) -> None:
    """Publish one ``template.changed``; a failure is logged, never raised (the save stands)."""
    try:
        broadcast.publish(broadcast.template_stream(event["template_id"]), EVENT_KIND, event)
    except Exception:  # Redis or the channel layer away: the pages catch up on their next save
        log.exception(
            "template.publish_failed", template_id=event["template_id"], version=event["version"]
        )


# --- after a refusal --------------------------------------------------------------------


@dataclass(frozen=True)
class Rebased:
    """The form drawn again over the current version after a refusal.

    ``values`` is what the form shows; ``theirs`` the fields taken from the
    current template (the member had not changed them); ``conflicts`` those
    both changed, differently (the form keeps the member's, the page shows
    the other beside it).
    """

    values: dict[str, Any]
    theirs: list[str]
    conflicts: list[str]


def rebase(base: dict[str, Any] | None, mine: dict[str, Any], current: dict[str, Any]) -> Rebased:
    """Three-way: the values the form was drawn from, the member's, and the current ones.

    ``base`` comes from the page (its hidden copy of the version it was drawn
    from): without it, or for a field it lacks, every difference is a conflict.
    """
    base = base if isinstance(base, dict) else {}
    values, theirs, conflicts = {}, [], []
    for name in FIELDS:
        if mine[name] == current[name]:
            values[name] = mine[name]
        elif name in base and base[name] == mine[name]:  # untouched here: theirs
            values[name] = current[name]
            theirs.append(name)
        elif name in base and base[name] == current[name]:  # changed only here
            values[name] = mine[name]
        else:
            values[name] = mine[name]
            conflicts.append(name)
    return Rebased(values, theirs, conflicts)
