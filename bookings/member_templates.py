"""A member's own booking templates, their favourites, and sharing templates.

A template is a wish without a date: court, slot, ordered alternatives,
partners, notes, the conflict choice and the weekdays it is for, at one
club. It is checked by the same rules as a request (``check_choices``,
``check_notes``), so a template always fills a form the club accepts. It
never holds credentials, nor anything of the member's portal account.

Sharing offers a template to one member by username, or to whoever holds a
link. Accepting copies it into the recipient's own templates (the copy is
theirs: editing or deleting it touches nobody else's). Only a hash of a
link's secret is stored; the link is shown once, when it is made. A share
is visible to its owner, to its recipient, and (a link share) to a holder
of the secret; to anyone else it does not exist.

Favourites are per club and live with the member's preferences in
UserConfigs (``favourite_courts``, ``favourite_slots``): ``favourites``
reads them, ``ordered_courts`` puts them first for the booking form.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

import structlog
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import BookingTemplate, TemplateShare
from configs import services as config_services
from tennisbook.values import InvalidValue, clean_text

from . import services

log = structlog.get_logger(__name__)

NAME_MAX_LENGTH = 60
MAX_TEMPLATES_PER_CLUB = 30
MAX_SHARES_PER_TEMPLATE = 20


class NoSuchTemplate(LookupError):
    """The template or share is not the caller's to see (or does not exist)."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- checking a template -------------------------------------------------------------


def check_template(club: str, body: dict[str, Any]) -> dict[str, Any]:
    """The model fields of a template from a wish-like body; ``InvalidValue`` if bad."""
    name = clean_text(body.get("name") or "", "name", max_length=NAME_MAX_LENGTH, min_length=1)
    court, slot_label, alternatives = services.check_choices(
        club, body.get("court_id"), body.get("time_slot"), body.get("alternatives") or []
    )
    partners, notes, on_conflict = services.check_notes(
        [p for p in body.get("partners") or [] if str(p).strip()],
        body.get("notes") or "",
        body.get("on_conflict") or None,
    )
    weekdays = body.get("weekdays") or []
    if not isinstance(weekdays, list | tuple) or not all(
        isinstance(day, int) and not isinstance(day, bool) and 0 <= day <= 6 for day in weekdays
    ):
        raise InvalidValue("weekdays", "expected weekday numbers from 0 (Monday) to 6 (Sunday).")
    return {
        "name": name,
        "court_id": court["id"],
        "time_slot": slot_label,
        "alternatives": [{"court_id": a.court_id, "time_slot": a.time_slot} for a in alternatives],
        "partners": partners,
        "notes": notes,
        "on_conflict": on_conflict or "",
        "weekdays": sorted(set(weekdays)),
    }


# --- the member's own templates ------------------------------------------------------------


def my_templates(user: Any, club: str | None = None) -> list[BookingTemplate]:
    found = BookingTemplate.objects.filter(owner=user)
    if club is not None:
        found = found.filter(club_id=club)
    return list(found.order_by("club_id", "name"))


def own_template(user: Any, template_id: object) -> BookingTemplate:
    """The caller's template ``template_id``; ``NoSuchTemplate`` for any other id."""
    try:
        return BookingTemplate.objects.get(pk=str(template_id), owner=user)
    except (BookingTemplate.DoesNotExist, ValidationError):  # unknown, or not even a UUID
        raise NoSuchTemplate(template_id) from None


def save_template(user: Any, club: str, body: dict[str, Any]) -> tuple[BookingTemplate, bool]:
    """Create the template, or replace the member's one of the same name at ``club``.

    Returns it and whether it was created. ``InvalidValue`` names a bad field.
    """
    values = check_template(club, body)
    with transaction.atomic():
        existing = (
            BookingTemplate.objects.select_for_update()
            .filter(owner=user, club_id=club, name=values["name"])
            .first()
        )
        if existing is not None:
            from .template_editing import announce_change, values_of  # it imports this module

            before = values_of(existing)
            for name, value in values.items():
                setattr(existing, name, value)
            if values_of(existing) == before:
                # Nothing changed: no new version, so a co-editor's open page stays current.
                return existing, False
            existing.updated_by = user
            existing.save()  # a new version: an open editing page is told below
            announce_change(existing, before, user, existing.updated_at)
            log.info("template.replaced", user_id=str(user.pk), template_id=str(existing.pk))
            return existing, False
        if BookingTemplate.objects.filter(owner=user, club_id=club).count() >= (
            MAX_TEMPLATES_PER_CLUB
        ):
            raise InvalidValue(
                "name",
                f"you keep {MAX_TEMPLATES_PER_CLUB} templates at this club already; "
                "delete one first.",
            )
        try:
            with transaction.atomic():
                template = BookingTemplate.objects.create(owner=user, club_id=club, **values)
        except IntegrityError:  # the same name saved at the same moment in another tab
            raise InvalidValue("name", "a template of this name was just saved; retry.") from None
    log.info("template.created", user_id=str(user.pk), template_id=str(template.pk), club=club)
    return template, True


def delete_template(user: Any, template_id: object) -> BookingTemplate:
    template = own_template(user, template_id)
    template.delete()
    log.info("template.deleted", user_id=str(user.pk), template_id=str(template_id))
    return template


# --- sharing ----------------------------------------------------------------------------


def _room_for_a_share(template: BookingTemplate) -> None:
    if template.shares.count() >= MAX_SHARES_PER_TEMPLATE:
        raise InvalidValue(
            "username",
            f"this template is shared {MAX_SHARES_PER_TEMPLATE} times already; "
            "withdraw a share first.",
        )


def share_with(user: Any, template_id: object, username: object) -> TemplateShare | None:
    """Offer the template to the member called ``username``; None when there is none.

    The caller answers both the same way: sharing never tells whether an
    account exists (as the login never does).
    """
    template = own_template(user, template_id)
    name = clean_text(username or "", "username", max_length=150, min_length=1)
    if name.casefold() == user.get_username().casefold():
        raise InvalidValue("username", "that is you: the template is yours already.")
    recipient = get_user_model().objects.filter(username__iexact=name, is_active=True).first()
    if recipient is None:
        log.info("template.share_to_nobody", user_id=str(user.pk), template_id=str(template.pk))
        return None
    if recipient.pk == user.pk:
        raise InvalidValue("username", "that is you: the template is yours already.")
    _room_for_a_share(template)
    share, created = TemplateShare.objects.get_or_create(template=template, recipient=recipient)
    if not created and share.accepted_at is not None:
        share.accepted_at = None  # offered again: it shows in their list again
        share.save(update_fields=["accepted_at"])
    log.info(
        "template.shared",
        user_id=str(user.pk),
        template_id=str(template.pk),
        recipient_id=str(recipient.pk),
    )
    return share


def share_link(user: Any, template_id: object) -> tuple[TemplateShare, str]:
    """A new link share of the template; returns it and the secret (shown once)."""
    template = own_template(user, template_id)
    _room_for_a_share(template)
    token = secrets.token_urlsafe(24)
    share = TemplateShare.objects.create(template=template, token_hash=token_hash(token))
    log.info("template.link_made", user_id=str(user.pk), template_id=str(template.pk))
    return share, token


def shares_of(user: Any, template: BookingTemplate) -> list[TemplateShare]:
    if template.owner_id != user.pk:
        raise NoSuchTemplate(template.pk)
    return list(template.shares.select_related("recipient").order_by("created_at"))


def withdraw(user: Any, share_id: object) -> None:
    """The owner takes a share back: the link stops working, the offer disappears."""
    share = _share(share_id, template__owner=user)
    share.delete()
    log.info("template.share_withdrawn", user_id=str(user.pk), share_id=str(share_id))


def offered_to(user: Any) -> list[TemplateShare]:
    """Templates other members offered to ``user`` that are not copied or dismissed yet."""
    return list(
        TemplateShare.objects.filter(recipient=user, accepted_at__isnull=True)
        .select_related("template", "template__owner")
        .order_by("-created_at")
    )


def offer(user: Any, share_id: object) -> TemplateShare:
    """A share offered to ``user`` by username, not yet copied; ``NoSuchTemplate`` otherwise."""
    return _share(share_id, recipient=user, accepted_at__isnull=True)


def by_link(token: object) -> TemplateShare:
    """The link share whose secret is ``token``; ``NoSuchTemplate`` for any other string."""
    if not isinstance(token, str) or not 16 <= len(token) <= 128:
        raise NoSuchTemplate("link")
    share = (
        TemplateShare.objects.filter(token_hash=token_hash(token))
        .select_related("template", "template__owner")
        .first()
    )
    if share is None:
        raise NoSuchTemplate("link")
    return share


def accept(user: Any, share: TemplateShare) -> BookingTemplate:
    """Copy the shared template into ``user``'s own; a name taken there gets a suffix."""
    original = share.template
    if original.owner_id == user.pk:
        raise InvalidValue("share", "this template is yours already.")
    base = f"{original.name} (from {original.owner.get_username()})"[:NAME_MAX_LENGTH]
    fields = {
        "court_id": original.court_id,
        "time_slot": original.time_slot,
        "alternatives": list(original.alternatives),
        "partners": list(original.partners),
        "notes": original.notes,
        "on_conflict": original.on_conflict,
        "weekdays": list(original.weekdays),
    }
    with transaction.atomic():
        taken = set(
            BookingTemplate.objects.filter(
                owner=user, club_id=original.club_id, name__startswith=base[:40]
            ).values_list("name", flat=True)
        )
        name, n = base, 2
        while name in taken:
            suffix = f" {n}"
            name, n = base[: NAME_MAX_LENGTH - len(suffix)] + suffix, n + 1
        if BookingTemplate.objects.filter(owner=user, club_id=original.club_id).count() >= (
            MAX_TEMPLATES_PER_CLUB
        ):
            raise InvalidValue(
                "share", f"you keep {MAX_TEMPLATES_PER_CLUB} templates at this club already."
            )
        try:
            with transaction.atomic():
                copy = BookingTemplate.objects.create(
                    owner=user, club_id=original.club_id, name=name, copied_from=original, **fields
                )
        except IntegrityError:  # the same copy made at the same moment in another tab
            raise InvalidValue("share", "this template was just copied; see your list.") from None
        if share.recipient_id == user.pk:
            share.accepted_at = timezone.now()
            share.save(update_fields=["accepted_at"])
    log.info(
        "template.accepted",
        user_id=str(user.pk),
        template_id=str(copy.pk),
        copied_from=str(original.pk),
    )
    return copy


def dismiss(user: Any, share_id: object) -> None:
    """The recipient declines an offer: it leaves their list (the owner's template stays)."""
    share = _share(share_id, recipient=user)
    share.delete()
    log.info("template.offer_dismissed", user_id=str(user.pk), share_id=str(share_id))


def _share(share_id: object, **scope: Any) -> TemplateShare:
    try:
        return TemplateShare.objects.select_related("template", "template__owner").get(
            pk=str(share_id), **scope
        )
    except (TemplateShare.DoesNotExist, ValidationError):  # unknown, or not even a UUID
        raise NoSuchTemplate(share_id) from None


# --- favourites ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Favourites:
    courts: list[int]
    slots: list[str]

    def court_first(self, courts: list[dict]) -> list[dict]:
        """The club's courts with the favourite ones first (each keeps its own order)."""
        return sorted(courts, key=lambda court: court["id"] not in self.courts)

    def slots_first(self, slots: list[str]) -> list[str]:
        return sorted(slots, key=lambda slot: slot not in self.slots)


def favourites(user_id: str, club: str, config: Any = None) -> Favourites:
    """The member's favourite courts and slots at ``club`` (none without a configuration)."""
    if config is None:
        config = config_services.find_user_config(str(user_id), club)
    if config is None:
        return Favourites([], [])
    return Favourites(
        [int(c) for c in config.favourite_courts or []], list(config.favourite_slots or [])
    )
