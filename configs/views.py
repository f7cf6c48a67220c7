"""The configuration API: clubs, a member's UserConfig per club, each club's SystemConfig.

Thin views over ``configs.services`` and ``configs.clubs``. A member
reaches only their own configurations; an operator reaches anyone's at the
clubs they operate (``User.operator_clubs``). Members read the clubs and
the public part of each club's settings; operators of a club read all of it
and change it; only an operator of every club creates clubs. The paths
without a club (``/api/users/me/config``, ``/api/system/config``) are the
default club's, as they were when a deployment had one club. A member also
tests their saved credentials at a club (``booker.login_check``).
"""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from booker import login_check
from realtime import preferences
from tennisbook.api.permissions import (
    IsOperatorOrReadOnly,
    IsOwnerOrOperator,
    is_operator,
    may_operate,
    operated_clubs,
)
from tennisbook.values import InvalidValue

from . import clubs, services
from . import serializers as s

CLUB = OpenApiParameter(
    "club", str, OpenApiParameter.PATH, description="The club's id (GET /api/clubs lists them)."
)


def club_or_404(value: str | None) -> clubs.Club:
    """The club of the path (the default club when the path has none)."""
    try:
        return clubs.get_club(value or settings.DEFAULT_CLUB_ID)
    except InvalidValue:
        raise NotFound("There is no such club.") from None


def require_operator_of(request, club: str) -> None:
    if not may_operate(request.user, club):
        raise PermissionDenied("You do not operate this club.")


class ClubListView(APIView):
    permission_classes = [IsOperatorOrReadOnly]
    error_statuses = {"*": (503,), "POST": (403,)}

    @extend_schema(
        responses={200: s.ClubSerializer(many=True)},
        description="Every club. Operators also learn which ones they operate.",
    )
    def get(self, request):
        found = clubs.list_clubs()
        return Response(s.ClubSerializer(found, many=True, context={"user": request.user}).data)

    @extend_schema(
        request=s.ClubCreateSerializer,
        responses={201: s.ClubSerializer},
        description="Create a club (an operator of every club only). Settings not given "
        "are copied from `copy_from`, else take their defaults. Without its own "
        "`settings.portal_profile` the club is created disabled unless `enabled` is true.",
    )
    def post(self, request):
        if operated_clubs(request.user) is not None:
            raise PermissionDenied("Only an operator of every club may create clubs.")
        data = s.ClubCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        created = clubs.create_club(
            data.validated_data["id"],
            data.validated_data["name"],
            actor=request.user.get_username(),
            settings_values=data.validated_data.get("settings"),
            copy_from=data.validated_data.get("copy_from"),
            enabled=data.validated_data.get("enabled"),
        )
        body = s.ClubSerializer(created, context={"user": request.user}).data
        return Response(body, status=status.HTTP_201_CREATED)


class ClubDetailView(APIView):
    permission_classes = [IsOperatorOrReadOnly]
    error_statuses = {"*": (404, 503), "PATCH": (403, 409)}

    @extend_schema(parameters=[CLUB], responses={200: s.ClubSerializer})
    def get(self, request, club):
        found = club_or_404(club)
        return Response(s.ClubSerializer(found, context={"user": request.user}).data)

    @extend_schema(
        parameters=[CLUB],
        request=s.ClubUpdateSerializer,
        responses={200: s.ClubSerializer},
        description="Rename the club, or disable it (a disabled club takes no new requests).",
    )
    def patch(self, request, club):
        found = club_or_404(club)
        require_operator_of(request, found.id)
        data = s.ClubUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        updated = clubs.update_club(
            found.id, actor=request.user.get_username(), **data.validated_data
        )
        return Response(s.ClubSerializer(updated, context={"user": request.user}).data)


def shown_configs(configs: list, owner: str) -> list[dict]:
    """The configurations as the API shows them, their ``notifications`` the member's choices."""
    data = s.UserConfigSerializer(configs, many=True).data
    flags = preferences.legacy_flags(owner) if data else None
    if flags is not None:
        for item in data:
            item["notifications"] = flags
    return data


class UserConfigView(APIView):
    permission_classes = [IsOwnerOrOperator]
    error_statuses = {"*": (403, 404, 503), "POST": (409,), "DELETE": (409,)}

    def target(self, request, user_id=None, club=None) -> tuple[str, str]:
        """The member and club of the path, once the caller may reach them."""
        self.club = club_or_404(club).id
        owner = str(user_id or request.user.pk)
        self.check_object_permissions(request, owner)
        return owner, self.club

    @extend_schema(responses={200: s.UserConfigSerializer})
    def get(self, request, user_id=None, club=None):
        owner, club_id = self.target(request, user_id, club)
        config = services.get_user_config(owner, club_id)
        return Response(shown_configs([config], owner)[0])

    @extend_schema(
        request=s.UserConfigInputSerializer,
        responses={200: s.UserConfigSerializer, 201: s.UserConfigSerializer},
        description="Create (portal credentials required) or update some fields, at this club.",
    )
    def post(self, request, user_id=None, club=None):
        owner, club_id = self.target(request, user_id, club)
        data = s.UserConfigInputSerializer(data=request.data, context={"club": club_id})
        data.is_valid(raise_exception=True)
        flags = data.validated_data.get("notifications")
        if flags is not None:
            try:
                preferences.check_legacy_flags_change(request.user, owner)
            except preferences.NotPermitted as refused:
                raise PermissionDenied(str(refused)) from None
        actor = f"user:{request.user.pk}"
        config, created = services.update_user_config(
            owner, club_id, actor=actor, **data.validated_data
        )
        if flags is not None:
            preferences.save_legacy_flags(request.user, owner, flags)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(shown_configs([config], owner)[0], status=code)

    @extend_schema(responses={204: None})
    def delete(self, request, user_id=None, club=None):
        services.delete_user_config(*self.target(request, user_id, club))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MemberClubsView(APIView):
    """The clubs where a member has a configuration."""

    permission_classes = [IsOwnerOrOperator]
    error_statuses = {"*": (403, 503)}

    @extend_schema(responses={200: s.UserConfigSerializer(many=True)})
    def get(self, request, user_id=None):
        owner = str(user_id or request.user.pk)
        if owner != str(request.user.pk) and not is_operator(request.user):
            raise PermissionDenied("You may only access your own data.")
        visible = clubs.club_ids()
        if owner != str(request.user.pk):
            visible = [club for club in visible if may_operate(request.user, club)]
        configs = services.member_configs(owner, visible)
        return Response(shown_configs(configs, owner))


class SystemConfigView(APIView):
    permission_classes = [IsOperatorOrReadOnly]
    error_statuses = {"*": (404, 503), "POST": (403, 409)}

    @extend_schema(responses={200: s.SystemConfigItemSerializer(many=True)})
    def get(self, request, club=None):
        found = club_or_404(club)
        private = is_operator(request.user) and may_operate(request.user, found.id)
        entries = services.system_config_entries(club=found.id, include_private=private)
        return Response(s.SystemConfigItemSerializer(entries, many=True).data)

    @extend_schema(
        request=s.SystemConfigInputSerializer, responses={200: s.SystemConfigItemSerializer}
    )
    def post(self, request, club=None):
        found = club_or_404(club)
        require_operator_of(request, found.id)
        data = s.SystemConfigInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        key = data.validated_data["key"]
        services.set_system_value(
            key,
            data.validated_data["value"],
            club=found.id,
            actor=request.user.get_username(),
            description=data.validated_data.get("description"),
        )
        entry = services.system_config_entry(key, club=found.id)
        return Response(s.SystemConfigItemSerializer(entry).data)


LoginCheckSerializer = inline_serializer(
    "LoginCheck",
    fields={
        "id": serializers.CharField(),
        "state": serializers.ChoiceField(choices=[state.value for state in login_check.CheckState]),
        "message": serializers.CharField(help_text="One sentence for the member."),
        "started_at": serializers.DateTimeField(),
        "finished_at": serializers.DateTimeField(allow_null=True, help_text="null while running"),
    },
)


class LoginCheckThrottle(UserRateThrottle):
    """Every check logs in to the club's real portal: a few a minute per member.

    The rate is ``DEFAULT_THROTTLE_RATES["login_check"]`` when set, else
    ``DEFAULT_RATE``.
    """

    scope = "login_check"
    DEFAULT_RATE = "5/min"

    def get_rate(self) -> str:
        return self.THROTTLE_RATES.get(self.scope, self.DEFAULT_RATE)


class LoginCheckView(APIView):
    """The member's own "Test my login" at a club: start one, or read the latest."""

    error_statuses = {"*": (404, 503)}

    def get_throttles(self):
        extra = [LoginCheckThrottle()] if self.request.method == "POST" else []
        return [*super().get_throttles(), *extra]

    @extend_schema(
        parameters=[CLUB],
        responses={200: LoginCheckSerializer},
        description="The latest check at this club (kept ten minutes); 404 when none.",
    )
    def get(self, request, club):
        check = login_check.read(str(request.user.pk), club_or_404(club).id)
        if check is None:
            raise NotFound("No login check has run at this club in the last ten minutes.")
        return Response(check.as_dict())

    @extend_schema(
        parameters=[CLUB],
        request=None,
        responses={202: LoginCheckSerializer},
        description="Log in to the club's portal with the saved credentials, in the "
        "background, booking nothing; poll GET for the outcome: `ok`, `wrong_password`, "
        "`unreachable` or `failed`. A check still running is returned, not repeated.",
    )
    def post(self, request, club):
        owner = str(request.user.pk)
        check = login_check.start(owner, club_or_404(club).id, actor=f"user:{owner}")
        return Response(check.as_dict(), status=status.HTTP_202_ACCEPTED)
