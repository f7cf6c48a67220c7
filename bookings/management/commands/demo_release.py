"""Book the demo portal's demo release for the demo member (``make run``).

The demo portal (``democlub --demo``, of either kind) opens one date a few
minutes after it starts. This command asks it which (control API), and gives
the demo member a request for that date and slot firing at that instant, so
a newcomer sees a booking happen: pending, processing, completed and
verified. The portal names the slot its own way (the grid: ``8:00 AM``); the
portal profile's adapter reads it into the site's canonical label.

Idempotent, and it keeps both sides agreeing across restarts of ``make
run``, which runs it before any worker starts: the portal keeps its demo
release while it is still well ahead, and otherwise picks a new one. So an
active demo request (one this command created) for the portal's date and
slot is kept, given back first if the stopped run's worker still held it,
and moved to the portal's instant if its fire time differs; one for another
date or slot is cancelled, its release being gone.
"""

import json
import os
import urllib.error
import urllib.request
from datetime import datetime
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
from configs import services as config_services
from tennisbook.dynamo import DataError
from tennisbook.values import InvalidValue

from .seed_demo import DEMO_MEMBER

BY = "demo_release"  # the history's first actor marks the requests this command made


def control_token() -> str:
    token = os.environ.get("DEMOCLUB_CONTROL_TOKEN", "")
    if token:
        return token
    path = Path(settings.VAR_DIR) / "democlub" / "control-token"
    try:
        return path.read_text().strip()
    except OSError:
        raise CommandError(
            f"No demo portal control token: set DEMOCLUB_CONTROL_TOKEN or start the demo "
            f"portal with its data in {path.parent}."
        ) from None


def demo_state() -> dict:
    # DEMOCLUB_URL is validated as http(s) by the settings: no file: or other schemes.
    request = urllib.request.Request(  # noqa: S310
        settings.DEMOCLUB_URL.rstrip("/") + "/_control/state",
        headers={"Authorization": f"Bearer {control_token()}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as reply:  # noqa: S310
            return json.load(reply)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise CommandError(
            f"The demo portal at {settings.DEMOCLUB_URL} did not answer: {exc}"
        ) from None


def slot_label(portal_slot: str) -> str:
    """The site's label of a slot as the portal names it, read by the portal profile."""
    profile = config_services.get_system_value("portal_profile")
    try:
        return adapter_for(profile).parse_slot(portal_slot, "demo_release.slot").label
    except InvalidValue as exc:
        raise CommandError(
            f"The demo portal's slot does not fit the portal profile {profile.get('name')!r}: {exc}"
        ) from None


def demo_requests(user_id: str) -> list[BookingRequest]:
    """The member's active requests that this command created."""
    return [
        r
        for r in services.list_requests(user_id)
        if r.status in ACTIVE_STATUSES and r.history and r.history[0].actor == BY
    ]


class Command(BaseCommand):
    help = "Give the demo member a request for the demo portal's demo release."

    def handle(self, *args, **options):
        state = demo_state()
        kind = state.get("kind", "condo")
        if kind != settings.DEMOCLUB_KIND:
            raise CommandError(
                f"The demo portal at {settings.DEMOCLUB_URL} is the {kind} kind, but "
                f"DEMOCLUB_KIND={settings.DEMOCLUB_KIND}: set DEMOCLUB_KIND={kind}, or start "
                f"that kind of portal."
            )
        release = state.get("demo_release")
        if not release:
            raise CommandError("The demo portal has no demo release (start it with --demo).")
        member = get_user_model().objects.filter(username=DEMO_MEMBER[0]).first()
        if member is None:
            raise CommandError("No demo member: run `python manage.py seed_demo` first.")
        opens_at = datetime.fromisoformat(release["opens_at"])
        slot = slot_label(release["slot"])
        wanted = (int(release["area"]), release["day"], slot)
        try:
            if self._reconcile(str(member.pk), wanted, opens_at):
                return
            request = workflow.create(
                str(member.pk), release["area"], release["day"], slot, by=BY, release_at=opens_at
            )
        except (DuplicateRequest, SlotClaimed) as exc:
            # Not ours (ours were reconciled above): the member's own, or another's.
            self.stdout.write(f"Demo booking: not made, the slot is requested already ({exc}).")
            return
        except Moot as exc:
            raise CommandError(f"The demo booking changed while being updated: {exc}") from None
        except (DataError, InvalidValue) as exc:
            raise CommandError(f"Could not create the demo booking: {exc}") from None
        self.stdout.write(
            f"Demo booking: {release['area_name']} on {release['day']}, {slot}, "
            f"fires at {opens_at.isoformat(timespec='seconds')} "
            f"(request {request.request_id}); watch it at /api/bookings as {member.username}."
        )

    def _reconcile(self, user_id: str, wanted: tuple, opens_at: datetime) -> bool:
        """Keep (and move) the demo request for ``wanted``, cancel the others.

        Precondition: no booking worker runs (``make run`` calls this before
        starting them), so a processing demo request was left by a worker
        that stopped with the previous run and is given back, not waited for.
        Returns whether a request for ``wanted`` is kept.
        """
        kept = False
        for request in demo_requests(user_id):
            if kept or (request.court_id, request.date, request.time_slot) != wanted:
                workflow.cancel(
                    request,
                    actor=Actor.OPERATOR,
                    by=BY,
                    message="cancelled: the demo portal no longer releases this slot",
                )
                self.stdout.write(f"Demo booking: the one for {request.date} cancelled.")
                continue
            kept = True
            if request.status == RequestStatus.PROCESSING and request.lease_owner:
                request = workflow.give_back(
                    request, request.lease_owner, "given back: its worker stopped with the stack"
                )
            if request.fire_at == opens_at:
                self.stdout.write("Demo booking: already requested.")
                continue
            workflow.reschedule(
                request,
                opens_at,
                by=BY,
                message=f"moved to the demo portal's release at {opens_at.isoformat()}",
            )
            self.stdout.write(
                "Demo booking: moved to the demo portal's release at "
                f"{opens_at.isoformat(timespec='seconds')}."
            )
        return kept
