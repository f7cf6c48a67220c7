from contextvars import ContextVar

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm

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


@admin.register(User)
class TennisbookUserAdmin(UserAdmin):
    """Users for operators; the password is only ever shown as its hash summary.

    Setting or disabling a member's password here revokes their API tokens
    and ends their sessions (``services.set_password``).
    """

    change_password_form = OperatorPasswordChangeForm

    list_display = ("username", "email", "is_staff", "is_active", "last_login", "date_joined")
    list_filter = ("is_staff", "is_active", "is_superuser")
    search_fields = ("username", "email", "first_name", "last_name")
    readonly_fields = ("tokens_valid_after", "last_login", "date_joined")
    fieldsets = (*UserAdmin.fieldsets, ("API tokens", {"fields": ("tokens_valid_after",)}))
    actions = ["revoke_api_tokens"]

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
