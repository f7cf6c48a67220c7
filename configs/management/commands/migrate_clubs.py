"""Move a single-club deployment's data to the default club. Run once after upgrading.

Stop the Celery workers and beat first (the web may stay up: members' writes
to old items fail cleanly until their item is moved). Each item moves on its
own with a condition, so an interrupted run loses nothing and running the
command again finishes the rest; with nothing left it changes nothing and
says so. ``--dry-run`` counts what would move. See docs/operations.md,
"Moving to clubs".
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bookings.workflow import club_migration as bookings_migration
from configs import club_migration, services, system_keys
from configs.crypto import CryptoError
from tennisbook.dynamo import DataError
from tennisbook.values import InvalidValue


class Command(BaseCommand):
    help = "Move settings, members' configurations, requests and claims to the default club."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count, change nothing.")
        parser.add_argument(
            "--name",
            help="The default club's name, when it has none stored yet (e.g. 'Main club').",
        )

    def handle(self, *args, dry_run=False, name=None, **options):
        club = settings.DEFAULT_CLUB_ID
        self.stdout.write(f"Default club: {club}{' (dry run)' if dry_run else ''}")
        changed = 0
        try:
            # Once a run finished, a second changes nothing, the marker included.
            if not dry_run and club_migration.marker_state() != "done":
                club_migration.set_marker("running")
            settings_step = club_migration.migrate_settings(club, dry_run=dry_run)
            self._report(settings_step.summary(), settings_step.notes)
            changed += settings_step.changed
            configs_step = club_migration.migrate_user_configs(club, dry_run=dry_run)
            self._report(configs_step.summary(), configs_step.notes)
            changed += configs_step.changed
            requests = bookings_migration.migrate_requests(club, dry_run=dry_run)
            self._report(_summary("BookingRequests", requests), [])
            changed += requests["moved"]
            claims, notes = bookings_migration.migrate_claims(club, dry_run=dry_run)
            self._report(_summary("claims", claims), notes)
            changed += claims["moved"]
            left_now = claims["conflicts"] + requests["changed meanwhile"]
            if name is not None and not left_now:
                changed += self._name(club, name, dry_run)
        except InvalidValue as exc:
            raise CommandError(f"{exc}") from None
        except (CryptoError, DataError) as exc:
            raise CommandError(
                f"{str(exc).rstrip('.')}; nothing is lost: run it again to resume."
            ) from None
        # Only what a second run can move counts as left; an item in an
        # unknown form (named above) stays where it is and blocks nothing.
        left = (
            claims["conflicts"]
            + requests["changed meanwhile"]
            + settings_step.counts["changed meanwhile"]
            + configs_step.counts["changed meanwhile"]
        )
        if left and not dry_run:
            raise CommandError(
                f"{left} item(s) were not moved (see above); fix or remove them and run it again."
            )
        if not dry_run:
            club_migration.set_marker("done")
        verb = "would change" if dry_run else "changed"
        message = f"Done: {verb} {changed} item(s)." if changed else "Nothing to migrate."
        self.stdout.write(self.style.SUCCESS(message))

    def _name(self, club: str, name: str, dry_run: bool) -> int:
        key = system_keys.item_key(club, "club")
        if services.system_configs.find(key) is not None:
            self.stdout.write("Club name: already set, kept.")
            return 0
        if not dry_run:
            record = system_keys.validate_club({"name": name, "enabled": True})
            club_migration.set_marker("done")  # the data is per club: settings may be written
            services.set_system_value("club", record, club=club, actor=club_migration.ACTOR)
        self.stdout.write(f"Club name: {name}")
        return 1

    def _report(self, line: str, notes: list[str]) -> None:
        self.stdout.write(line)
        for note in notes:
            self.stdout.write(self.style.WARNING(f"  {note}"))


def _summary(name: str, counts) -> str:
    parts = [f"{kind} {number}" for kind, number in sorted(counts.items()) if number]
    return f"{name}: {', '.join(parts) or 'nothing to migrate'}"
