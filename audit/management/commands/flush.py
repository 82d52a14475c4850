"""Django's flush, able to empty the append-only tables in a *test* database only (TransactionTestCase)."""

from __future__ import annotations

from typing import Any

from django.core.management.commands.flush import Command as FlushCommand

from audit.db import set_triggers_enabled


class Command(FlushCommand):
    def handle(self, **options: Any) -> None:
        database = options.get("database") or "default"
        set_triggers_enabled(False, using=database)
        try:
            super().handle(**options)
        finally:
            set_triggers_enabled(True, using=database)
