from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import gettext_lazy as _


def _protect_tables(sender: Any, using: str = "default", **kwargs: Any) -> None:
    # history tables appear with each app's migrations: (re)install the append-only triggers after every migrate
    from audit.db import install_triggers

    install_triggers(using=using)


def _guard_history(sender: Any, plan: Any = None, apps: Any = None, using: str = "default", **kwargs: Any) -> None:
    # a migration that would invalidate the digests of written history is refused before anything runs
    from django.db import connections

    from audit.migration_guard import check_plan

    if plan:
        check_plan(plan, apps, connections[using])


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("审计")

    def ready(self) -> None:
        from audit import checks, receivers  # noqa: F401  (the system checks; the one audit fan-in)

        receivers.connect()

        post_migrate.connect(_protect_tables, sender=self, dispatch_uid="audit_protect_tables")
        pre_migrate.connect(_guard_history, sender=self, dispatch_uid="audit_guard_history")
