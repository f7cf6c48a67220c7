"""Server-rendered account pages (Django sessions)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.generic import FormView, TemplateView

from tennisbook.api.errors import TooManyRequests
from tennisbook.api.ratelimit import check_rate

from . import forms, services


class RateLimitedPostMixin:
    """Count each POST against ``rate_limit_name``; 429 page when over it."""

    rate_limit_name = ""

    def post(self, request, *args, **kwargs):
        try:
            check_rate(request, self.rate_limit_name)
        except TooManyRequests as exc:
            return too_many(request, str(exc.detail), exc.retry_after)
        return super().post(request, *args, **kwargs)


def too_many(request, message: str, retry_after: int):
    response = render(request, "accounts/locked_out.html", {"message": message}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


class LoginView(RateLimitedPostMixin, auth_views.LoginView):
    rate_limit_name = "login"
    form_class = forms.LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.locked_for:
            response.status_code = 429
            response["Retry-After"] = str(int(form.locked_for))
        return response


class LogoutView(auth_views.LogoutView):
    template_name = "accounts/logged_out.html"
    next_page = None


class HomeView(LoginRequiredMixin, TemplateView):
    template_name = "accounts/home.html"


class RegisterView(RateLimitedPostMixin, FormView):
    rate_limit_name = "register"
    form_class = forms.RegisterForm
    template_name = "accounts/register.html"

    def form_valid(self, form):
        user = form.register()
        if user is None:
            return self.form_invalid(form)
        login(self.request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(self.request, "Welcome! Your account is ready.")
        return redirect("configs:welcome")


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = forms.PasswordChangeForm
    template_name = "accounts/password_change_form.html"
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


class PasswordResetView(RateLimitedPostMixin, FormView):
    rate_limit_name = "password_reset"
    form_class = forms.PasswordResetForm
    template_name = "accounts/password_reset_form.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        services.request_password_reset(form.cleaned_data["email"])
        return super().form_valid(form)


class PasswordResetDoneView(TemplateView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = forms.SetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
