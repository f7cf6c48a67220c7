"""API payloads of the accounts endpoints (input checks only; services decide)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from rest_framework import serializers

User = get_user_model()


class PasswordField(serializers.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("write_only", True)
        kwargs.setdefault("trim_whitespace", False)
        kwargs.setdefault("max_length", 128)
        kwargs.setdefault("style", {"input_type": "password"})
        super().__init__(**kwargs)


class ProfileSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "email", "first_name", "last_name", "is_staff", "date_joined"]
        read_only_fields = ["id", "username", "is_staff", "date_joined"]


class ProfileUpdateSerializer(serializers.Serializer):
    email = serializers.EmailField(required=False, max_length=254)
    first_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    last_name = serializers.CharField(required=False, allow_blank=True, max_length=150)


class RegisterSerializer(serializers.Serializer):
    username = serializers.CharField(
        max_length=150, min_length=3, validators=[UnicodeUsernameValidator()]
    )
    email = serializers.EmailField(max_length=254)
    password = PasswordField()
    first_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    last_name = serializers.CharField(required=False, allow_blank=True, max_length=150)


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = PasswordField()


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField(help_text="Bearer token for the Authorization header.")
    refresh = serializers.CharField(help_text="Single-use token for /api/auth/refresh.")


class RefreshSerializer(serializers.Serializer):
    refresh = serializers.CharField(max_length=2000)


class PasswordChangeSerializer(serializers.Serializer):
    old_password = PasswordField()
    new_password = PasswordField()


class PasswordResetSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)


class PasswordResetConfirmSerializer(serializers.Serializer):
    uid = serializers.CharField(max_length=64)
    token = serializers.CharField(max_length=128)
    new_password = PasswordField()


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()
