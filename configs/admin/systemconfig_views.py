"""Each club's settings (SystemConfig)."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from tennisbook.api.permissions import operated_clubs
from tennisbook.dynamo import DataError
from tennisbook.values import InvalidValue

from .. import clubs, services, system_keys
from .common import (
    _fail,
    _operated_club,
    _posted,
    _render,
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


def systemconfig_clubs(request: HttpRequest) -> HttpResponse:
    """Pick a club whose settings to see."""
    try:
        found = clubs.list_clubs(only=operated_clubs(request.user))
    except DataError as exc:
        _fail(request, exc)
        found = []
    return _render(request, "systemconfig_clubs.html", "Club settings", clubs=found)


def systemconfig_list(request: HttpRequest, club: str) -> HttpResponse:
    try:
        if club in system_keys.KEYS and club not in clubs.club_ids():
            # /admin/configs/systemconfig/<key>/ from before clubs: the default club's.
            default = clubs.default_club_id()
            return redirect("configs-admin:systemconfig-change", club=default, key=club)
        found = _operated_club(request, club)
        entries = services.system_config_entries(club=found.id, include_private=True)
    except DataError as exc:
        _fail(request, exc)
        return redirect("configs-admin:systemconfig-clubs")
    return _render(
        request, "systemconfig_list.html", f"Settings of {found.name}", entries=entries, club=found
    )


def systemconfig_change(request: HttpRequest, club: str, key: str) -> HttpResponse:
    if key not in system_keys.KEYS:
        raise Http404("No such setting.")
    try:
        found = _operated_club(request, club)
        entry = services.system_config_entry(key, club=found.id)
    except DataError as exc:
        _fail(request, exc)
        return redirect("configs-admin:systemconfig-clubs")
    initial = {"value": json.dumps(entry["value"], indent=2), "description": entry["description"]}
    form = SystemConfigForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_system_value(
                key,
                form.cleaned_data["value"],
                club=found.id,
                actor=request.user.get_username(),
                description=form.cleaned_data["description"] or None,
            )
        except InvalidValue as exc:
            form.add_error("value", f"{exc.field}: {exc.message}")
        except DataError as exc:
            _fail(request, exc)
        else:
            messages.success(request, f"Saved the setting {key} of {found.name}.")
            return redirect("configs-admin:systemconfig-list", club=found.id)
    return _render(
        request,
        "systemconfig_change.html",
        f"Setting: {key} ({found.name})",
        form=form,
        entry=entry,
        key=key,
        club=found,
    )
