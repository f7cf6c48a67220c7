"""Permission classes shared by every app's API.

Operators are staff users; an operator may be limited to some clubs
(``User.operator_clubs``): ``operated_clubs`` says which, ``may_operate``
checks one. Object permissions compare the object's
``user_id`` (the DynamoDB items' owner, a UUID string) with the caller's id,
so the same class guards UserConfigs, BookingRequests and whatever follows.
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission


def is_operator(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


def operated_clubs(user: Any) -> frozenset[str] | None:
    """The clubs ``user`` operates: None for every club, empty for none (not staff)."""
    if not is_operator(user):
        return frozenset()
    if user.is_superuser:
        return None
    limited = [str(club) for club in (getattr(user, "operator_clubs", None) or [])]
    return frozenset(limited) if limited else None


def may_operate(user: Any, club: str) -> bool:
    """Whether ``user`` is an operator of ``club``."""
    clubs = operated_clubs(user)
    return clubs is None or club in clubs


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
        """The owner; or an operator, of the object's club when it has one."""
        if owner_id_of(obj) == str(request.user.pk):
            return True
        club = getattr(obj, "club_id", None) or getattr(view, "club", None)
        if club is None:
            # Nothing says whose club it is: only an operator of every club.
            return operated_clubs(request.user) is None
        return is_operator(request.user) and may_operate(request.user, club)
