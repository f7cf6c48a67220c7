"""Permission classes shared by every app's API.

Operators are staff users. Object permissions compare the object's
``user_id`` (the DynamoDB items' owner, a UUID string) with the caller's id,
so the same class guards UserConfigs, BookingRequests and whatever follows.
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission


def is_operator(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


def owner_id_of(obj: Any) -> str | None:
    """The owner of ``obj``: its ``user_id``, or ``obj`` itself if it is an id."""
    value = obj if isinstance(obj, str) else getattr(obj, "user_id", None)
    return str(value) if value is not None else None


class IsOperator(BasePermission):
    """Staff only."""

    message = "Only club operators may do this."

    def has_permission(self, request: Any, view: Any) -> bool:
        return is_operator(request.user)


class IsOperatorOrReadOnly(BasePermission):
    """Any authenticated user may read; only operators may write."""

    message = "Only club operators may change this."

    def has_permission(self, request: Any, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return bool(request.user and request.user.is_authenticated)
        return is_operator(request.user)


class IsOwnerOrOperator(BasePermission):
    """The object's owner, or an operator.

    Views with no ORM object call ``check_object_permissions(request, obj)``
    with the item (or its owner id) themselves.
    """

    message = "You may only access your own data."

    def has_permission(self, request: Any, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request: Any, view: Any, obj: Any) -> bool:
        return is_operator(request.user) or owner_id_of(obj) == str(request.user.pk)
