"""Site accounts.

The user model is the project's own from the first migration, so that later
needs (UUID keys shared with DynamoDB items, unique e-mail, a "tokens valid
after" instant) never require swapping the user model on a live database.
"""

from __future__ import annotations

import uuid
from typing import Any

import structlog
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone

log = structlog.get_logger(__name__)


class User(AbstractUser):
    """A member or operator of tennisbook.

    ``id`` is a UUID: it is the ``userId`` of the member's items in DynamoDB
    (UserConfigs, BookingRequests), so it must never be guessable or reused.
    Operators are ``is_staff`` users, limited to ``operator_clubs`` when
    that lists any (``tennisbook.api.permissions.operated_clubs``).
    ``tokens_valid_after`` revokes every API token of the user at once
    (logout, and any new password: see ``save``).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField("email address", unique=True)
    # JWTs whose login happened before this instant are refused at once:
    # set by logout, the admin's revoke action and every new password (save).
    tokens_valid_after = models.DateTimeField(
        "tokens valid after",
        null=True,
        blank=True,
        editable=False,
        help_text="API tokens from logins before this instant are refused.",
    )
    # The clubs an operator (staff) may see and change; empty: every club.
    # Superusers always reach every club.
    operator_clubs = models.JSONField(
        "operator's clubs",
        default=list,
        blank=True,
        help_text="Club ids this operator may see and change; empty means every club.",
    )

    # The zone the member reads times in ("" = the club's own, with the
    # browser's beside it). Checked against the zone database by the forms.
    display_time_zone = models.CharField(
        "display time zone",
        max_length=64,
        blank=True,
        default="",
        help_text="IANA zone for times on the member's pages; empty: the club's zone.",
    )
    # SHA-256 of the secret in the member's calendar subscription URL
    # (``/calendar/<token>.ics``); the token itself is shown once and never
    # stored. A new token replaces the hash: the old URL stops at once.
    calendar_token_hash = models.CharField(
        max_length=64, null=True, blank=True, unique=True, editable=False
    )
    calendar_token_created = models.DateTimeField(null=True, blank=True, editable=False)

    objects = UserManager()

    REQUIRED_FIELDS = ["email"]

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.username

    # Set by set_unusable_password(), which (unlike set_password) leaves no
    # trace of itself for save() to see.
    _password_disabled = False

    def set_unusable_password(self) -> None:
        super().set_unusable_password()
        self._password_disabled = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save; a new password also revokes every token, in the same write.

        This is where "a password change revokes the member's tokens" is
        enforced, rather than in ``accounts.services.set_password`` alone,
        because Django's own code changes passwords too and cannot be made to
        call our service without copying it: ``manage.py changepassword``
        (django.contrib.auth's command shadows any of ours, being listed
        first in ``INSTALLED_APPS``), a shell, a data fix. All of them call
        ``set_password()`` (or ``set_unusable_password()``) then ``save()``,
        so this hook sees every one. ``set_password`` keeps the raw password
        in ``_password`` until the save (Django hands it to the validators'
        ``password_changed``); the silent re-hash at login with an outdated
        hasher clears it first, so an upgrade revokes nothing. Sessions need
        no help: Django ends every session whose stored hash of the password
        no longer matches (``update_session_auth_hash`` keeps the caller's).
        A password assigned as a ready-made hash (``user.password = ...``) is
        not a password change here: go through ``set_password``.
        """
        update_fields = kwargs.get("update_fields")
        saves_password = update_fields is None or "password" in update_fields
        new_password = self._password is not None or self._password_disabled
        # A new account has no tokens yet: nothing to revoke.
        revoke = new_password and saves_password and not self._state.adding
        if revoke:
            self.tokens_valid_after = timezone.now()
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "tokens_valid_after"}
        super().save(*args, **kwargs)
        if saves_password:
            self._password_disabled = False
        if revoke:
            log.info("account.tokens_revoked", user_id=str(self.pk), reason="password_set")


class VersionField(models.PositiveIntegerField):
    """A record's version: 1 when created, one more on every ``save()`` of it.

    As ``auto_now`` stamps an instant, this counts every write that goes
    through ``save()`` (the admin, a replacement by name), so a check
    against the version a form was drawn from sees a change made by any
    path. A conditional ``update()`` calls no ``pre_save``: it sets the
    version itself (``bookings.template_editing``).
    """

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        if add:
            return super().pre_save(model_instance, add)
        value = (getattr(model_instance, self.attname) or 0) + 1
        setattr(model_instance, self.attname, value)
        return value


class BookingTemplate(models.Model):
    """A member's saved wish at one club: courts, slot, alternatives, partners, notes.

    Never credentials, never a date: a template says *what* to ask for and
    on which weekdays; the booking form picks the next such date. A copy
    accepted from another member remembers where it came from
    (``copied_from``), and stays the recipient's own to edit or delete.
    Its owner and the members it is shared with by username edit it
    together (``bookings.template_editing``): ``version`` says which state
    a form was drawn from, ``updated_by`` who made the last edit.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="booking_templates")
    club_id = models.CharField(max_length=64)
    name = models.CharField(max_length=80)
    court_id = models.PositiveIntegerField()
    time_slot = models.CharField(max_length=64)
    # [{"court_id": int, "time_slot": str}, ...] in the member's order
    alternatives = models.JSONField(default=list, blank=True)
    partners = models.JSONField(default=list, blank=True)
    notes = models.CharField(max_length=500, blank=True, default="")
    on_conflict = models.CharField(max_length=16, blank=True, default="")
    weekdays = models.JSONField(default=list, blank=True)  # 0 = Monday
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic concurrency for editing together: a save names the version
    # it was drawn from, and one drawn from an older version is refused.
    version = VersionField(default=1, editable=False)
    # Who made the last edit through the editing page (None: not edited there yet).
    updated_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["name", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "club_id", "name"], name="one_template_name_per_member_club"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.club_id})"


class TemplateShare(models.Model):
    """A template offered to another member: by username, or by a link anyone may accept.

    ``recipient`` is set for a share by username; a link share has none
    until accepted and is found by ``token_hash`` (SHA-256 of the link's
    secret, never the secret). Accepting copies the template into the
    recipient's own; the share stays until its owner withdraws it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    template = models.ForeignKey(BookingTemplate, on_delete=models.CASCADE, related_name="shares")
    recipient = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="templates_shared"
    )
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "recipient"], name="one_share_per_template_recipient"
            ),
            models.CheckConstraint(
                condition=models.Q(recipient__isnull=False) | models.Q(token_hash__isnull=False),
                name="share_has_recipient_or_link",
            ),
        ]

    def __str__(self) -> str:
        to = self.recipient.get_username() if self.recipient_id else "a link"
        return f"{self.template} shared with {to}"
