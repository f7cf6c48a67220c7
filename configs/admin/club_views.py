"""The clubs pages: list, create, rename, enable or disable."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from tennisbook import values
from tennisbook.api.permissions import operated_clubs
from tennisbook.dynamo import DataError
from tennisbook.values import InvalidValue

from .. import clubs
from .common import (
    _fail,
    _form_error,
    _operated_club,
    _posted,
    _render,
    _require_all_clubs,
)

# --- clubs -----------------------------------------------------------------------


class ClubForm(forms.Form):
    """A club's name and whether it takes new requests."""

    name = forms.CharField(max_length=80)
    enabled = forms.BooleanField(required=False, help_text="A disabled club takes no new requests.")


class ClubCreateForm(forms.Form):
    id = forms.CharField(
        max_length=32, help_text="Lower-case letters, digits and '-', starting with a letter."
    )
    name = forms.CharField(max_length=80)
    copy_from = forms.ChoiceField(
        required=False, help_text="Copy every setting from this club; else take the defaults."
    )

    def __init__(self, *args: Any, known: list[clubs.Club], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["copy_from"].choices = [("", "— the defaults —")] + [
            (club.id, f"{club.name} ({club.id})") for club in known
        ]

    def clean_id(self) -> str:
        try:
            return values.parse_club_id(self.cleaned_data["id"], "id")
        except InvalidValue as exc:
            raise forms.ValidationError(exc.message) from None


def club_list(request: HttpRequest) -> HttpResponse:
    try:
        found = clubs.list_clubs(only=operated_clubs(request.user))
    except DataError as exc:
        _fail(request, exc)
        found = []
    return _render(
        request,
        "club_list.html",
        "Clubs",
        clubs=found,
        may_create=operated_clubs(request.user) is None,
    )


def club_add(request: HttpRequest) -> HttpResponse:
    """Create a club (an operator of every club only), its settings copied or defaulted."""
    _require_all_clubs(request)
    try:
        known = clubs.list_clubs()
    except DataError as exc:
        _fail(request, exc)
        return redirect("configs-admin:club-list")
    form = ClubCreateForm(_posted(request), known=known)
    try:
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            created = clubs.create_club(
                data["id"],
                data["name"],
                actor=request.user.get_username(),
                copy_from=data["copy_from"] or None,
            )
            messages.success(
                request,
                f"Created the club {created.name} ({created.id}), disabled: set its portal "
                "profile, courts and release rules, then enable it.",
            )
            return redirect("configs-admin:systemconfig-list", club=created.id)
    except InvalidValue as exc:
        _form_error(form, exc, "name" if exc.field == "club.name" else None)
    except DataError as exc:
        _fail(request, exc)
    return _render(request, "club_add.html", "Add a club", form=form)


def club_change(request: HttpRequest, club: str) -> HttpResponse:
    """Rename a club, or enable or disable it."""
    try:
        found = _operated_club(request, club)
    except DataError as exc:
        _fail(request, exc)
        return redirect("configs-admin:club-list")
    form = ClubForm(_posted(request), initial={"name": found.name, "enabled": found.enabled})
    if request.method == "POST" and form.is_valid():
        try:
            clubs.update_club(
                found.id,
                actor=request.user.get_username(),
                name=form.cleaned_data["name"],
                enabled=form.cleaned_data["enabled"],
            )
        except InvalidValue as exc:
            _form_error(form, exc, "name" if exc.field == "club.name" else None)
        except DataError as exc:
            _fail(request, exc)
        else:
            messages.success(request, f"Saved the club {found.id}.")
            return redirect("configs-admin:club-list")
    return _render(request, "club_change.html", f"Club {found.name}", form=form, club=found)
