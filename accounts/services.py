"""Site accounts: registration, login, token revocation, passwords, profile.

Views (API and pages), forms and admin call these; none of them changes a
user's credentials or tokens itself. Every function that sends or revokes
something logs it, never with a password or a token.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any
from zoneinfo import available_timezones

import structlog
from axes.utils import reset as reset_login_failures
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model, password_validation
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from rest_framework import exceptions

from . import lockout, tokens

log = structlog.get_logger(__name__)

User = get_user_model()

INVALID_CREDENTIALS = "The username or password is incorrect."


class InvalidCredentials(exceptions.AuthenticationFailed):
    default_code = "invalid_credentials"
    default_detail = INVALID_CREDENTIALS


def _django_request(request: Any) -> HttpRequest:
    # DRF wraps the HttpRequest; axes and django.contrib.auth need the original.
    return getattr(request, "_request", request)


def _field_error(field: str, messages: list[str] | str) -> exceptions.ValidationError:
    return exceptions.ValidationError(
        {field: messages if isinstance(messages, list) else [messages]}
    )


def check_site_password(password: str, user: Any, field: str = "password") -> None:
    """Django's password validators; a ``ValidationError`` naming ``field``."""
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise _field_error(field, list(exc.messages)) from None


# --- registration and profile -----------------------------------------------


def normalize_email(email: str) -> str:
    return User.objects.normalize_email(email).strip()


def register_user(*, username: str, email: str, password: str, **profile: str) -> Any:
    """Create a member (never staff) after the uniqueness and password checks."""
    email = normalize_email(email)
    if User.objects.filter(username__iexact=username).exists():
        raise _field_error("username", "A user with that username already exists.")
    if User.objects.filter(email__iexact=email).exists():
        raise _field_error("email", "An account with this e-mail address already exists.")
    user = User(username=username, email=email, **profile)
    check_site_password(password, user)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # a concurrent registration of the same name
        raise _field_error("username", "A user with that username already exists.") from None
    log.info("account.registered", user_id=str(user.pk))
    return user


PROFILE_FIELDS = ("first_name", "last_name", "email", "display_time_zone")


@cache
def display_time_zones() -> list[str]:
    """Every zone a member may read times in (the zone database's names, sorted)."""
    return sorted(available_timezones())


def check_display_time_zone(zone: str) -> str:
    """``zone`` if the zone database knows it ("" keeps the club's zone)."""
    if zone and zone not in display_time_zones():
        raise _field_error(
            "display_time_zone", f"{zone!r} is not a time zone; choose one from the list."
        )
    return zone


def update_profile(user: Any, **changes: str) -> Any:
    """Change the editable profile fields (``PROFILE_FIELDS``).

    The e-mail address stays unique (case-insensitively) and the display
    zone must be one of ``display_time_zones()`` or "" (each club's own);
    a ``ValidationError`` names the field otherwise, and nothing is saved.
    """
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"not profile fields: {', '.join(sorted(unknown))}")
    if "email" in changes:
        changes["email"] = normalize_email(changes["email"])
        taken = User.objects.filter(email__iexact=changes["email"]).exclude(pk=user.pk)
        if taken.exists():
            raise _field_error("email", "An account with this e-mail address already exists.")
    if "display_time_zone" in changes:
        check_display_time_zone(changes["display_time_zone"])
    before = {name: getattr(user, name) for name in changes}
    for name, value in changes.items():
        setattr(user, name, value)
    try:
        with transaction.atomic():
            user.save(update_fields=[*changes])
    except IntegrityError:  # the same address saved by another account meanwhile
        for name, value in before.items():
            setattr(user, name, value)
        raise _field_error("email", "An account with this e-mail address already exists.") from None
    log.info("account.profile_updated", user_id=str(user.pk), fields=sorted(changes))
    return user


@dataclass(frozen=True)
class DeletionConsequences:
    """What deleting this member's account would do, in numbers for the confirmation page."""

    portal_clubs: list[str]  # names of the clubs where their portal credentials are saved
    active_requests: int  # pending or processing: cancelled with the account
    retention_days: list[int]  # how long each of those clubs keeps finished requests
    templates: int  # saved booking templates, deleted with the account


def deletion_consequences(user: Any) -> DeletionConsequences:
    """Read what ``delete_account`` would erase and cancel (DynamoDB errors propagate)."""
    from bookings.choices import ACTIVE_STATUSES
    from bookings.services import list_requests
    from configs import clubs
    from configs.services import get_system_value, member_configs

    user_id = str(user.pk)
    known = {club.id: club for club in clubs.list_clubs()}
    saved = [config.club_id for config in member_configs(user_id, list(known))]
    requests = list_requests(user_id)
    with_history = dict.fromkeys([*saved, *(r.club_id for r in requests if r.club_id in known)])
    return DeletionConsequences(
        portal_clubs=[known[club].name for club in saved],
        active_requests=sum(1 for r in requests if r.status in ACTIVE_STATUSES),
        retention_days=sorted(
            {get_system_value("retention", club=club)["finished_ttl_days"] for club in with_history}
        ),
        templates=user.booking_templates.count(),
    )


DELETION_REFUSED = "That is not your password; your account was not deleted."


def delete_account(user: Any, password: str) -> None:
    """The member deletes their own account, after giving their site password.

    The user row goes, and with it (cascades) their saved booking templates,
    the shares of them and their calendar feed; once the deletion has
    committed, ``configs.signals`` erases their UserConfigs items (the
    encrypted portal credentials and preferences at every club) and
    ``bookings.signals`` cancels their pending and processing requests.
    Their requests themselves, finished and just cancelled, stay in
    BookingRequests as the club's booking history (operators only) until the
    club's retention (``retention.finished_ttl_days``) expires them; courts
    already booked at a club's portal stay booked there. A wrong password raises a
    ``ValidationError`` naming ``password`` and deletes nothing. The caller
    ends the member's session (the pages log them out).
    """
    if not password or not user.check_password(password):
        log.info("account.deletion_refused", user_id=str(user.pk), reason="wrong_password")
        raise _field_error("password", DELETION_REFUSED)
    user_id = str(user.pk)
    with transaction.atomic():
        user.delete()
    log.info("account.deleted", user_id=user_id, actor=f"user:{user_id}")


# --- login and tokens ----------------------------------------------------------


def log_in(request: Any, username: str, password: str) -> Any:
    """Check credentials under the lockout rules; returns the user.

    Raises ``LoginLocked`` (429) while the account or the address is locked
    and ``InvalidCredentials`` (401) otherwise, with the same answers for
    unknown and existing usernames. Does not start a session: the API issues
    tokens, the pages call ``django.contrib.auth.login`` after this.
    """
    django_request = _django_request(request)
    django_request.login_handled = True
    lockout.check_not_locked(django_request, username)
    user = authenticate(django_request, username=username, password=password)
    if user is None:
        lockout.record_address_failure(django_request)
        # The failure that reaches the limit still answers 401; the next
        # attempt is the one told about the lock (check_not_locked).
        django_request.axes_locked_out = False
        log.info("account.login_failed")
        raise InvalidCredentials()
    return user


def issue_api_tokens(request: Any, user: Any) -> dict[str, str]:
    """Record an API login (resets the failure count) and return a token pair."""
    user_logged_in.send(sender=type(user), request=_django_request(request), user=user)
    log.info("account.login", user_id=str(user.pk), via="api")
    return tokens.issue_tokens(user)


def refresh_tokens(refresh: str) -> dict[str, str]:
    return tokens.rotate(refresh)


def invalidate_tokens(user: Any) -> None:
    """Revoke every API token issued to ``user`` until now."""
    user.tokens_valid_after = timezone.now()
    user.save(update_fields=["tokens_valid_after"])
    log.info("account.tokens_revoked", user_id=str(user.pk))


def log_out(refresh: str, *, caller: Any = None) -> None:
    """Blacklist ``refresh`` and revoke all of its user's tokens.

    A logged-in caller may only present their own refresh token.
    """
    token, user = tokens.parse_refresh(refresh)
    if caller is not None and caller.is_authenticated and caller.pk != user.pk:
        raise exceptions.PermissionDenied("This refresh token belongs to another account.")
    token.blacklist()
    invalidate_tokens(user)
    log.info("account.logout", user_id=str(user.pk))


# --- passwords -------------------------------------------------------------------


def set_password(user: Any, raw_password: str | None, *, actor: str) -> None:
    """Give ``user`` a new password (``None``: no password login at all).

    The one verb for a password change: the member's change (page and API),
    the reset (page and API) and the admin's password form call it. Every
    token of the member (JWT access and refresh) is revoked in the same
    write, and every session of theirs ends at its next request (Django's
    session hash of the password); a caller who wants to keep their own
    session calls ``update_session_auth_hash`` after this.

    The revocation itself lives in ``User.save`` (see there for why), so
    that the paths which are Django's own code and never call this function
    (``manage.py changepassword``, a shell) revoke alike; this function adds
    the audit line naming ``actor`` (``user:<id>`` for the member,
    ``reset-link``, ``operator:<id>``). Precondition: the new password has
    passed the site's validators (``check_site_password`` or a Django form).
    """
    if raw_password is None:
        user.set_unusable_password()
    else:
        user.set_password(raw_password)
    user.save(update_fields=["password"])
    log.info(
        "account.password_set",
        user_id=str(user.pk),
        actor=actor,
        usable=raw_password is not None,
    )


def change_password(user: Any, old_password: str, new_password: str) -> None:
    """The member's own change: checks the old password, then ``set_password``."""
    if not user.check_password(old_password):
        raise _field_error("old_password", "Your current password is incorrect.")
    check_site_password(new_password, user, "new_password")
    set_password(user, new_password, actor=f"user:{user.pk}")


def reset_link(user: Any) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def request_password_reset(email: str) -> None:
    """E-mail a single-use reset link if an active account has this address.

    Says nothing either way: the caller answers the same whether or not the
    address exists. The token is Django's: it expires after
    ``PASSWORD_RESET_TIMEOUT`` and stops working once the password changes.
    """
    email = normalize_email(email)
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is None or not user.has_usable_password():
        log.info("account.password_reset_unknown")
        return
    context = {"user": user, "link": reset_link(user), "site_url": settings.SITE_URL}
    send_mail(
        subject="Reset your tennisbook password",
        message=render_to_string("accounts/email/password_reset.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )
    log.info("account.password_reset_sent", user_id=str(user.pk))


def user_for_reset(uidb64: str, token: str) -> Any | None:
    """The user a reset link is for, or None if the link is invalid or used."""
    try:
        user = User.objects.get(pk=force_str(urlsafe_base64_decode(uidb64)))
    except (User.DoesNotExist, ValidationError, ValueError, TypeError, OverflowError):
        return None
    if not default_token_generator.check_token(user, token):
        return None
    return user


def confirm_password_reset(uidb64: str, token: str, new_password: str) -> Any:
    """Set the new password from a reset link; the link cannot be used again."""
    user = user_for_reset(uidb64, token)
    if user is None:
        raise _field_error("token", "This reset link is invalid, expired or already used.")
    check_site_password(new_password, user, "new_password")
    reset_password(user, new_password)
    return user


def reset_password(user: Any, new_password: str) -> None:
    """``set_password`` from a reset link, which also lifts a login lockout.

    A locked account is told it may reset its password instead of waiting
    (``lockout.account_message``): whoever followed the link read the
    account's e-mail, so the failures counted against it are forgotten.
    Precondition: the link was checked and the password passed the validators.
    """
    set_password(user, new_password, actor="reset-link")
    cleared = reset_login_failures(username=user.get_username())
    if cleared:
        log.info("account.lockout_cleared", user_id=str(user.pk), reason="password_reset")
