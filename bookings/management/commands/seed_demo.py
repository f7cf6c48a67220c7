"""Seed a demo club: settings, an operator, a member with a config, requests.

Idempotent: what exists is left as it is, so it is safe at every start of
`make run`. The settings' defaults and the demo member's portal account
are those of the demo portal ``DEMOCLUB_KIND`` names (configs/demo_portals.py).
Restarted with the other kind on the same data, it switches what is still
the other portal's demo data: the settings that are exactly its defaults,
the member's account if it is its demo account, and its sample request (one
for a court or slot this club no longer has is cancelled and a new one made).
Anything else was edited and is kept, with a warning line.
"""

from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from bookings import services as booking_services
from bookings import workflow
from bookings.choices import ACTIVE_STATUSES
from bookings.errors import DuplicateRequest, QuotaReached, SlotClaimed
from bookings.lifecycle import Actor
from configs import services as config_services
from configs.crypto import CryptoError, acting_as
from configs.demo_portals import DEMO_PORTALS, DemoPortal, demo_portal
from tennisbook.dynamo import DataError
from tennisbook.values import InvalidValue

DEMO_OPERATOR = ("operator", "operator@tennisbook.test", "tennisbook-operator")
DEMO_MEMBER = ("member", "member@tennisbook.test", "tennisbook-member")
BY = "seed_demo"  # the history's first actor marks the sample requests


class Command(BaseCommand):
    help = "Create demo settings, an operator, a member with a config and sample requests."

    def handle(self, *args, **options):
        try:
            self._seed(demo_portal())
        except DataError as exc:
            raise CommandError(f"{exc} Run `python manage.py create_tables` first?") from None
        except CryptoError as exc:
            raise CommandError(f"{exc} Run `python manage.py setup_keys` first?") from None
        except InvalidValue as exc:
            raise CommandError(f"Demo data is invalid: {exc}") from None

    def _seed(self, portal: DemoPortal) -> None:
        created = config_services.ensure_system_defaults(actor=BY)
        self.stdout.write(f"System settings: {', '.join(created) or 'already set'}")
        switched, kept = config_services.adopt_demo_portal_defaults(portal.kind, actor=BY)
        if switched:
            self.stdout.write(
                f"System settings switched to the {portal.kind} demo portal's: "
                + ", ".join(switched)
            )
        for key in kept:
            self._warn(
                f"system setting {key} is not the {portal.kind} demo portal's default "
                "(edited, or an older version's); kept as it is"
            )
        operator = self._user(*DEMO_OPERATOR, staff=True)
        member = self._user(*DEMO_MEMBER, staff=False)
        self._portal_account(str(member.pk), member.username, portal)
        self._sample_request(str(member.pk), member.username, portal)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo ready: operator {operator.username}, member {member.username} "
                f"(portal account {portal.member} on the {portal.kind} demo portal)."
            )
        )

    def _warn(self, text: str) -> None:
        self.stdout.write(self.style.WARNING(f"WARNING: {text}"))

    def _portal_account(self, user_id: str, username: str, portal: DemoPortal) -> None:
        """The demo portal's account for the demo member, unless someone set another."""
        config = config_services.find_user_config(user_id)
        if config is not None and config.portal_username == portal.member:
            return
        if config is not None and not is_a_demo_account(config):
            self._warn(
                f"the portal account of {username} is not a demo portal's demo account "
                f"(edited); kept as it is, so it may not log in to the {portal.kind} demo portal"
            )
            return
        with acting_as(BY, "demo member's portal account"):
            config_services.save_user_config(
                user_id,
                portal_username=portal.member,
                portal_password=portal.password,
                preferred_court=portal.preferred_court,
                preferred_slots=list(portal.preferred_slots),
            )
        done = "created" if config is None else f"switched to {portal.member} ({portal.kind})"
        self.stdout.write(f"Portal config for {username}: {done}")

    def _sample_request(self, user_id: str, username: str, portal: DemoPortal) -> None:
        """A sample request on the first run, and again after a switch of demo portal."""
        offered = {court["id"]: court["slots"] for court in config_services.get_courts()}
        stale = [
            r
            for r in booking_services.list_requests(user_id)
            if r.status in ACTIVE_STATUSES
            and r.history
            and r.history[0].actor == BY
            and r.time_slot not in offered.get(r.court_id, ())
        ]
        for request in stale:
            workflow.cancel(
                request,
                actor=Actor.OPERATOR,
                by=BY,
                message="cancelled: the club's courts changed (another demo portal)",
            )
            self.stdout.write(f"Sample request for {request.date}: cancelled (not on these courts)")
        if not stale and booking_services.list_requests(user_id):
            return
        court, slot, alternative = portal.sample
        day = (datetime.now(UTC) + timedelta(days=10)).date().isoformat()
        try:
            workflow.create(
                user_id,
                court,
                day,
                slot,
                [{"court_id": alternative, "time_slot": slot}],
                by=BY,
            )
        except (DuplicateRequest, QuotaReached, SlotClaimed) as exc:
            self.stdout.write(f"Sample request for {username}: not made ({exc}).")
            return
        self.stdout.write(f"Sample request for {username} on {day}: created")

    def _user(self, username: str, email: str, password: str, *, staff: bool):
        User = get_user_model()
        with transaction.atomic():
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User.objects.create_user(username, email, password)
                user.is_staff = user.is_superuser = staff
                user.save()
                self.stdout.write(f"User {username}: created")
        return user


def is_a_demo_account(config) -> bool:
    """Whether a member's portal config is still one demo portal's demo account as seeded.

    Judged on what needs no decryption: username, preferred court and slots.
    """
    return any(
        (config.portal_username, config.preferred_court, list(config.preferred_slots))
        == (portal.member, portal.preferred_court, list(portal.preferred_slots))
        for portal in DEMO_PORTALS.values()
    )
