"""Create the project's DynamoDB tables (idempotent, TTL enabled)."""

from django.core.management.base import BaseCommand, CommandError

from tennisbook.dynamo import DataError
from tennisbook.dynamo.base import endpoint_description
from tennisbook.dynamo.tables import ensure_tables


class Command(BaseCommand):
    help = "Create the UserConfigs, BookingRequests and SystemConfig tables if missing."

    def handle(self, *args, **options):
        try:
            states = ensure_tables()
        except DataError as exc:
            raise CommandError(
                f"{exc} Check DYNAMODB_ENDPOINT_URL and that the emulator or AWS is reachable."
            ) from None
        for state in states:
            verb = "created" if state.created else "exists"
            ttl = f", TTL on {state.ttl_attribute}" if state.ttl_attribute else ""
            self.stdout.write(f"{state.name}: {verb}{ttl}")
        if states and all(state.created for state in states):
            # A new deployment has no data from before clubs to move.
            from configs.club_migration import set_marker

            set_marker("done")
            self.stdout.write("New tables: no data from before clubs to move.")
        self.stdout.write(self.style.SUCCESS(f"Tables ready at {endpoint_description()}."))
