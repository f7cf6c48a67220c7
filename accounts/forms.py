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


class LoginForm(auth_forms.AuthenticationForm):
    """Django's login form under the same lockout rules as the API."""

    locked_for: float = 0

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is None or not password:
            return self.cleaned_data
        try:
            self.user_cache = services.log_in(self.request, username, password)
        except LoginLocked as exc:
            self.locked_for = exc.retry_after
            raise ValidationError(str(exc.detail), code="locked") from None
        except services.InvalidCredentials:
            raise ValidationError(services.INVALID_CREDENTIALS, code="invalid_login") from None
        self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class RegisterForm(forms.Form):
    username = forms.CharField(
        max_length=150,
        min_length=3,
        validators=[UnicodeUsernameValidator()],
        help_text="Letters, digits and @/./+/-/_ only.",
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    email = forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    password = forms.CharField(
        strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def register(self) -> Any:
        """Create the account; field errors land on the form (returns None)."""
        try:
            return services.register_user(**self.cleaned_data)
        except drf.ValidationError as exc:
            for field, messages in _messages(exc).items():
                for message in messages:
                    self.add_error(field if field in self.fields else None, message)
            return None


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """The member's own change; saving always commits (``services.set_password``)."""

    def save(self, commit: bool = True) -> Any:
        password = self.cleaned_data["new_password1"]
        services.set_password(self.user, password, actor=f"user:{self.user.pk}")
        return self.user


class SetPasswordForm(auth_forms.SetPasswordForm):
    """The reset form; saving always commits (``services.set_password``)."""

    def save(self, commit: bool = True) -> Any:
        services.set_password(self.user, self.cleaned_data["new_password1"], actor="reset-link")
        return self.user


class PasswordResetForm(forms.Form):
    email = forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "email"}))
