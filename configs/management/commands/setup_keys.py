"""Create the environment's encryption key if it does not exist (idempotent)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from configs.crypto import CryptoError, ensure_key


class Command(BaseCommand):
    help = "Create the KMS key and alias (rotation enabled) or the local key file if missing."

    def handle(self, *args, **options):
        try:
            key_id, created = ensure_key()
        except CryptoError as exc:
            raise CommandError(str(exc)) from None
        state = "created" if created else "exists"
        self.stdout.write(f"{settings.CRYPTO_KEY_PROVIDER} key {key_id}: {state}")
