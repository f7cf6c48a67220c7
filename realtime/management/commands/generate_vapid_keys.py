"""``manage.py generate_vapid_keys``: a new VAPID pair, as lines for the environment.

Printed, never stored or logged: the operator puts them where the
deployment keeps its secrets. Changing the pair later orphans every
subscribed device (their subscriptions are bound to the public key), so
generate it once per environment.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from realtime import vapid


class Command(BaseCommand):
    help = "Print a new VAPID key pair (Web Push) as environment lines."

    def add_arguments(self, parser):
        parser.add_argument(
            "--subject",
            default=None,
            help="VAPID_SUBJECT to print: a mailto: or https: URL (default: the current one).",
        )

    def handle(self, *args, subject=None, **options):
        subject = subject or settings.VAPID_SUBJECT
        if not subject.startswith(("mailto:", "https://")):
            raise CommandError(f"--subject must be a mailto: or https: URL, not {subject!r}.")
        public, private = vapid.generate()
        self.stdout.write(
            "# Web Push keys for tennisbook: put these lines in the environment (.env).\n"
            "# Keep VAPID_PRIVATE_KEY secret; a new pair unsubscribes every device.\n"
            f"VAPID_PUBLIC_KEY={public}\n"
            f"VAPID_PRIVATE_KEY={private}\n"
            f"VAPID_SUBJECT={subject}\n"
        )
