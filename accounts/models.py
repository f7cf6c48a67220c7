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
