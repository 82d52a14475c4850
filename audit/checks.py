"""System checks that stop `migrate`, `runserver` and every other command when the audit history could be
switched off: a setting that silences django-simple-history, or a domain model without history."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.models)
def history_is_on(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if settings.SIMPLE_HISTORY_ENABLED is not True:
        return [checks.Error(
            "SIMPLE_HISTORY_ENABLED is not True: changes would reach the tables without their history and ledger "
            "entries", hint="Remove SIMPLE_HISTORY_ENABLED from the settings; the audit history cannot be off.",
            id="audit.E001")]
    return []
