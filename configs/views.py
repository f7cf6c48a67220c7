"""The configuration API: a member's UserConfig and the club's SystemConfig.

Thin views over ``configs.services``. A member reaches only their own
configuration (``/api/users/me/config`` or their own id); operators may
reach anyone's. Members read the public part of SystemConfig; operators read
all of it and change it.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from tennisbook.api.permissions import IsOperatorOrReadOnly, IsOwnerOrOperator, is_operator

from . import serializers as s
from . import services


class UserConfigView(APIView):
    permission_classes = [IsOwnerOrOperator]
    error_statuses = {"*": (403, 404, 503), "POST": (409,), "DELETE": (409,)}

    def owner(self, request, user_id=None) -> str:
        owner = str(user_id or request.user.pk)
        self.check_object_permissions(request, owner)
        return owner

    @extend_schema(responses={200: s.UserConfigSerializer})
    def get(self, request, user_id=None):
        config = services.get_user_config(self.owner(request, user_id))
        return Response(s.UserConfigSerializer(config).data)

    @extend_schema(
        request=s.UserConfigInputSerializer,
        responses={200: s.UserConfigSerializer, 201: s.UserConfigSerializer},
        description="Create (portal credentials required) or update some fields.",
    )
    def post(self, request, user_id=None):
        owner = self.owner(request, user_id)
        data = s.UserConfigInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        actor = f"user:{request.user.pk}"
        config, created = services.update_user_config(owner, actor=actor, **data.validated_data)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(s.UserConfigSerializer(config).data, status=code)

    @extend_schema(responses={204: None})
    def delete(self, request, user_id=None):
        services.delete_user_config(self.owner(request, user_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class SystemConfigView(APIView):
    permission_classes = [IsOperatorOrReadOnly]
    error_statuses = {"*": (503,), "POST": (409,)}

    @extend_schema(responses={200: s.SystemConfigItemSerializer(many=True)})
    def get(self, request):
        entries = services.system_config_entries(include_private=is_operator(request.user))
        return Response(s.SystemConfigItemSerializer(entries, many=True).data)

    @extend_schema(
        request=s.SystemConfigInputSerializer, responses={200: s.SystemConfigItemSerializer}
    )
    def post(self, request):
        data = s.SystemConfigInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        key = data.validated_data["key"]
        services.set_system_value(
            key,
            data.validated_data["value"],
            actor=request.user.get_username(),
            description=data.validated_data.get("description"),
        )
        return Response(s.SystemConfigItemSerializer(services.system_config_entry(key)).data)
