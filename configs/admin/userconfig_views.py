"""Members' configurations (UserConfigs), per club; orphans and items from before clubs."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from tennisbook import values
from tennisbook.api.permissions import operated_clubs
from tennisbook.dynamo import DataError, NotFound
from tennisbook.validators import validate_portal_password, validate_portal_username
from tennisbook.values import InvalidValue

from .. import clubs, services
from ..crypto import CryptoError
from ..dynamo import UserConfig
from .common import (
    PAGE_SIZE,
    _club_access,
    _club_list_url,
    _fail,
    _form_error,
    _may_see,
    _operated_club,
    _posted,
    _render,
    _require_all_clubs,
)

# --- UserConfigs -------------------------------------------------------------------


class UserConfigForm(forms.Form):
    """An operator's edit of a member's configuration at one club.

    Fields are checked by the shared validators (``tennisbook.validators``),
    the ones the API's serializers use, so both answer with the same message;
    the court and slots are that club's.
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

    def __init__(self, *args: Any, club: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.club = club
        courts = services.get_courts(club)
        self.fields["preferred_court"].choices = [("", "—")] + [
            (court["id"], f"{court['id']} · {court['name']}") for court in courts
        ]
        labels = sorted({slot for court in courts for slot in court["slots"]})
        self.fields["preferred_slots"].choices = [(label, label) for label in labels]

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
                court = services.get_court(self.club, court_id, "preferred_court")
                for slot in slots:
                    services.check_slot_for_court(court, slot, "preferred_slots")
            except InvalidValue as exc:
                _form_error(self, exc)
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
    """The configurations of the clubs the operator operates (``?club=`` for one)."""
    query = request.GET.get("q", "").strip()
    only_orphans = request.GET.get("orphans") == "1"
    club = request.GET.get("club", "")
    try:
        if club:
            club = _operated_club(request, club).id
        known = {c.id: c for c in clubs.list_clubs(only=operated_clubs(request.user))}
        configs = [c for c in services.list_user_configs(club or None) if _may_see(request.user, c)]
    except DataError as exc:
        _fail(request, exc)
        known, configs = {}, []
    users = get_user_model().objects.in_bulk(
        [key for key in (_uuid(services.member_of(c)) for c in configs) if key is not None]
    )
    rows = []
    for config in configs:
        user = users.get(_uuid(services.member_of(config)))
        rows.append(
            {
                "config": config,
                "user": user,
                "orphan": user is None,
                "club": known.get(config.club_id),
            }
        )
    orphans = sum(row["orphan"] for row in rows)
    if only_orphans:
        rows = [row for row in rows if row["orphan"]]
    if query:
        rows = [row for row in rows if query.lower() in _haystack(row)]
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    filters = {"q": query, "club": club, "orphans": "1" if only_orphans else ""}
    return _render(
        request,
        "userconfig_list.html",
        "Member configurations",
        page=page,
        query=query,
        only_orphans=only_orphans,
        orphans=orphans,
        total=len(configs),
        club=club,
        clubs=list(known.values()),
        filters=urlencode({k: v for k, v in filters.items() if v}),
        club_filter=urlencode({"club": club}) if club else "",
    )


def _haystack(row: dict) -> str:
    config, user = row["config"], row["user"]
    words = [services.member_of(config), config.portal_username, config.club_id]
    words += [user and user.username, user and user.email]
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


def userconfig_member(request: HttpRequest, user_id: Any) -> HttpResponse:
    """A member's configurations at every club the operator sees (the list, searched)."""
    return redirect(f"{reverse('configs-admin:userconfig-list')}?{urlencode({'q': user_id})}")


def userconfig_change(request: HttpRequest, user_id: Any, club: str) -> HttpResponse:
    user_id = str(user_id)
    user = _member(user_id)
    try:
        found = _operated_club(request, club)
        config = services.find_user_config(user_id, found.id)
        if user is not None:
            initial = UserConfigForm.initial_for(config)
            form = UserConfigForm(_posted(request), initial=initial, club=found.id)
            elsewhere = _other_clubs(request, user_id, found.id)
    except DataError as exc:
        _fail(request, exc)
        return redirect("configs-admin:userconfig-list")
    if user is None:
        if config is None:
            raise Http404("No such user.")
        messages.warning(request, "This member no longer exists: the configuration is an orphan.")
        return redirect("configs-admin:userconfig-delete", user_id=user_id, club=found.id)
    if request.method == "POST":
        try:
            if form.is_valid():
                services.update_user_config(
                    user_id, found.id, actor=f"operator:{request.user.pk}", **form.changes()
                )
                messages.success(
                    request, f"Saved the configuration of {user.username} at {found.name}."
                )
                return redirect(_club_list_url("configs-admin:userconfig-list", found.id))
        except InvalidValue as exc:
            _form_error(
                form, exc, "new_portal_password" if exc.field == "portal_password" else None
            )
        except (DataError, CryptoError) as exc:
            _fail(request, exc)
    return _render(
        request,
        "userconfig_change.html",
        f"Configuration of {user.username} at {found.name}",
        form=form,
        config=config,
        member=user,
        club=found,
        elsewhere=elsewhere,
    )


def _other_clubs(request: HttpRequest, user_id: str, club: str) -> list[dict]:
    """The member's other clubs the operator operates, and whether they are configured there."""
    others = [c for c in clubs.list_clubs(only=operated_clubs(request.user)) if c.id != club]
    configured = {c.club_id for c in services.member_configs(user_id, [c.id for c in others])}
    return [{"club": c, "configured": c.id in configured} for c in others]


def userconfig_delete(request: HttpRequest, user_id: str, club: str) -> HttpResponse:
    """Delete one configuration at a club: a member's, or an orphan (its member is gone)."""
    club = _club_access(request, club)  # a club id, maybe of a club no longer listed
    user = _member(user_id)
    try:
        config = services.find_user_config(user_id, club)
    except DataError as exc:
        _fail(request, exc)
        return redirect("configs-admin:userconfig-list")
    if config is None:
        raise Http404("No such configuration.")
    label = user.username if user else f"the deleted member {user_id}"
    if request.method == "POST":
        try:
            services.delete_user_config(user_id, club)
        except NotFound:
            messages.info(request, f"The configuration of {label} was already deleted.")
        except DataError as exc:
            _fail(request, exc)
            return redirect("configs-admin:userconfig-delete", user_id=user_id, club=club)
        else:
            messages.success(request, f"Deleted the configuration of {label} at {club}.")
        return redirect(_club_list_url("configs-admin:userconfig-list", club))
    return _render(
        request,
        "userconfig_delete.html",
        "Delete configuration",
        member=user,
        config=config,
        label=label,
        club=club,
    )


def userconfig_delete_legacy(request: HttpRequest, user_id: str) -> HttpResponse:
    """Delete an orphan written before clubs (an operator of every club only).

    Such an item has no club to address it by: it goes with everything else
    its deleted member left (``services.erase_user_config``). A legacy item
    of a member who exists is not deleted here; ``migrate_clubs`` moves it.
    """
    _require_all_clubs(request)
    try:
        config = next(
            (c for c in services.orphan_user_configs() if c.is_legacy and c.config_key == user_id),
            None,
        )
    except DataError as exc:
        _fail(request, exc)
        return redirect("configs-admin:userconfig-list")
    if config is None:
        raise Http404("No such orphan configuration.")
    if request.method == "POST":
        try:
            services.erase_user_config(
                user_id, reason=f"orphan deleted by operator:{request.user.pk}"
            )
        except DataError as exc:
            _fail(request, exc)
            return redirect("configs-admin:userconfig-delete-legacy", user_id=user_id)
        messages.success(request, f"Deleted the configuration of the deleted member {user_id}.")
        return redirect("configs-admin:userconfig-list")
    return _render(
        request,
        "userconfig_delete.html",
        "Delete configuration",
        member=None,
        config=config,
        label=f"the deleted member {user_id}",
        club=None,
    )


def userconfig_delete_orphans(request: HttpRequest) -> HttpResponse:
    """Delete every orphan configuration the operator sees (after a confirmation)."""
    try:
        if request.method == "POST":
            if operated_clubs(request.user) is None:
                deleted, failed = services.delete_orphan_user_configs(
                    actor=f"operator:{request.user.pk}"
                )
            else:
                deleted, failed = _delete_orphans_of(_visible_orphans(request))
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
        orphans = _visible_orphans(request)
    except DataError as exc:
        _fail(request, exc)
        return redirect("configs-admin:userconfig-list")
    return _render(
        request, "userconfig_delete_orphans.html", "Delete orphan configurations", orphans=orphans
    )


def _visible_orphans(request: HttpRequest) -> list[UserConfig]:
    return [c for c in services.orphan_user_configs() if _may_see(request.user, c)]


def _delete_orphans_of(orphans: list[UserConfig]) -> tuple[list[str], list[str]]:
    """Delete these orphans one by one (an operator limited to their clubs' ones)."""
    deleted, failed = [], []
    for config in orphans:
        member = services.member_of(config)
        try:
            if not services.is_orphan(config):
                continue
            services.delete_user_config(member, config.club_id)
        except NotFound:
            continue
        except DataError:
            failed.append(member)
        else:
            deleted.append(member)
    return deleted, failed
