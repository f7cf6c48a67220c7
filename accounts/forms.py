"""Forms of the account pages; credentials go through ``accounts.services``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from rest_framework import exceptions as drf

from . import services
from .lockout import LoginLocked


def _messages(exc: drf.ValidationError) -> dict[str, list[str]]:
    detail = exc.detail if isinstance(exc.detail, dict) else {"__all__": exc.detail}
    return {field: [str(m) for m in messages] for field, messages in detail.items()}


def _add_errors(form: forms.Form, exc: drf.ValidationError) -> None:
    """A service's refusal on the form: each message on its field, the rest on the form."""
    for field, messages in _messages(exc).items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


class LoginForm(auth_forms.AuthenticationForm):
    """Django's login form under the same lockout rules as the API.

    ``locked_for`` is how many seconds the login must wait (0: not locked);
    ``locked_code`` says why: ``account_locked`` (a password reset lifts
    it) or ``address_locked`` (too many failures from this address).
    """

    locked_for: float = 0
    locked_code: str = ""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is None or not password:
            return self.cleaned_data
        try:
            self.user_cache = services.log_in(self.request, username, password)
        except LoginLocked as exc:
            self.locked_for = exc.retry_after
            self.locked_code = getattr(exc.detail, "code", "") or exc.default_code
            raise ValidationError(str(exc.detail), code="locked") from None
        except services.InvalidCredentials:
            raise ValidationError(services.INVALID_CREDENTIALS, code="invalid_login") from None
        self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


def name_field(autocomplete: str) -> forms.CharField:
    """A first or last name: optional, at most Django's 150 characters."""
    return forms.CharField(
        max_length=150, required=False, widget=forms.TextInput(attrs={"autocomplete": autocomplete})
    )


class RegisterForm(forms.Form):
    username = forms.CharField(
        max_length=150,
        min_length=3,
        validators=[UnicodeUsernameValidator()],
        help_text="Letters, digits and @/./+/-/_ only.",
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    email = forms.EmailField(
        label="E-mail address", widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    first_name = name_field("given-name")
    last_name = name_field("family-name")
    password = forms.CharField(
        strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def register(self) -> Any:
        """Create the account; field errors land on the form (returns None)."""
        try:
            return services.register_user(**self.cleaned_data)
        except drf.ValidationError as exc:
            _add_errors(self, exc)
            return None


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """The member's own change; saving always commits (``services.set_password``)."""

    def save(self, commit: bool = True) -> Any:
        password = self.cleaned_data["new_password1"]
        services.set_password(self.user, password, actor=f"user:{self.user.pk}")
        return self.user


class SetPasswordForm(auth_forms.SetPasswordForm):
    """The reset form; saving always commits (``services.reset_password``: lifts a lockout)."""

    def save(self, commit: bool = True) -> Any:
        services.reset_password(self.user, self.cleaned_data["new_password1"])
        return self.user


class PasswordResetForm(forms.Form):
    email = forms.EmailField(
        label="E-mail address",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


# --- the profile --------------------------------------------------------------------


class ProfileForm(forms.Form):
    """Names and e-mail address (``services.update_profile``: the address stays unique)."""

    first_name = name_field("given-name")
    last_name = name_field("family-name")
    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        help_text="Password reset links and booking news go here.",
        error_messages={"required": "Enter your e-mail address."},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def save(self, user: Any) -> bool:
        """Save the changes; False with the service's refusal on the form."""
        try:
            services.update_profile(user, **self.cleaned_data)
        except drf.ValidationError as exc:
            _add_errors(self, exc)
            return False
        return True


def _zone_choices() -> list[tuple[str, str]]:
    return [("", "This device's zone (the default)")] + [
        (zone, zone.replace("_", " ")) for zone in services.display_time_zones()
    ]


class DisplayZoneForm(forms.Form):
    """The zone of "(your time: ...)" beside club times ("": the browser's own)."""

    display_time_zone = forms.ChoiceField(
        label="Show my own times in",
        required=False,
        choices=_zone_choices,
        help_text=(
            "Club times always show in the club's own zone; your own time is shown beside "
            "them, in this zone."
        ),
        error_messages={
            "invalid_choice": "%(value)s is not a time zone; choose one from the list."
        },
    )

    def save(self, user: Any) -> bool:
        try:
            services.update_profile(user, **self.cleaned_data)
        except drf.ValidationError as exc:
            _add_errors(self, exc)
            return False
        return True


class DeleteAccountForm(forms.Form):
    """The last step of deleting one's account: the site password (``services.delete_account``)."""

    password = forms.CharField(
        label="Your tennisbook password",
        strip=False,
        error_messages={"required": "Enter your password to delete your account."},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def delete(self) -> bool:
        """Delete the account; False with "not your password" on the field."""
        try:
            services.delete_account(self.user, self.cleaned_data["password"])
        except drf.ValidationError as exc:
            _add_errors(self, exc)
            return False
        return True
