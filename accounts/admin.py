from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin

from . import services
from .models import User


@admin.register(User)
class TennisbookUserAdmin(UserAdmin):
    """Users for operators; the password is only ever shown as its hash summary."""

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
