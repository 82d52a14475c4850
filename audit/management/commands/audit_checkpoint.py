from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit import checkpoints


class Command(BaseCommand):
    help = "Sign the log's current tree head and publish it as a checkpoint outside the database (run hourly)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--reason", default="hourly")

    def handle(self, *args: Any, **options: Any) -> None:
        checkpoint = checkpoints.publish(options["reason"])
        if checkpoint is None:
            raise CommandError("the ledger is empty: nothing to publish")
        self.stdout.write(f"published tree_size={checkpoint.tree_size} root={checkpoint.root_hash} "
                          f"key={checkpoint.key_id} at {checkpoint.location}")
