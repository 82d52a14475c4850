from __future__ import annotations

import importlib
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = ("Load demo data (idempotent): one login per role, organisations, rooms and projects of every trading "
            "type in various states; each app that has a `demo.load()` adds its part. Prints the demo logins.")

    def handle(self, *args: Any, **options: Any) -> None:
        for config in apps.get_app_configs():
            try:
                module = importlib.import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            module.load(out=self.stdout.write)
