from contextvars import ContextVar

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import (
    AdminPasswordChangeForm,
    AdminUserCreationForm,
    UserChangeForm,
)

from configs import clubs
from tennisbook.dynamo import DataError

from . import services
from .models import User

# Django's password view builds its form itself, without the request: the
# view below names the operator here for the form's call to the service.
_operator: ContextVar[str] = ContextVar("password_operator", default="operator")


class OperatorPasswordChangeForm(AdminPasswordChangeForm):
    """The admin's password form, saved through ``services.set_password``."""

    def save(self, commit: bool = True):
        usable = self.cleaned_data["set_usable_password"]
        password = self.cleaned_data["password1"] if usable else None
        services.set_password(self.user, password, actor=_operator.get())
        return self.user


class OperatorClubsField(forms.MultipleChoiceField):
    """Club ids, checked against the clubs that exist (in ``clean``, with their names)."""

    widget = forms.CheckboxSelectMultiple

    def valid_value(self, value: str) -> bool:
        return True  # an unknown id gets the form's clearer message


def clean_unique_email(form: forms.ModelForm) -> str:
    """The form's e-mail, normalized, refused when another account has it in any case.

    The column is unique: an empty or duplicate address must be a form error
    naming the field, never the database's IntegrityError (a 500).
    """
    email = services.normalize_email(form.cleaned_data["email"])
    others = User.objects.filter(email__iexact=email)
    if form.instance.pk is not None:
        others = others.exclude(pk=form.instance.pk)
    if others.exists():
        raise forms.ValidationError("An account with this e-mail address already exists.")
    return email


class TennisbookUserCreationForm(AdminUserCreationForm):
    """The admin's add-user form: a username, an e-mail address and a password."""

    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "email")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True

    def clean_email(self) -> str:
        return clean_unique_email(self)


class TennisbookUserChangeForm(UserChangeForm):
    """The admin's user form, with the clubs an operator is limited to."""

    operator_clubs = OperatorClubsField(
        label="Operator's clubs",
        required=False,
        help_text="The clubs this operator (staff) may see and change; none ticked means "
        "every club. Superusers always reach every club.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("operator_clubs")
        if field is None:
            return  # read-only for this operator
        stored = list(self.initial.get("operator_clubs") or [])
        try:
            self.known = {club.id: club for club in clubs.list_clubs()}
        except DataError:
            self.known = None  # DynamoDB down: only an unchanged list can be saved
        choices = [(c.id, f"{c.name} ({c.id})") for c in (self.known or {}).values()]
        choices += [(c, f"{c} (no such club)") for c in stored if c not in (self.known or {})]
        field.choices = choices

    def clean_operator_clubs(self) -> list[str]:
        chosen = list(dict.fromkeys(self.cleaned_data["operator_clubs"]))
        if set(chosen) == set(self.initial.get("operator_clubs") or []):
            return chosen
        if self.known is None:
            raise forms.ValidationError(
                "The clubs cannot be checked now (DynamoDB is unavailable); try again later."
            )
        unknown = [club for club in chosen if club not in self.known]
        if unknown:
            raise forms.ValidationError(
                f"There is no club {', '.join(map(repr, unknown))}; clubs: {', '.join(self.known)}."
            )
        return chosen

    def clean_email(self) -> str:
        return clean_unique_email(self)


@admin.register(User)
class TennisbookUserAdmin(UserAdmin):
    """Users for operators; the password is only ever shown as its hash summary.

    Setting or disabling a member's password here revokes their API tokens
    and ends their sessions (``services.set_password``).
    """

    form = TennisbookUserChangeForm
    add_form = TennisbookUserCreationForm
    change_password_form = OperatorPasswordChangeForm

    list_display = (
        "username",
        "email",
        "is_staff",
        "clubs_operated",
        "is_active",
        "last_login",
        "date_joined",
    )
    list_filter = ("is_staff", "is_active", "is_superuser")
    search_fields = ("username", "email", "first_name", "last_name")
    readonly_fields = ("tokens_valid_after", "last_login", "date_joined")
    fieldsets = (
        *UserAdmin.fieldsets,
        ("Clubs operated", {"fields": ("operator_clubs",)}),
        ("API tokens", {"fields": ("tokens_valid_after",)}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "email", "usable_password", "password1", "password2"),
            },
        ),
    )
    actions = ["revoke_api_tokens"]

    # What decides how far an account reaches: only a superuser changes it,
    # so an operator limited to some clubs cannot widen anyone's reach,
    # their own included (by making someone staff, superuser, or all-clubs).
    REACH_FIELDS = ("operator_clubs", "is_staff", "is_superuser", "groups", "user_permissions")

    def _beyond_reach(self, request, obj) -> bool:
        """A superuser, or another staff account: not a non-superuser's to change.

        Setting such an account's password (or e-mail, then resetting it)
        would take over its reach.
        """
        if obj is None or request.user.is_superuser:
            return False
        return obj.is_superuser or (obj.is_staff and obj.pk != request.user.pk)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._beyond_reach(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._beyond_reach(request, obj)

    def get_readonly_fields(self, request, obj=None):
        """Only a superuser limits or widens an operator's clubs or powers."""
        fields = super().get_readonly_fields(request, obj)
        return fields if request.user.is_superuser else (*fields, *self.REACH_FIELDS)

    @admin.display(description="Clubs operated")
    def clubs_operated(self, user: User) -> str:
        if not user.is_staff:
            return "—"
        if user.is_superuser or not user.operator_clubs:
            return "every club"
        return ", ".join(user.operator_clubs)

    @admin.action(description="Revoke the API tokens of the selected users")
    def revoke_api_tokens(self, request, queryset):
        for user in queryset:
            services.invalidate_tokens(user)
        messages.success(request, f"Revoked the API tokens of {queryset.count()} user(s).")

    def user_change_password(self, request, id, form_url=""):
        token = _operator.set(f"operator:{request.user.pk}")
        try:
            return super().user_change_password(request, id, form_url)
        finally:
            _operator.reset(token)
