"""Book each demo portal's demo release for the demo member (``make run``).

``make run`` runs two demo portals, one per demo club (``demo_clubs``): the
default club's at ``DEMOCLUB_URL`` and the second demo club's at
``DEMOCLUB_SECOND_URL``. Each (``democlub --demo``, of either kind) opens
one date a few minutes after it starts. This command asks each portal which
(control API), and gives the demo member a request at that portal's club
for that date and slot firing at that instant, so a newcomer sees two
bookings happen: pending, processing, completed and verified. A portal
names the slot its own way (the grid: ``8:00 AM``); the club's portal
profile's adapter reads it into the site's canonical label.

Idempotent, and it keeps both sides agreeing across restarts of ``make
run``, which runs it before any worker starts: a portal keeps its demo
release while it is still well ahead, and otherwise picks a new one. So at
each club an active demo request (one this command created) for the
portal's date and slot is kept, given back first if the stopped run's
worker still held it, and moved to the portal's instant if its fire time
differs; one for another date or slot is cancelled, its release being gone,
as is one at a club that is no longer a demo club. A club an operator
disabled gets no new request (its kept one still follows its portal). A
portal that does not answer fails the command, after the other club's
request is made.
"""

import json
import os
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from booker.profiles import adapter_for
from bookings import services, workflow
from bookings.choices import ACTIVE_STATUSES, RequestStatus
from bookings.dynamo import BookingRequest
from bookings.errors import DuplicateRequest, Moot, SlotClaimed
from bookings.lifecycle import Actor
from bookings.release import club_today
from configs import clubs as club_records
from configs import services as config_services
from configs.demo_portals import demo_clubs, demo_portal_url
from tennisbook.dynamo import DataError
from tennisbook.values import InvalidValue

from .seed_demo import DEMO_MEMBER

BY = "demo_release"  # the history's first actor marks the requests this command made


def data_dir_name(kind: str) -> str:
    """The demo portal's ``--data-dir`` under ``VAR_DIR`` in ``make run`` (the Procfile's)."""
    return "democlub" if kind == settings.DEMOCLUB_KIND else "democlub2"


def control_token(kind: str) -> str:
    token = os.environ.get("DEMOCLUB_CONTROL_TOKEN", "")
    if token:
        return token
    path = Path(settings.VAR_DIR) / data_dir_name(kind) / "control-token"
    try:
        return path.read_text().strip()
    except OSError:
        raise CommandError(
            f"No demo portal control token: set DEMOCLUB_CONTROL_TOKEN or start the demo "
            f"portal with its data in {path.parent}."
        ) from None


def demo_state(kind: str) -> dict:
    """The control state of the demo portal of ``kind``, where ``make run`` runs it."""
    url = demo_portal_url(kind)
    # The demo portals' URLs are validated as http(s) by the settings: no file: or other schemes.
    request = urllib.request.Request(  # noqa: S310
        url.rstrip("/") + "/_control/state",
        headers={"Authorization": f"Bearer {control_token(kind)}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as reply:  # noqa: S310
            state = json.load(reply)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise CommandError(f"The demo portal at {url} did not answer: {exc}") from None
    found = state.get("kind", "condo")
    if found != kind:
        variable = "DEMOCLUB_URL" if kind == settings.DEMOCLUB_KIND else "DEMOCLUB_SECOND_URL"
        raise CommandError(
            f"The demo portal at {url} is the {found} kind, but DEMOCLUB_KIND="
            f"{settings.DEMOCLUB_KIND} wants the {kind} kind at {variable}: set "
            f"DEMOCLUB_KIND, or start that kind of portal there."
        )
    return state


def slot_label(club: str, portal_slot: str) -> str:
    """The site's label of a slot as the portal names it, read by the club's portal profile."""
    profile = config_services.get_system_value("portal_profile", club=club)
    try:
        return adapter_for(profile).parse_slot(portal_slot, "demo_release.slot").label
    except InvalidValue as exc:
        raise CommandError(
            f"The demo portal's slot does not fit the portal profile {profile.get('name')!r} "
            f"of club {club}: {exc}"
        ) from None


def record_opening(club: str, court_id: int, day: str, opens_at: datetime) -> None:
    """Tell the club's release rules that the portal opens ``day`` of ``court_id`` at ``opens_at``.

    The demo portal opens its demo date minutes after it starts, not by its
    rule: as a one-off opening in ``release_rules``, every request for that
    date (the demo member's, or a newcomer's from the booking form) fires at
    that instant, and the dashboard shows it as the court's next release.
    Openings of dates already past are dropped; the operator's others are kept.
    """
    rules = config_services.get_system_value("release_rules", club=club)
    today = club_today(rules["time_zone"], datetime.now(UTC)).isoformat()
    kept = [
        opening
        for opening in rules.get("openings", [])
        if opening["date"] >= today and (opening["court"], opening["date"]) != (court_id, day)
    ]
    opening = {"court": court_id, "date": day, "at": opens_at.isoformat()}
    if opening in rules.get("openings", []) and len(kept) == len(rules["openings"]) - 1:
        return  # already there, nothing stale: no write
    try:
        config_services.set_system_value(
            "release_rules", rules | {"openings": [*kept, opening]}, club=club, actor=BY
        )
    except (DataError, InvalidValue) as exc:
        raise CommandError(f"Could not record the demo opening at club {club}: {exc}") from None


def demo_requests(user_id: str, club: str | None = None) -> list[BookingRequest]:
    """The member's active requests that this command created (at ``club``, or all)."""
    return [
        r
        for r in services.list_requests(user_id, club=club)
        if r.status in ACTIVE_STATUSES and r.history and r.history[0].actor == BY
    ]


class Command(BaseCommand):
    help = "Give the demo member a request for each demo portal's demo release."

    def handle(self, *args, **options):
        member = get_user_model().objects.filter(username=DEMO_MEMBER[0]).first()
        if member is None:
            raise CommandError("No demo member: run `python manage.py seed_demo` first.")
        user_id = str(member.pk)
        clubs = demo_clubs()
        self._cancel_outside(user_id, {club for club, _ in clubs})
        failures = []
        for club, kind in clubs:
            try:
                self._book(user_id, member.username, club, kind)
            except CommandError as exc:
                failures.append(f"club {club}: {exc}")
        if failures:
            raise CommandError("; ".join(failures))

    def _book(self, user_id: str, username: str, club: str, kind: str) -> None:
        """The demo request at ``club`` for the demo release of its portal (``kind``)."""
        release = demo_state(kind).get("demo_release")
        if not release:
            raise CommandError(
                f"The demo portal at {demo_portal_url(kind)} has no demo release "
                "(start it with --demo)."
            )
        opens_at = datetime.fromisoformat(release["opens_at"])
        slot = slot_label(club, release["slot"])
        wanted = (int(release["area"]), release["day"], slot)
        where = f"Demo booking at club {club}"
        record_opening(club, int(release["area"]), release["day"], opens_at)
        try:
            kept = self._reconcile(user_id, club, wanted, opens_at)
            if kept is None and not club_records.get_club(club).enabled:
                # An operator turned the club off: it takes no new request, and
                # make run goes on with the other club (never re-enabled here).
                self.stdout.write(
                    f"{where}: skipped, the club is disabled (enable it in the admin's "
                    "clubs to book its demo release)."
                )
                return
            if kept is not None:
                self.stdout.write(
                    f"{where}: {release['area_name']} on {release['day']}, {slot}, fires at "
                    f"{opens_at.isoformat(timespec='seconds')} (request {kept.request_id})."
                )
                return
            request = workflow.create(
                user_id,
                release["area"],
                release["day"],
                slot,
                club=club,
                by=BY,
                release_at=opens_at,
            )
        except (DuplicateRequest, SlotClaimed) as exc:
            # Not ours (ours were reconciled above): the member's own, or another's.
            self.stdout.write(f"{where}: not made, the slot is requested already ({exc}).")
            return
        except Moot as exc:
            raise CommandError(f"The demo booking changed while being updated: {exc}") from None
        except (DataError, InvalidValue) as exc:
            raise CommandError(f"Could not create the demo booking: {exc}") from None
        self.stdout.write(
            f"{where}: {release['area_name']} on {release['day']}, {slot}, "
            f"fires at {opens_at.isoformat(timespec='seconds')} "
            f"(request {request.request_id}); watch it at /api/bookings as {username}."
        )

    def _reconcile(
        self, user_id: str, club: str, wanted: tuple, opens_at: datetime
    ) -> BookingRequest | None:
        """Keep (and move) the demo request at ``club`` for ``wanted``, cancel the others.

        Precondition: no booking worker runs (``make run`` calls this before
        starting them), so a processing demo request was left by a worker
        that stopped with the previous run and is given back, not waited for.
        Returns the request kept for ``wanted``, if any.
        """
        kept = None
        where = f"Demo booking at club {club}"
        for request in demo_requests(user_id, club):
            if kept is not None or (request.court_id, request.date, request.time_slot) != wanted:
                workflow.cancel(
                    request,
                    actor=Actor.OPERATOR,
                    by=BY,
                    message="cancelled: the demo portal no longer releases this slot",
                )
                self.stdout.write(f"{where}: the one for {request.date} cancelled.")
                continue
            kept = request
            if request.status == RequestStatus.PROCESSING and request.lease_owner:
                request = workflow.give_back(
                    request, request.lease_owner, "given back: its worker stopped with the stack"
                )
            if request.fire_at == opens_at:
                self.stdout.write(f"{where}: already requested.")
                continue
            kept = workflow.reschedule(
                request,
                opens_at,
                by=BY,
                message=f"moved to the demo portal's release at {opens_at.isoformat()}",
            )
            self.stdout.write(
                f"{where}: moved to the demo portal's release at "
                f"{opens_at.isoformat(timespec='seconds')}."
            )
        return kept

    def _cancel_outside(self, user_id: str, demo_club_ids: set[str]) -> None:
        """Cancel this command's requests at clubs that are no longer demo clubs."""
        for request in demo_requests(user_id):
            if request.club_id in demo_club_ids:
                continue
            try:
                workflow.cancel(
                    request,
                    actor=Actor.OPERATOR,
                    by=BY,
                    message="cancelled: this club is no longer on a demo portal",
                )
            except Moot:  # finished meanwhile
                continue
            self.stdout.write(
                f"Demo booking at club {request.club_id}: the one for {request.date} cancelled "
                "(no longer a demo club)."
            )
