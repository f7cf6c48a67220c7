"""The accounts API: thin views over ``accounts.services``.

Public endpoints (register, login, refresh, logout, password reset) take no
authentication at all, so that a stale token in a client never stands in
the way of logging in again; they are rate limited per client address.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from tennisbook.api.ratelimit import rate_limit

from . import serializers as s
from . import services


def _valid(serializer_class: type, request: Any, **kwargs: Any) -> dict:
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class PublicAuthView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    def get_authenticate_header(self, request):
        # Without authenticators DRF would turn a refused credential into 403.
        return 'Bearer realm="api"'


RESET_SENT = "If an account uses this address, we sent it a link to reset the password."


class RegisterView(PublicAuthView):
    @extend_schema(request=s.RegisterSerializer, responses={201: s.ProfileSerializer})
    @rate_limit("register")
    def post(self, request):
        user = services.register_user(**_valid(s.RegisterSerializer, request))
        return Response(s.ProfileSerializer(user).data, status=status.HTTP_201_CREATED)


class LoginView(PublicAuthView):
    error_statuses = (401,)

    @extend_schema(request=s.LoginSerializer, responses={200: s.TokenPairSerializer})
    @rate_limit("login")
    def post(self, request):
        data = _valid(s.LoginSerializer, request)
        user = services.log_in(request, data["username"], data["password"])
        return Response(services.issue_api_tokens(request, user))


class RefreshView(PublicAuthView):
    error_statuses = (401,)

    @extend_schema(request=s.RefreshSerializer, responses={200: s.TokenPairSerializer})
    @rate_limit("token")
    def post(self, request):
        return Response(services.refresh_tokens(_valid(s.RefreshSerializer, request)["refresh"]))


class LogoutView(PublicAuthView):
    error_statuses = (401,)

    @extend_schema(request=s.RefreshSerializer, responses={204: None})
    @rate_limit("token")
    def post(self, request):
        services.log_out(_valid(s.RefreshSerializer, request)["refresh"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProfileView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: s.ProfileSerializer})
    def get(self, request):
        return Response(s.ProfileSerializer(request.user).data)

    @extend_schema(request=s.ProfileUpdateSerializer, responses={200: s.ProfileSerializer})
    def patch(self, request):
        changes = _valid(s.ProfileUpdateSerializer, request)
        user = services.update_profile(request.user, **changes)
        return Response(s.ProfileSerializer(user).data)


class PasswordChangeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=s.PasswordChangeSerializer,
        responses={200: s.TokenPairSerializer},
        description="Every earlier token is revoked; the answer carries a fresh pair.",
    )
    @rate_limit("token")
    def post(self, request):
        data = _valid(s.PasswordChangeSerializer, request)
        services.change_password(request.user, data["old_password"], data["new_password"])
        return Response(services.issue_api_tokens(request, request.user))


class PasswordResetView(PublicAuthView):
    @extend_schema(request=s.PasswordResetSerializer, responses={202: s.DetailSerializer})
    @rate_limit("password_reset")
    def post(self, request):
        services.request_password_reset(_valid(s.PasswordResetSerializer, request)["email"])
        return Response({"detail": RESET_SENT}, status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmView(PublicAuthView):
    @extend_schema(request=s.PasswordResetConfirmSerializer, responses={204: None})
    @rate_limit("password_reset")
    def post(self, request):
        data = _valid(s.PasswordResetConfirmSerializer, request)
        services.confirm_password_reset(data["uid"], data["token"], data["new_password"])
        return Response(status=status.HTTP_204_NO_CONTENT)
