"""The member pages of configuration: ``/settings/`` and the first-run ``/welcome/``."""

from django.urls import path

from . import pages

app_name = "configs"

urlpatterns = [
    path("settings/", pages.settings_page, name="settings"),
    path("settings/login-test", pages.login_test, name="login-test"),
    path("welcome/", pages.welcome, name="welcome"),
]
