"""``/accounts/...``: the account pages."""

from django.urls import path

from . import pages

app_name = "accounts"

urlpatterns = [
    path("", pages.HomeView.as_view(), name="home"),
    path("login/", pages.LoginView.as_view(), name="login"),
    path("logout/", pages.LogoutView.as_view(), name="logout"),
    path("register/", pages.RegisterView.as_view(), name="register"),
    path("delete/", pages.DeleteAccountView.as_view(), name="delete"),
    path("deleted/", pages.account_deleted, name="deleted"),
    path("password/change/", pages.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/change/done/",
        pages.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("password/reset/", pages.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/done/", pages.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "reset/<uidb64>/<token>/",
        pages.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        pages.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
