from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _protect_tables(sender: Any, using: str = "default", **kwargs: Any) -> None:
    # history tables appear with each app's migrations: (re)install the append-only triggers after every migrate
    from audit.db import install_triggers

    install_triggers(using=using)


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("审计")

    def ready(self) -> None:
        from audit import receivers  # (the one audit fan-in)

        receivers.connect()

        post_migrate.connect(_protect_tables, sender=self, dispatch_uid="audit_protect_tables")
