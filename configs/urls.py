"""``/api/users/.../config`` and ``/api/system/config``."""

from django.urls import path

from . import views

app_name = "configs-api"

urlpatterns = [
    path("users/me/config", views.UserConfigView.as_view(), name="my-config"),
    path("users/<uuid:user_id>/config", views.UserConfigView.as_view(), name="user-config"),
    path("system/config", views.SystemConfigView.as_view(), name="system-config"),
]
