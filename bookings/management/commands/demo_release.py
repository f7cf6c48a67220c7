"""Book the demo portal's demo release for the demo member (``make run``).

The demo portal (``democlub --demo``) opens one date a few minutes after it
starts. This command asks it which (control API), and gives the demo member
a request for that date and slot firing at that instant, so a newcomer sees
a booking happen: pending, processing, completed and verified. Idempotent:
an active request for the same date and slot is left as it is.
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

from bookings import services
from bookings.errors import DuplicateRequest, SlotClaimed
from tennisbook.dynamo import DataError
from tennisbook.values import InvalidValue

from .seed_demo import DEMO_MEMBER


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


class Command(BaseCommand):
    help = "Give the demo member a request for the demo portal's demo release."

    def handle(self, *args, **options):
        release = demo_state().get("demo_release")
        if not release:
            raise CommandError("The demo portal has no demo release (start it with --demo).")
        member = get_user_model().objects.filter(username=DEMO_MEMBER[0]).first()
        if member is None:
            raise CommandError("No demo member: run `python manage.py seed_demo` first.")
        opens_at = datetime.fromisoformat(release["opens_at"])
        try:
            request = services.create_request(
                str(member.pk),
                release["area"],
                release["day"],
                release["slot"],
                by="demo_release",
                release_at=opens_at,
            )
        except (DuplicateRequest, SlotClaimed):
            self.stdout.write("Demo booking: already requested.")
            return
        except (DataError, InvalidValue) as exc:
            raise CommandError(f"Could not create the demo booking: {exc}") from None
        self.stdout.write(
            f"Demo booking: {release['area_name']} on {release['day']}, {release['slot']}, "
            f"fires at {opens_at.isoformat(timespec='seconds')} "
            f"(request {request.request_id}); watch it at /api/bookings as {member.username}."
        )
