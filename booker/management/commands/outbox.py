"""``manage.py outbox``: the results this host's workers could not write yet.

manage.py outbox                 list every row (waiting and quarantined)
manage.py outbox flush           try the waiting rows now
manage.py outbox retry ID        take a quarantined row out of quarantine
manage.py outbox drop ID         remove a row for good (after reading it)
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.core.management.base import BaseCommand, CommandError

from booker import outbox, processor


class Command(BaseCommand):
    help = "List, flush, retry or drop the results waiting in this host's outbox."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "action", nargs="?", default="list", choices=["list", "flush", "retry", "drop"]
        )
        parser.add_argument("request_id", nargs="?", help="the booking request id (retry, drop)")

    def handle(self, *args, action: str, request_id: str | None, **options) -> None:
        if action in ("retry", "drop") and not request_id:
            raise CommandError(f"outbox {action} needs the booking request id of a row.")
        if action == "list":
            self._list()
        elif action == "flush":
            processor.flush_outbox()
            self.stdout.write(
                f"{outbox.depth()} waiting, {outbox.quarantined()} quarantined after the flush."
            )
        elif action == "retry":
            if not outbox.release(request_id):
                raise CommandError(f"No outbox row for request {request_id}.")
            self.stdout.write(f"Request {request_id} will be tried at the next flush.")
        else:
            if not outbox.drop(request_id):
                raise CommandError(f"No outbox row for request {request_id}.")
            self.stdout.write(f"Dropped the outbox row of request {request_id}.")

    def _list(self) -> None:
        rows = outbox.rows()
        if not rows:
            self.stdout.write("The outbox is empty.")
            return
        for row in rows:
            queued = datetime.fromtimestamp(row.queued_at, UTC).isoformat(timespec="seconds")
            state = "QUARANTINED" if row.quarantined else "waiting"
            self.stdout.write(
                f"{row.write.request_id}  {state:<11}  -> {row.write.target:<9}  "
                f"tries {row.tries}  queued {queued}  {row.last_error}"
            )
