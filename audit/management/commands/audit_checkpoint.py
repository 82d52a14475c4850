from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit import checkpoints


class Command(BaseCommand):
    help = "Publish the current audit head hash as a checkpoint outside the database (run daily)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--reason", default="daily")

    def handle(self, *args: Any, **options: Any) -> None:
        checkpoint = checkpoints.publish(options["reason"])
        if checkpoint is None:
            raise CommandError("the ledger is empty: nothing to publish")
        self.stdout.write(f"published seq={checkpoint.seq} hash={checkpoint.hash} at {checkpoint.location}")
