"""Admin views for the DynamoDB-backed UserConfigs and SystemConfig.

PynamoDB models are not ORM models, so they cannot be registered with
``admin.site``; these views are mounted under ``/admin/configs/`` (see
``tennisbook.urls``, which includes ``urlpatterns`` below), wrapped in
``admin.site.admin_view`` (staff only, the admin's login) and rendered with
the admin's own templates and context, so they look and behave like the rest
of the admin. The admin index links to them (``templates/admin/index.html``).
A portal password is never shown: the form only offers to replace it.

A configuration whose member no longer exists (an *orphan*: the member's
deletion could not erase it, see ``configs.signals``) is listed as such and
can only be deleted, one by one or all at once.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from tennisbook import values
from tennisbook.dynamo import Conflict, DataError, NotFound
from tennisbook.validators import validate_portal_password, validate_portal_username
from tennisbook.values import InvalidValue

from . import services, system_keys
from .crypto import CryptoError
from .dynamo import UserConfig

PAGE_SIZE = 50


def _render(request: HttpRequest, template: str, title: str, **context: Any) -> HttpResponse:
    context = {**admin.site.each_context(request), "title": title, **context}
    return render(request, f"admin/configs/{template}", context)


def _fail(request: HttpRequest, exc: Exception) -> None:
    """Show a data-layer or key-service failure as an admin error message."""
    if isinstance(exc, Conflict):
        messages.error(request, "Someone changed this item meanwhile; reload and try again.")
    else:
        messages.error(request, f"DynamoDB or the key service is unavailable: {exc}")


# --- UserConfigs -------------------------------------------------------------------


def _slot_choices() -> list[tuple[str, str]]:
    labels = sorted({slot for court in services.get_courts() for slot in court["slots"]})
    return [(label, label) for label in labels]


class UserConfigForm(forms.Form):
    """An operator's edit of a member's configuration.

    Fields are checked by the shared validators (``tennisbook.validators``),
    the ones the API's serializers use, so both answer with the same message.
    """

    portal_username = forms.CharField(
        max_length=64, required=False, validators=[validate_portal_username]
    )
    new_portal_password = forms.CharField(
        required=False,
        strip=False,
        max_length=128,
        validators=[validate_portal_password],
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Leave empty to keep the stored password. It is never shown.",
    )
    preferred_court = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    preferred_slots = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    email_on_success = forms.BooleanField(required=False)
    email_on_failure = forms.BooleanField(required=False)
    live_updates = forms.BooleanField(required=False)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        courts = services.get_courts()
        self.fields["preferred_court"].choices = [("", "—")] + [
            (court["id"], f"{court['id']} · {court['name']}") for court in courts
        ]
        self.fields["preferred_slots"].choices = _slot_choices()

    @staticmethod
    def initial_for(config: UserConfig | None) -> dict[str, Any]:
        if config is None:
            return {"email_on_success": True, "email_on_failure": True, "live_updates": True}
        notes = config.notifications
        return {
            "portal_username": config.portal_username,
            "preferred_court": config.preferred_court,
            "preferred_slots": list(config.preferred_slots or []),
            "email_on_success": notes.email_on_success,
            "email_on_failure": notes.email_on_failure,
            "live_updates": notes.live_updates,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        court_id, slots = data.get("preferred_court"), data.get("preferred_slots")
        if court_id is not None and slots:
            try:
                court = services.get_court(court_id, "preferred_court")
                for slot in slots:
                    services.check_slot_for_court(court, slot, "preferred_slots")
            except InvalidValue as exc:
                self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        return data

    def changes(self) -> dict[str, Any]:
        """The validated changes, for ``services.update_user_config``."""
        data = self.cleaned_data
        changes: dict[str, Any] = {
            "preferred_court": data["preferred_court"],
            "preferred_slots": data["preferred_slots"],
            "notifications": {
                name: data[name]
                for name in ("email_on_success", "email_on_failure", "live_updates")
            },
        }
        if data["portal_username"]:
            # Validated already; this gives its canonical form (NFC).
            changes["portal_username"] = values.clean_portal_username(data["portal_username"])
        if data["new_portal_password"]:
            changes["portal_password"] = data["new_portal_password"]  # kept exactly as typed
        return changes


def userconfig_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    only_orphans = request.GET.get("orphans") == "1"
    try:
        configs = services.list_user_configs()
    except DataError as exc:
        _fail(request, exc)
        configs = []
    keys = [key for key in (_uuid(c.user_id) for c in configs) if key is not None]
    users = get_user_model().objects.in_bulk(keys)
    rows = []
    for config in configs:
        user = users.get(_uuid(config.user_id))
        rows.append({"config": config, "user": user, "orphan": user is None})
    orphans = sum(row["orphan"] for row in rows)
    if only_orphans:
        rows = [row for row in rows if row["orphan"]]
    if query:
        rows = [row for row in rows if query.lower() in _haystack(row)]
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(
        request,
        "userconfig_list.html",
        "Member configurations",
        page=page,
        query=query,
        only_orphans=only_orphans,
        orphans=orphans,
        total=len(configs),
    )


def _haystack(row: dict) -> str:
    config, user = row["config"], row["user"]
    words = [config.user_id, config.portal_username, user and user.username, user and user.email]
    return " ".join(filter(None, words)).lower()


def _uuid(value: str) -> Any:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _member(user_id: str) -> Any:
    """The site user with this id, or None (deleted, or never a user's id)."""
    key = _uuid(user_id)
    return get_user_model().objects.filter(pk=key).first() if key else None


def userconfig_change(request: HttpRequest, user_id: Any) -> HttpResponse:
    user_id = str(user_id)
    user = _member(user_id)
    try:
        config = services.find_user_config(user_id)
        if user is not None:
            form = UserConfigForm(request.POST or None, initial=UserConfigForm.initial_for(config))
    except DataError as exc:
        _fail(request, exc)
        return redirect("configs-admin:userconfig-list")
    if user is None:
        if config is None:
            raise Http404("No such user.")
        messages.warning(request, "This member no longer exists: the configuration is an orphan.")
        return redirect("configs-admin:userconfig-delete", user_id=user_id)
    if request.method == "POST":
        try:
            if form.is_valid():
                services.update_user_config(
                    user_id, actor=f"operator:{request.user.pk}", **form.changes()
                )
                messages.success(request, f"Saved the configuration of {user.username}.")
                return redirect("configs-admin:userconfig-list")
        except InvalidValue as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        except (DataError, CryptoError) as exc:
            _fail(request, exc)
    return _render(
        request,
        "userconfig_change.html",
        f"Configuration of {user.username}",
        form=form,
        config=config,
        member=user,
    )


def userconfig_delete(request: HttpRequest, user_id: str) -> HttpResponse:
    """Delete one configuration: a member's, or an orphan (its member is gone)."""
    user = _member(user_id)
    try:
        config = services.find_user_config(user_id)
    except DataError as exc:
        _fail(request, exc)
        return redirect("configs-admin:userconfig-list")
    if config is None:
        raise Http404("No such configuration.")
    label = user.username if user else f"the deleted member {user_id}"
    if request.method == "POST":
        try:
            services.delete_user_config(user_id)
        except NotFound:
            messages.info(request, f"The configuration of {label} was already deleted.")
        except DataError as exc:
            _fail(request, exc)
            return redirect("configs-admin:userconfig-delete", user_id=user_id)
        else:
            messages.success(request, f"Deleted the configuration of {label}.")
        return redirect("configs-admin:userconfig-list")
    return _render(
        request,
        "userconfig_delete.html",
        "Delete configuration",
        member=user,
        config=config,
        label=label,
    )


def userconfig_delete_orphans(request: HttpRequest) -> HttpResponse:
    """Delete every configuration whose member no longer exists (after a confirmation)."""
    try:
        if request.method == "POST":
            deleted, failed = services.delete_orphan_user_configs(
                actor=f"operator:{request.user.pk}"
            )
            if deleted:
                messages.success(request, f"Deleted {len(deleted)} orphan configuration(s).")
            if failed:
                messages.error(
                    request,
                    f"{len(failed)} orphan configuration(s) could not be deleted "
                    "(DynamoDB failed); they are still listed, try again.",
                )
            if not deleted and not failed:
                messages.info(request, "There were no orphan configurations.")
            return redirect("configs-admin:userconfig-list")
        orphans = services.orphan_user_configs()
    except DataError as exc:
        _fail(request, exc)
        return redirect("configs-admin:userconfig-list")
    return _render(
        request, "userconfig_delete_orphans.html", "Delete orphan configurations", orphans=orphans
    )


# --- SystemConfig ----------------------------------------------------------------


class SystemConfigForm(forms.Form):
    value = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 18, "cols": 90, "class": "vLargeTextField"}),
        help_text="JSON; validated for this key before it is stored.",
    )
    description = forms.CharField(max_length=300, required=False)

    def clean_value(self) -> Any:
        try:
            return json.loads(self.cleaned_data["value"])
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(f"Not valid JSON: {exc}") from None


def systemconfig_list(request: HttpRequest) -> HttpResponse:
    try:
        entries = services.system_config_entries(include_private=True)
    except DataError as exc:
        _fail(request, exc)
        entries = []
    return _render(request, "systemconfig_list.html", "Club settings", entries=entries)


def systemconfig_change(request: HttpRequest, key: str) -> HttpResponse:
    if key not in system_keys.KEYS:
        raise Http404("No such setting.")
    entry = services.system_config_entry(key)
    initial = {"value": json.dumps(entry["value"], indent=2), "description": entry["description"]}
    form = SystemConfigForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_system_value(
                key,
                form.cleaned_data["value"],
                actor=request.user.get_username(),
                description=form.cleaned_data["description"] or None,
            )
        except InvalidValue as exc:
            form.add_error("value", f"{exc.field}: {exc.message}")
        except DataError as exc:
            _fail(request, exc)
        else:
            messages.success(request, f"Saved the setting {key}.")
            return redirect("configs-admin:systemconfig-list")
    return _render(
        request, "systemconfig_change.html", f"Setting: {key}", form=form, entry=entry, key=key
    )


app_name = "configs-admin"

urlpatterns = [
    path("userconfigs/", admin.site.admin_view(userconfig_list), name="userconfig-list"),
    path(
        "userconfigs/<uuid:user_id>/",
        admin.site.admin_view(userconfig_change),
        name="userconfig-change",
    ),
    path(
        "userconfigs/delete-orphans/",
        admin.site.admin_view(userconfig_delete_orphans),
        name="userconfig-delete-orphans",
    ),
    # Any key, not only a UUID: an orphan's key may never have been a user's id.
    path(
        "userconfigs/<path:user_id>/delete/",
        admin.site.admin_view(userconfig_delete),
        name="userconfig-delete",
    ),
    path("systemconfig/", admin.site.admin_view(systemconfig_list), name="systemconfig-list"),
    path(
        "systemconfig/<str:key>/",
        admin.site.admin_view(systemconfig_change),
        name="systemconfig-change",
    ),
]
