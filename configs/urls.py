"""``/api/clubs...``, ``/api/users/.../config``, ``.../login-check`` and ``/api/system/config``.

The paths without a club are the default club's.
"""

from django.urls import path

from . import views

app_name = "configs-api"

urlpatterns = [
    path("clubs", views.ClubListView.as_view(), name="clubs"),
    path("clubs/<str:club>", views.ClubDetailView.as_view(), name="club"),
    path("clubs/<str:club>/config", views.SystemConfigView.as_view(), name="club-config"),
    path("users/me/clubs", views.MemberClubsView.as_view(), name="my-clubs"),
    path("users/me/clubs/<str:club>/config", views.UserConfigView.as_view(), name="my-club-config"),
    path(
        "users/me/clubs/<str:club>/login-check",
        views.LoginCheckView.as_view(),
        name="my-club-login-check",
    ),
    path("users/<uuid:user_id>/clubs", views.MemberClubsView.as_view(), name="user-clubs"),
    path(
        "users/<uuid:user_id>/clubs/<str:club>/config",
        views.UserConfigView.as_view(),
        name="user-club-config",
    ),
    path("users/me/config", views.UserConfigView.as_view(), name="my-config"),
    path("users/<uuid:user_id>/config", views.UserConfigView.as_view(), name="user-config"),
    path("system/config", views.SystemConfigView.as_view(), name="system-config"),
]
