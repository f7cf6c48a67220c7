"""The notification centre's pages, and the profile's notification choices.

``/notifications/`` lists the member's notifications, newest first, a page
at a time, each with a link to the request it is about and a button that
marks it read; one button marks them all. The buttons are plain forms
(POST, then back to the same page of the list), so they work without
JavaScript. The profile (``accounts.pages``) shows and saves the
member's choices with ``preference_table`` and ``save_posted``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from tennisbook.pages import PageError, page_of

from . import notifications, preferences, push
from .choices import Channel, EventType
from .models import Notification

PAGE_SIZE = 20


def _page(found, raw: str):
    """The page ``raw`` asks for; a number that is none shows the nearest, saying so."""
    paginator = Paginator(found, PAGE_SIZE)
    raw = (raw or "1").strip()
    number = int(raw) if raw.isascii() and raw.isdigit() else 0
    if number < 1:
        return paginator.page(1), f"{raw[:20]!r} is not a page number; showing page 1."
    if number > paginator.num_pages:
        last = paginator.num_pages
        return paginator.page(last), f"There is no page {number}; showing page {last}."
    return paginator.page(number), None


@login_required
@require_GET
def notification_list(request):
    """``/notifications/``: the member's notifications, newest first."""
    page, problem = _page(notifications.list_for(request.user), request.GET.get("page", ""))
    context = {
        "page": page,
        "items": list(page.object_list),
        "problem": problem,
        "unread": notifications.unread_count(request.user),
        "here": request.get_full_path(),
    }
    return render(request, "realtime/notifications.html", context)


def _back(request):
    """Back to the page of the list the form was on (a path of this site), else its start."""
    return redirect(page_of(request, request.POST.get("next")) or reverse("notifications:list"))


@login_required
@require_POST
def mark_read(request, notification_id: int):
    try:
        notifications.mark_read(request.user, notification_id)
    except Notification.DoesNotExist:
        raise Http404("You have no such notification.") from None
    return _back(request)


@login_required
@require_POST
def mark_all_read(request):
    marked = notifications.mark_all_read(request.user)
    if marked:
        messages.success(request, f"Marked {marked} notification{'s' if marked != 1 else ''} read.")
    else:
        messages.info(request, "Every notification was already read.")
    return _back(request)


# --- the profile's choices --------------------------------------------------------------


def editable_channels() -> set[str]:
    """The channels a member can change now: push only while it is on here."""
    channels = {channel.value for channel in Channel}
    if not push.status().enabled:
        channels.discard(Channel.PUSH.value)
    return channels


def preference_table(member, posted=None, error: PageError | None = None) -> dict:
    """What the profile's notification form shows: one row per event type.

    ``posted`` (a refused POST) shows what was ticked again beside ``error``;
    otherwise the saved choices (seeded on first use: may raise
    ``tennisbook.dynamo.Unavailable``).
    """
    saved = preferences.preferences_for(member)
    editable = editable_channels()
    status = push.status()
    rows = []
    for event in EventType:
        cells = []
        for channel in Channel:
            name = preferences.field_name(event.value, channel.value)
            on = (name in posted) if posted is not None else saved[(event.value, channel.value)]
            cells.append(
                {
                    "name": name,
                    "id": name.replace(".", "-"),
                    "channel": channel,
                    "on": on,
                    "disabled": channel.value not in editable,
                }
            )
        rows.append({"event": event, "cells": cells})
    return {
        "channels": list(Channel),
        "rows": rows,
        "error": error,
        "push": status,
        "devices": push.subscriptions_of(member).count() if status.enabled else 0,
        "has_email": bool(member.email),
    }


def save_posted(member, post) -> None:
    """Save the profile form's choices; ``PageError`` naming a choice that is not one."""
    try:
        choices = preferences.parse_posted(post, editable=editable_channels())
    except preferences.InvalidChoice as exc:
        raise PageError(400, "invalid", str(exc), {exc.field: [str(exc)]}) from None
    preferences.save_preferences(member, choices)
