"""Server-rendered account pages (Django sessions): log in and out, register,
passwords, the member's profile and the deletion of their account.

Every form calls ``accounts.services`` (the profile's notification choices
call ``realtime.preferences`` through ``realtime.pages``), so a page cannot
accept what the API refuses.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views import View
from django.views.decorators.http import require_GET
from django.views.generic import FormView, TemplateView

from realtime.pages import preference_table, save_posted
from tennisbook.api.errors import TooManyRequests, humanize_seconds
from tennisbook.api.ratelimit import check_rate
from tennisbook.pages import PageError, attempt

from . import forms, services

# Set in the new, anonymous session once an account is deleted: the
# "your account is deleted" page is shown to that browser only.
SESSION_DELETED = "tennisbook.account_deleted"


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
    """``/accounts/login/``; a locked account or address is told so here, with a 429.

    ``next`` (kept only if it is a URL of this site: Django's
    ``url_has_allowed_host_and_scheme``) is where the member was when the
    session ended; the page says so and goes back there after the login.
    """

    rate_limit_name = "login"
    form_class = forms.LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context["form"]
        context["session_ended"] = bool(context.get("next")) and not form.is_bound
        context["locked"] = form.locked_code if form.locked_for else ""
        return context

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.locked_for:
            response.status_code = 429
            response["Retry-After"] = str(max(1, int(form.locked_for)))
        return response


class LogoutView(auth_views.LogoutView):
    """POST logs out; a GET (an old bookmark) asks first instead of answering 405."""

    template_name = "accounts/logged_out.html"
    next_page = None
    http_method_names = ["get", "post", "options"]

    def get(self, request, *args, **kwargs):
        return render(request, self.template_name, {"asking": request.user.is_authenticated})


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

    def get_context_data(self, **kwargs):
        timeout = humanize_seconds(settings.PASSWORD_RESET_TIMEOUT)
        return super().get_context_data(**kwargs) | {"timeout_text": timeout}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = forms.SetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


# --- the profile ------------------------------------------------------------------------


class HomeView(LoginRequiredMixin, View):
    """``/accounts/``: "Your profile": details, display zone, notifications, password, deletion.

    Each part is its own form (``section``); a refused one comes back with
    its errors and the others as saved.
    """

    template_name = "accounts/home.html"

    def get(self, request):
        return self.show()

    def post(self, request):
        user, post = request.user, request.POST
        section = post.get("section")
        if section == "details":
            form = forms.ProfileForm(post)
            if form.is_valid() and form.save(user):
                return self.saved("Saved your name and e-mail address.")
            return self.show(details=form, status=400)
        if section == "zone":
            form = forms.DisplayZoneForm(post)
            if form.is_valid() and form.save(user):
                zone = user.display_time_zone or "this device's zone"
                return self.saved(f"Your own times are now shown in {zone}.")
            return self.show(zone=form, status=400)
        if section == "notifications":
            try:
                attempt(save_posted, user, post)
            except PageError as error:
                return self.show(notifications=(post, error), status=error.status)
            return self.saved("Saved your notification choices.")
        return self.show(problem="That form is not part of this page; nothing was saved.")

    def saved(self, message: str):
        messages.success(self.request, message)
        return redirect("accounts:home")

    def show(self, *, details=None, zone=None, notifications=(None, None), problem="", status=200):
        user = self.request.user
        initial = {name: getattr(user, name) for name in services.PROFILE_FIELDS}
        context = {
            "details_form": details or forms.ProfileForm(initial=initial),
            "zone_form": zone or forms.DisplayZoneForm(initial=initial),
            "problem": problem,
        }
        try:
            # The first look seeds the member's choices from their clubs' (DynamoDB).
            context["notification_table"] = attempt(preference_table, user, *notifications)
        except PageError as error:  # DynamoDB away: the rest of the profile still works
            context["notifications_unavailable"] = error.message
        return render(self.request, self.template_name, context, status=400 if problem else status)


class DeleteAccountView(LoginRequiredMixin, RateLimitedPostMixin, FormView):
    """``/accounts/delete/``: what deleting does, then the password, then it is done.

    The password check counts against the login's request rate: a session
    left open must not become a way to guess the password.
    """

    rate_limit_name = "login"
    form_class = forms.DeleteAccountForm
    template_name = "accounts/delete.html"

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            context["consequences"] = attempt(services.deletion_consequences, self.request.user)
        except PageError:  # DynamoDB away: the page says what happens in general terms
            context["consequences"] = None
        return context

    def form_valid(self, form):
        if not form.delete():
            return self.form_invalid(form)
        logout(self.request)
        self.request.session[SESSION_DELETED] = True
        return redirect("accounts:deleted")

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


@require_GET
def account_deleted(request):
    """``/accounts/deleted/``: said once to the browser that deleted the account."""
    if not request.session.get(SESSION_DELETED) or request.user.is_authenticated:
        return redirect("bookings:home")
    return render(request, "accounts/deleted.html")
