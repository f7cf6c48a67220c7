"""Admin views for clubs, members' configurations (UserConfigs) and club settings.

PynamoDB models are not ORM models, so they cannot be registered with
``admin.site``; these views are mounted under ``/admin/configs/`` (see
``tennisbook.urls``, which includes ``urlpatterns`` below), wrapped in
``admin.site.admin_view`` (staff only, the admin's login) and rendered with
the admin's own templates and context, so they look and behave like the rest
of the admin. The admin index links to them (``templates/admin/index.html``).
A portal password is never shown: the form only offers to replace it.

Everything belongs to a club. An operator limited to some clubs
(``User.operator_clubs``) is shown only theirs; another club's page answers
403 (``_club_access``) before anything of it is read, GET or POST alike.
Configurations written before clubs (*legacy*, no club yet) belong to no
club: only operators of every club see them.

A configuration whose member no longer exists (an *orphan*: the member's
deletion could not erase it, see ``configs.signals``) is listed as such and
can only be deleted, one by one or all at once.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.urls import path

from .club_views import club_add, club_change, club_list
from .systemconfig_views import systemconfig_change, systemconfig_clubs, systemconfig_list
from .userconfig_views import (
    userconfig_change,
    userconfig_delete,
    userconfig_delete_legacy,
    userconfig_delete_orphans,
    userconfig_list,
    userconfig_member,
)

app_name = "configs-admin"


def _view(name: str, view: Any, route: str) -> Any:
    return path(route, admin.site.admin_view(view), name=name)


urlpatterns = [
    _view("club-list", club_list, "clubs/"),
    _view("club-add", club_add, "clubs/add/"),
    _view("club-change", club_change, "clubs/<str:club>/change/"),
    _view("userconfig-list", userconfig_list, "userconfigs/"),
    _view("userconfig-delete-orphans", userconfig_delete_orphans, "userconfigs/delete-orphans/"),
    _view("userconfig-member", userconfig_member, "userconfigs/<uuid:user_id>/"),
    _view("userconfig-change", userconfig_change, "userconfigs/<uuid:user_id>/<str:club>/"),
    # Any member id, not only a UUID: an orphan's may never have been a user's id.
    # An item from before clubs has none: "_legacy" stands in, never a club's id.
    _view(
        "userconfig-delete-legacy",
        userconfig_delete_legacy,
        "userconfigs/<path:user_id>/_legacy/delete/",
    ),
    _view("userconfig-delete", userconfig_delete, "userconfigs/<path:user_id>/<str:club>/delete/"),
    _view("systemconfig-clubs", systemconfig_clubs, "systemconfig/"),
    _view("systemconfig-list", systemconfig_list, "systemconfig/<str:club>/"),
    _view("systemconfig-change", systemconfig_change, "systemconfig/<str:club>/<str:key>/"),
]
