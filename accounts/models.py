"""Site accounts.

The user model is the project's own from the first migration, so that later
needs (UUID keys shared with DynamoDB items, unique e-mail, a "tokens valid
after" instant) never require swapping the user model on a live database.
"""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models


class User(AbstractUser):
    """A member or operator of tennisbook.

    ``id`` is a UUID: it is the ``userId`` of the member's items in DynamoDB
    (UserConfigs, BookingRequests), so it must never be guessable or reused.
    Operators are ``is_staff`` users. ``tokens_valid_after`` revokes every
    API token of the user at once (logout, password change or reset).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField("email address", unique=True)
    # JWTs whose login happened before this instant are refused at once:
    # set by logout, password change and password reset.
    tokens_valid_after = models.DateTimeField(
        "tokens valid after",
        null=True,
        blank=True,
        editable=False,
        help_text="API tokens from logins before this instant are refused.",
    )

    objects = UserManager()

    REQUIRED_FIELDS = ["email"]

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.username
