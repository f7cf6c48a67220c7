"""Seed the two demo clubs: settings, an operator, a member with configs, requests.

``make run`` runs both demo portals (configs/demo_portals.py): the one
``DEMOCLUB_KIND`` names for the default club, the other kind for a second
demo club whose id is that kind's name (``grid`` beside a condo default
club, ``condo`` beside a grid one). This command sets both clubs up, gives
the demo member each portal's own demo account at each club, and a sample
request at each.

Idempotent: what exists is left as it is, so it is safe at every start of
`make run`, and a run that changes nothing says so. Restarted with the
other kind on the same data, it switches what is still the other portal's
demo data: the default club's settings that are exactly its defaults, the
member's account there if it is a demo account, and its sample request (one
for a court or slot the club no longer has is cancelled and a new one made).
The second demo club of the previous kind, whose portal is now the default
club's, is disabled (its demo requests cancelled) until the kind is switched
back. Anything else was edited and is kept, with a warning line.
"""

from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from bookings import services as booking_services
from bookings import workflow
from bookings.choices import ACTIVE_STATUSES
from bookings.errors import DuplicateRequest, Moot, QuotaReached, SlotClaimed
from bookings.lifecycle import Actor
from configs import clubs, system_keys
from configs import services as config_services
from configs.crypto import CryptoError, acting_as
from configs.demo_portals import DEMO_PORTALS, DemoPortal, demo_clubs, demo_portal
from tennisbook.dynamo import DataError
from tennisbook.values import InvalidValue

DEMO_OPERATOR = ("operator", "operator@tennisbook.test", "tennisbook-operator")
DEMO_MEMBER = ("member", "member@tennisbook.test", "tennisbook-member")
BY = "seed_demo"  # the history's first actor marks the sample requests
DEMO_ACTORS = (BY, "demo_release")  # the requests the demo commands made


class Command(BaseCommand):
    help = (
        "Create the two demo clubs, an operator, a member with portal accounts at both "
        "and sample requests."
    )

    def handle(self, *args, **options):
        self.changed = False
        self.revived: set[str] = set()  # clubs enabled again: their sample was cancelled
        try:
            self._seed()
        except DataError as exc:
            raise CommandError(f"{exc} Run `python manage.py create_tables` first?") from None
        except CryptoError as exc:
            raise CommandError(f"{exc} Run `python manage.py setup_keys` first?") from None
        except InvalidValue as exc:
            raise CommandError(f"Demo data is invalid: {exc}") from None

    def _seed(self) -> None:
        wanted = demo_clubs()
        (default, kind), *others = wanted
        self._default_club(default, demo_portal(kind))
        for club, other_kind in others:
            self._second_club(club, DEMO_PORTALS[other_kind])
        if not others:
            self._warn(
                f"the default club's id {default!r} is the second demo portal's kind: "
                "only one demo club"
            )
        self._retire_old_second_club(default, kind)
        operator = self._user(*DEMO_OPERATOR, staff=True)
        member = self._user(*DEMO_MEMBER, staff=False)
        accounts = []
        for club, club_kind in wanted:
            portal = DEMO_PORTALS[club_kind]
            self._portal_account(str(member.pk), member.username, club, portal)
            self._sample_request(str(member.pk), member.username, club, portal)
            accounts.append(f"{portal.member} at club {club} ({portal.kind} demo portal)")
        if not self.changed:
            self.stdout.write("Demo data: already set up, nothing changed.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo ready: operator {operator.username}, member {member.username} "
                f"(portal accounts: {', '.join(accounts)})."
            )
        )

    def _say(self, text: str) -> None:
        """A line about a change."""
        self.changed = True
        self.stdout.write(text)

    def _warn(self, text: str) -> None:
        self.stdout.write(self.style.WARNING(f"WARNING: {text}"))

    # --- the clubs -----------------------------------------------------------------

    def _default_club(self, club: str, portal: DemoPortal) -> None:
        """The default club's settings: defaults, following ``DEMOCLUB_KIND``'s portal."""
        created = config_services.ensure_system_defaults(club=club, actor=BY)
        if created:
            self._say(f"System settings of club {club}: {', '.join(created)}")
        self._adopt(club, portal)

    def _second_club(self, club: str, portal: DemoPortal) -> None:
        """The second demo club, on ``portal``: created, or brought back if retired."""
        if club not in clubs.club_ids():
            # A creation interrupted half-way is finished by the same call.
            clubs.create_club(
                club,
                portal.club_name,
                actor=BY,
                settings_values=system_keys.demo_defaults(portal.kind),
            )
            self._say(f"Club {club} ({portal.club_name}): created on the {portal.kind} demo portal")
            return
        self._adopt(club, portal)
        record = config_services.system_config_entry("club", club=club)
        if not record["value"]["enabled"] and record["modified_by"] == BY:
            clubs.update_club(club, actor=BY, enabled=True)
            self.revived.add(club)
            self._say(f"Club {club}: enabled again (the {portal.kind} demo portal is its own)")

    def _adopt(self, club: str, portal: DemoPortal) -> None:
        switched, kept = config_services.adopt_demo_portal_defaults(
            portal.kind, club=club, actor=BY
        )
        if switched:
            self._say(
                f"System settings of club {club} switched to the {portal.kind} demo portal's: "
                + ", ".join(switched)
            )
        for key in kept:
            self._warn(
                f"system setting {key} of club {club} is not the {portal.kind} demo portal's "
                "default (edited, or an older version's); kept as it is"
            )

    def _retire_old_second_club(self, default: str, kind: str) -> None:
        """Disable the second demo club of a run with the other kind.

        Its id is this run's ``DEMOCLUB_KIND``, whose portal is now the
        default club's: two clubs booking the same demo releases on one
        portal under one account would take each other's slots. Only a club
        seed_demo itself left enabled is disabled; ``_second_club`` enables
        it again when the kind is switched back.
        """
        if kind == default or kind not in clubs.club_ids():
            return
        record = config_services.system_config_entry("club", club=kind)
        if not record["value"]["enabled"]:
            return
        if record["modified_by"] != BY:
            self._warn(
                f"club {kind} is on the {kind} demo portal too, now the default club's; "
                "it was edited, so it is kept enabled"
            )
            return
        clubs.update_club(kind, actor=BY, enabled=False)
        self._say(
            f"Club {kind}: disabled (the {kind} demo portal is the default club's now; "
            f"DEMOCLUB_KIND={kind})"
        )
        member = get_user_model().objects.filter(username=DEMO_MEMBER[0]).first()
        if member is None:
            return
        for request in booking_services.list_requests(str(member.pk), club=kind):
            if not (request.status in ACTIVE_STATUSES and made_by_demo(request)):
                continue
            try:
                workflow.cancel(
                    request,
                    actor=Actor.OPERATOR,
                    by=BY,
                    message=f"cancelled: the club {kind} is disabled (another demo portal kind)",
                )
            except Moot:  # finished meanwhile (TransitionRefused is one)
                continue
            self._say(f"Demo request at club {kind} for {request.date}: cancelled")

    # --- the demo member -----------------------------------------------------------

    def _portal_account(self, user_id: str, username: str, club: str, portal: DemoPortal) -> None:
        """``portal``'s demo account for the demo member at ``club``, unless someone set another."""
        config = config_services.find_user_config(user_id, club)
        if config is not None and config.portal_username == portal.member:
            return
        if config is not None and not is_a_demo_account(config):
            self._warn(
                f"the portal account of {username} at club {club} is not a demo portal's demo "
                f"account (edited); kept as it is, so it may not log in to the {portal.kind} "
                "demo portal"
            )
            return
        with acting_as(BY, f"demo member's portal account at {club}"):
            config_services.save_user_config(
                user_id,
                club,
                portal_username=portal.member,
                portal_password=portal.password,
                preferred_court=portal.preferred_court,
                preferred_slots=list(portal.preferred_slots),
            )
        done = "created" if config is None else f"switched to {portal.member} ({portal.kind})"
        self._say(f"Portal config for {username} at club {club}: {done}")

    def _sample_request(self, user_id: str, username: str, club: str, portal: DemoPortal) -> None:
        """A sample request at ``club`` on the first run, and again after a switch of portal.

        A switch is a sample request for courts the club no longer has, or
        the club being enabled again (its sample was cancelled when disabled).
        """
        offered = {court["id"]: court["slots"] for court in config_services.get_courts(club)}
        mine = booking_services.list_requests(user_id, club=club)
        stale = [
            r
            for r in mine
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
            self._say(
                f"Sample request at club {club} for {request.date}: cancelled (not on these courts)"
            )
        if not stale and mine and club not in self.revived:
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
                club=club,
                by=BY,
            )
        except (DuplicateRequest, QuotaReached, SlotClaimed) as exc:
            self.stdout.write(f"Sample request for {username} at club {club}: not made ({exc}).")
            return
        self._say(f"Sample request for {username} at club {club} on {day}: created")

    def _user(self, username: str, email: str, password: str, *, staff: bool):
        User = get_user_model()
        with transaction.atomic():
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User.objects.create_user(username, email, password)
                user.is_staff = user.is_superuser = staff
                user.save()
                self._say(f"User {username}: created")
        return user


def made_by_demo(request) -> bool:
    """Whether seed_demo or demo_release made this request (its history's first actor)."""
    return bool(request.history) and request.history[0].actor in DEMO_ACTORS


def is_a_demo_account(config) -> bool:
    """Whether a member's portal config is still one demo portal's demo account as seeded.

    Judged on what needs no decryption: username, preferred court and slots.
    """
    return any(
        (config.portal_username, config.preferred_court, list(config.preferred_slots))
        == (portal.member, portal.preferred_court, list(portal.preferred_slots))
        for portal in DEMO_PORTALS.values()
    )
