"""Member pages of configuration: portal account and preferences, the login test, the wizard.

The settings page is ``tennis.py``'s ``.env`` made a form, per club. It
posts through the API's own serializer (``UserConfigInputSerializer``) and
``services.update_user_config``, so page and API accept the same values.
The password is write-only: the page says whether one is saved, never what
it is, and an empty password field keeps the saved one.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from booker import login_check
from tennisbook.pages import (
    PageError,
    attempt,
    member_clubs,
    require_posted_club,
    validated,
)
from tennisbook.values import TimeSlot

from . import services
from .serializers import UserConfigInputSerializer
from .views import LoginCheckThrottle

WIZARD_STEPS = ("Your club account", "Test your login", "Preferences", "Your first request")


def form_values(config, post=None) -> dict:
    """What the form shows: the posted values again, else the saved ones."""
    if post is not None:
        return {
            "portal_username": post.get("portal_username", ""),
            "preferred_court": post.get("preferred_court", ""),
            "preferred_slot": post.get("preferred_slot", ""),
            "favourite_courts": _ints(post.getlist("favourite_court")),
            "favourite_slots": post.getlist("favourite_slot"),
        }
    return {
        "portal_username": (config.portal_username or "") if config else "",
        "preferred_court": str(config.preferred_court or "") if config else "",
        "preferred_slot": ((config.preferred_slots or [""])[0]) if config else "",
        "favourite_courts": [int(c) for c in config.favourite_courts or []] if config else [],
        "favourite_slots": list(config.favourite_slots or []) if config else [],
    }


def _ints(values: list[str]) -> list[int]:
    """The posted court ids that are numbers (the form shows the others as unticked)."""
    return [int(v) for v in values if v.strip().isascii() and v.strip().isdigit()]


def all_slots(courts: list[dict]) -> list[str]:
    """Every slot of the club's courts once, in the order of the day."""
    return sorted(
        {slot for court in courts for slot in court["slots"]}, key=lambda s: TimeSlot.parse(s).start
    )


def body_of(post, *, sections: tuple[str, ...]) -> dict:
    """The API's body from the posted sections (``account``, ``preferences``)."""
    body: dict = {}
    if "account" in sections:
        username = post.get("portal_username", "")
        if username.strip():
            body["portal_username"] = username
        if post.get("portal_password", ""):
            body["portal_password"] = post["portal_password"]
    if "preferences" in sections:
        court = post.get("preferred_court", "").strip()
        body["preferred_court"] = court or None
        slot = post.get("preferred_slot", "").strip()
        body["preferred_slots"] = [slot] if slot and court else []
        body["favourite_courts"] = post.getlist("favourite_court")
        body["favourite_slots"] = post.getlist("favourite_slot")
    return body


def save(request, club: str, sections: tuple[str, ...]):
    """Validate and save the posted sections; ``PageError`` names each bad field."""
    body = body_of(request.POST, sections=sections)
    config = services.find_user_config(str(request.user.pk), club)
    if "account" in sections and config is None:
        # Creating needs both; say so for each empty one, as the API would for the first.
        missing = {
            name: ["This field is required to set up your account at this club."]
            for name in ("portal_username", "portal_password")
            if name not in body
        }
        if missing:
            raise PageError(400, "invalid", "Enter your portal username and password.", missing)
    if "account" in sections and config is not None and "portal_username" not in body:
        raise PageError(
            400, "invalid", "Enter your portal username.", {"portal_username": ["Required."]}
        )
    if config is None and "account" not in sections:
        raise PageError(
            400,
            "invalid",
            "Save your portal username and password for this club first.",
            {"portal_credentials": ["Save your portal username and password first."]},
        )
    values = validated(UserConfigInputSerializer, body, club=club)
    saved, _created = attempt(
        services.update_user_config,
        str(request.user.pk),
        club,
        actor=f"user:{request.user.pk}",
        **values,
    )
    return saved


def settings_context(request, mine, config, error=None, post=None) -> dict:
    courts = services.get_courts(mine.current.id)
    values = form_values(config, post)
    names = (
        "portal_username",
        "portal_password",
        "preferred_court",
        "preferred_slots",
        "favourite_courts",
        "favourite_slots",
    )
    return {
        "errors": {name: error.for_field(name) for name in names} if error else {},
        "clubs": mine,
        "club": mine.current,
        "config": config,
        "values": values,
        "error": error,
        "courts": courts,
        "court_slots": {str(c["id"]): c["slots"] for c in courts},
        "all_slots": all_slots(courts),
        "check": login_check.read(str(request.user.pk), mine.current.id),
    }


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request):
    """``/settings/``: the member's portal account and preferences at one club."""
    mine = member_clubs(request, request.POST.get("club") or request.GET.get("club"))
    club = mine.current
    config = services.find_user_config(str(request.user.pk), club.id)
    if request.method == "POST":
        try:
            require_posted_club(request, mine)
            save(request, club.id, ("account", "preferences"))
        except PageError as exc:
            context = settings_context(request, mine, config, exc, request.POST)
            return render(request, "configs/settings.html", context, status=exc.status)
        messages.success(request, f"Saved your settings for {club.name}.")
        return redirect(reverse("configs:settings") + f"?club={club.id}")
    return render(request, "configs/settings.html", settings_context(request, mine, config))


@login_required
@require_http_methods(["GET", "POST"])
def login_test(request):
    """htmx: start a login test (POST) or show how the last one went (GET)."""
    mine = member_clubs(request, request.POST.get("club") or request.GET.get("club"))
    club = mine.current
    error = None
    if request.method == "POST":
        # The API's own throttle and counter: page and API share one budget.
        limited = not LoginCheckThrottle().allow_request(request, None)
        try:
            require_posted_club(request, mine)
            if limited:
                raise PageError(
                    429,
                    "throttled",
                    "You tested your login several times in a minute; wait a moment and try "
                    "again (each test is a real login at the club's portal).",
                )
            check = attempt(
                login_check.start, str(request.user.pk), club.id, actor=f"user:{request.user.pk}"
            )
        except PageError as exc:
            check, error = None, exc
    else:
        check = login_check.read(str(request.user.pk), club.id)
    context = {"check": check, "error": error, "club": club}
    return render(request, "configs/_login_check.html", context)


# --- the first-run wizard ------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def welcome(request):
    """``/welcome/``: account → login test → preferences → first request; skippable."""
    try:
        step = min(max(int(request.GET.get("step", "1")), 1), 3)
    except ValueError:
        step = 1
    mine = member_clubs(request, request.POST.get("club") or request.GET.get("club"))
    club = mine.current
    config = services.find_user_config(str(request.user.pk), club.id)
    if step > 1 and config is None:
        step = 1  # nothing to test or prefer before the account is saved
    error = None
    if request.method == "POST" and step == 2:
        return HttpResponseNotAllowed(["GET"])  # the login test posts to its own URL
    if request.method == "POST":
        sections = ("account",) if step == 1 else ("preferences",)
        try:
            require_posted_club(request, mine)
            save(request, club.id, sections)
        except PageError as exc:
            error = exc
        else:
            if step == 1:
                return redirect(reverse("configs:welcome") + f"?step=2&club={club.id}")
            return redirect(reverse("bookings:book") + f"?club={club.id}&welcome=1")
    context = settings_context(request, mine, config, error, request.POST if error else None)
    context |= {
        "step": step,
        "steps": [
            {"number": n, "title": title, "current": n == step, "done": n < step}
            for n, title in enumerate(WIZARD_STEPS, start=1)
        ],
        "step_title": WIZARD_STEPS[step - 1],
    }
    status = error.status if error else 200
    return render(request, "configs/welcome.html", context, status=status)
