"""Member pages of templates: save one from the booking form, list, share, accept.

``/templates/`` lists the member's own templates at each club with their
shares, and the templates other members offered them. Saving comes from
the booking form ("Save as template" posts the form here), so a template
holds exactly what the form would send, minus the date (its weekday is
kept). A link share's URL is shown once, right after it is made (the
server keeps only its hash). Every id that is not the caller's answers 404.

Editing a template together (``/templates/<id>/edit``) is
``template_edit_pages``.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from configs import clubs
from configs import services as config_services
from tennisbook import timefmt
from tennisbook.pages import PageError, attempt, member_clubs, require_posted_club

from . import member_templates, template_editing
from .forms import BookingForm
from .member_templates import NoSuchTemplate
from .pages import booking_context, court_names

WEEKDAYS = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")


def found(action, *args):
    """``action(*args)``; a template or share that is not the caller's is a 404."""
    try:
        return attempt(action, *args)
    except NoSuchTemplate:
        raise Http404("There is no such template.") from None


def describe(template) -> dict:
    """A template in words, for the lists: court, slot, alternatives, weekdays, partners."""
    known = template.club_id in clubs.club_ids()
    names = court_names(template.club_id) if known else {}
    club = clubs.get_club(template.club_id).name if known else template.club_id

    def court(court_id) -> str:
        return names.get(court_id, f"Court {court_id}")

    return {
        "template": template,
        "club": club,
        "first": f"{court(template.court_id)}, {template.time_slot}",
        "alternatives": [
            f"{court(a.get('court_id'))}, {a.get('time_slot')}" for a in template.alternatives
        ],
        "weekdays": ", ".join(WEEKDAYS[d] for d in template.weekdays if 0 <= d <= 6),
        "partners": ", ".join(template.partners),
        "book_url": reverse("bookings:book") + f"?club={template.club_id}&template={template.pk}",
    }


@login_required
@require_GET
def template_list(request):
    """``/templates/``: my templates and their shares; what others offered me."""
    return list_page(request)


def last_change(template, viewer) -> str:
    """ "Last changed by dana, Thu 3 Dec 14:03" in the viewer's zone; "" if never edited."""
    if not template.updated_by_id:
        return ""
    who = "you" if template.updated_by_id == viewer.pk else template.updated_by.get_username()
    zone = viewer.display_time_zone or club_zone(template.club_id)
    return f"Last changed by {who}, {timefmt.club_time(template.updated_at, zone)}"


def club_zone(club_id: str) -> str:
    return clubs.get_club(club_id).time_zone if club_id in clubs.club_ids() else "UTC"


def list_page(request, new_link: dict | None = None):
    own = []
    for template in member_templates.my_templates(request.user):
        entry = describe(template)
        entry["shares"] = member_templates.shares_of(request.user, template)
        entry["together"] = any(share.recipient_id for share in entry["shares"])
        entry["last_change"] = last_change(template, request.user) if entry["together"] else ""
        own.append(entry)
    offers = [
        {"share": share, **describe(share.template)}
        for share in member_templates.offered_to(request.user)
    ]
    # Copied already, still shared: the original stays theirs to edit together.
    together = [
        {"share": share, **describe(share.template)}
        for share in template_editing.edited_together(request.user)
        if share.accepted_at is not None
    ]
    for entry in offers + together:
        entry["last_change"] = last_change(entry["template"], request.user)
    context = {"own": own, "offers": offers, "together": together, "new_link": new_link}
    response = render(request, "bookings/templates.html", context)
    if new_link:
        response["Cache-Control"] = "no-store"  # the link's secret is on this page alone
    return response


@login_required
@require_POST
def template_save(request):
    """ "Save as template" of the booking form: the form's wish, named, without its date."""
    mine = member_clubs(request, request.POST.get("club"))
    club = mine.current
    form = BookingForm.from_post(club.id, request.POST)
    body = form.body()
    body["name"] = request.POST.get("template_name", "")
    try:
        day = date.fromisoformat(form.date.strip())
    except ValueError:
        day = None  # no date (or not a date yet): a template for any day
    body["weekdays"] = [day.weekday()] if day else []
    try:
        require_posted_club(request, mine)
        template, created = attempt(member_templates.save_template, request.user, club.id, body)
    except PageError as exc:
        context = booking_context(request, mine, form, exc)
        context["template_name"] = body["name"]
        return render(request, "bookings/book.html", context, status=exc.status)
    verb = "Saved" if created else "Replaced"
    messages.success(request, f"{verb} the template “{template.name}”.")
    return redirect(reverse("bookings:book") + f"?club={club.id}")


@login_required
@require_POST
def template_delete(request, template_id):
    template = found(member_templates.delete_template, request.user, template_id)
    messages.success(request, f"Deleted the template “{template.name}”.")
    return redirect(_back(request))


@login_required
@require_POST
def template_share(request, template_id):
    """Offer a template to a member by username."""
    username = (request.POST.get("username") or "").strip()
    try:
        template = found(member_templates.own_template, request.user, template_id)
        found(member_templates.share_with, request.user, template_id, username)
    except PageError as exc:
        messages.error(request, _first_message(exc))
    else:
        # The same words whether or not such a member exists.
        messages.success(
            request,
            f"Offered “{template.name}” to {username}: a member of that name finds it on "
            "their templates page, to copy.",
        )
    return redirect("bookings:templates")


@login_required
@require_POST
def template_link(request, template_id):
    """A new share link; its URL is shown once, on the list page this POST answers.

    Rendered, not redirected: the secret never waits in the session.
    """
    try:
        share, token = found(member_templates.share_link, request.user, template_id)
    except PageError as exc:
        messages.error(request, _first_message(exc))
        return redirect("bookings:templates")
    url = request.build_absolute_uri(reverse("bookings:template-shared", args=[token]))
    return list_page(request, {"template": share.template.name, "url": url})


@login_required
@require_POST
def share_withdraw(request, share_id):
    found(member_templates.withdraw, request.user, share_id)
    messages.success(request, "The share is withdrawn; its link no longer works.")
    return redirect("bookings:templates")


@login_required
@require_POST
def offer_answer(request, share_id, action):
    """Copy an offered template into my own, or dismiss the offer."""
    share = found(member_templates.offer, request.user, share_id)
    if action == "dismiss":
        found(member_templates.dismiss, request.user, share_id)
        messages.success(request, f"Dismissed “{share.template.name}”.")
        return redirect("bookings:templates")
    return _accept(request, share)


@login_required
@require_http_methods(["GET", "POST"])
def shared(request, token):
    """``/templates/shared/<secret>``: a link share, to look at and copy."""
    share = found(member_templates.by_link, token)
    if request.method == "POST":
        return _accept(request, share)
    context = {"offer": {"share": share, **describe(share.template)}}
    context["own"] = share.template.owner_id == request.user.pk
    return render(request, "bookings/template_shared.html", context)


def _accept(request, share):
    try:
        copy = attempt(member_templates.accept, request.user, share)
    except PageError as exc:
        messages.error(request, _first_message(exc))
        return redirect("bookings:templates")
    configured = config_services.find_user_config(str(request.user.pk), copy.club_id)
    text = f"Copied “{copy.name}” into your templates."
    if configured is None:
        text += " Save your portal account for its club to book with it."
    messages.success(request, text)
    return redirect("bookings:templates")


def _first_message(exc: PageError) -> str:
    for field_messages in exc.fields.values():
        if field_messages:
            return field_messages[0][:1].upper() + field_messages[0][1:]
    return exc.message


def _back(request) -> str:
    """Where a delete returns: the booking form it came from, else the list."""
    if request.POST.get("back") == "book":
        club = request.POST.get("club", "")
        return reverse("bookings:book") + (f"?club={club}" if club else "")
    return reverse("bookings:templates")
