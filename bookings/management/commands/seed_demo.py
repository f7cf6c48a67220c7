"""Seed a demo club: settings, an operator, a member with a config, requests.

Idempotent: what exists is left as it is, so it is safe at every start of
`make run`. The demo member's portal account matches the demo portal's.
"""

from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from bookings import services as booking_services
from bookings import workflow
from configs import services as config_services
from configs.crypto import CryptoError, acting_as
from tennisbook.dynamo import DataError
from tennisbook.values import InvalidValue

DEMO_OPERATOR = ("operator", "operator@tennisbook.test", "tennisbook-operator")
DEMO_MEMBER = ("member", "member@tennisbook.test", "tennisbook-member")
# The demo portal (democlub --demo) knows this member with this password.
DEMO_PORTAL_USERNAME = "101"
DEMO_PORTAL_PASSWORD = "cancha-demo-101"  # noqa: S105 - a demo account on a demo portal


class Command(BaseCommand):
    help = "Create demo settings, an operator, a member with a config and sample requests."

    def handle(self, *args, **options):
        try:
            self._seed()
        except DataError as exc:
            raise CommandError(f"{exc} Run `python manage.py create_tables` first?") from None
        except CryptoError as exc:
            raise CommandError(f"{exc} Run `python manage.py setup_keys` first?") from None
        except InvalidValue as exc:
            raise CommandError(f"Demo data is invalid: {exc}") from None

    def _seed(self) -> None:
        created = config_services.ensure_system_defaults(actor="seed_demo")
        self.stdout.write(f"System settings: {', '.join(created) or 'already set'}")
        operator = self._user(*DEMO_OPERATOR, staff=True)
        member = self._user(*DEMO_MEMBER, staff=False)
        if config_services.find_user_config(str(member.pk)) is None:
            with acting_as("seed_demo", "demo member's portal account"):
                config_services.save_user_config(
                    str(member.pk),
                    portal_username=DEMO_PORTAL_USERNAME,
                    portal_password=DEMO_PORTAL_PASSWORD,
                    preferred_court=5,
                    preferred_slots=["De 07:00 AM a 08:00 AM", "De 08:00 AM a 09:00 AM"],
                )
            self.stdout.write(f"Portal config for {member.username}: created")
        if not booking_services.list_requests(str(member.pk)):
            day = (datetime.now(UTC) + timedelta(days=10)).date().isoformat()
            # Not 07:00 on court 5: the demo portal releases that slot nine days
            # ahead (demo_release), so from tomorrow on the two would collide.
            workflow.create(
                str(member.pk),
                5,
                day,
                "De 08:00 AM a 09:00 AM",
                [{"court_id": 7, "time_slot": "De 08:00 AM a 09:00 AM"}],
                by="seed_demo",
            )
            self.stdout.write(f"Sample request for {member.username} on {day}: created")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo ready: operator {operator.username}, member {member.username}."
            )
        )

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
