"""Re-wrap every stored secret under the current key.

Run after the key changed (``--new-key`` makes a new one first: a new KMS
key behind the environment's alias, or a new local key). Each value's data
key is re-wrapped inside the key provider, the ciphertext is untouched, and
each item is written on its own with its version as condition: an
interrupted run loses nothing, and running again finishes the rest. Values
already under the current key are skipped, so a second run changes nothing.
"""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from configs.crypto import CryptoError, DecryptionFailed, acting_as, get_provider, key_id_of, rewrap
from configs.crypto.attributes import EncryptedModelMixin
from tennisbook.dynamo import Conflict, DataError, registered_models
from tennisbook.dynamo.repository import translate_errors


class Command(BaseCommand):
    help = "Re-wrap every encrypted value under the current key (dry run, resumable)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count, change nothing.")
        parser.add_argument(
            "--new-key", action="store_true", help="Create a new current key before re-wrapping."
        )
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bar.")

    def handle(self, *args, dry_run=False, new_key=False, no_progress=False, **options):
        counts = {"scanned": 0, "rotated": 0, "current": 0, "conflicts": 0, "failed": 0}
        try:
            if new_key and not dry_run:
                self.stdout.write(f"New current key: {self._new_key()}")
            current = get_provider().current_key_id()
            self.stdout.write(f"Current key: {current}{' (dry run)' if dry_run else ''}")
            with acting_as("rotate_keys", "key rotation"):
                for model in registered_models():
                    if issubclass(model, EncryptedModelMixin):
                        self._rotate_model(model, current, dry_run, no_progress, counts)
        except (CryptoError, DataError) as exc:
            raise CommandError(
                f"{exc} ({_summary(counts)}); run the command again to resume."
            ) from None
        verb = "would rotate" if dry_run else "rotated"
        self.stdout.write(self.style.SUCCESS(_summary(counts).replace("rotated", verb)))
        if counts["failed"]:
            raise CommandError(f"{counts['failed']} value(s) could not be rotated; see the log.")

    def _new_key(self) -> str:
        provider = get_provider()
        if provider.name == "local":
            return provider.add_key()
        client = provider.client
        metadata = client.create_key(
            Description="tennisbook: rotated key", KeyUsage="ENCRYPT_DECRYPT"
        )["KeyMetadata"]
        client.enable_key_rotation(KeyId=metadata["KeyId"])
        client.update_alias(AliasName=provider.key_id, TargetKeyId=metadata["KeyId"])
        provider._arn = None
        return metadata["Arn"]

    def _rotate_model(self, model, current, dry_run, no_progress, counts) -> None:
        attributes = model.encrypted_attributes()
        with translate_errors("scan", model.Meta.table_name):
            items = list(model.scan())
        for item in tqdm(items, desc=model.table, disable=no_progress, file=self.stderr):
            counts["scanned"] += 1
            stale = [
                attribute
                for attribute in attributes.values()
                if attribute.stored(item) and key_id_of(attribute.stored(item)) != current
            ]
            if not stale:
                counts["current"] += 1
                continue
            if dry_run:
                counts["rotated"] += 1
                continue
            try:
                for attribute in stale:
                    attribute.replace_envelope(
                        item, rewrap(attribute.stored(item), attribute.binding(item))
                    )
            except DecryptionFailed:
                # A tampered or foreign value: audited by rewrap, left as it is.
                counts["failed"] += 1
                continue
            try:
                with translate_errors("rotate", model.Meta.table_name):
                    item.save()
            except Conflict:
                # The member edited the item meanwhile: their save used the
                # current key already, or the next run picks it up.
                counts["conflicts"] += 1
                continue
            counts["rotated"] += 1


def _summary(counts: dict) -> str:
    return ", ".join(f"{name} {number}" for name, number in counts.items())
