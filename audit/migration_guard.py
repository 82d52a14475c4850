"""A migration must not silently invalidate the digests of history already written. A historical row's digest
covers its non-null columns by name (with each decimal column's places), so these operations on a history table
change what older rows digest to: removing or renaming a column, adding one that is not nullable (older rows get
its default), changing a decimal column's places, or dropping the table. `migrate` refuses a plan with any of them
unless the same migration re-bases that table's history with `RebaseHistory`, which records, in one ledger event,
every existing row's new digest (README, "Changing an audited model")."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import migrations, models
from django.db.migrations.operations.base import Operation

HISTORY_PREFIX = "historical"  # django-simple-history names every history model Historical<Model>


class HistoryMigrationRefused(Exception):
    pass


class RebaseHistory(Operation):
    """Put after the schema change: re-digest every existing row of the history table and record the new digests
    (audit.RebasedDigest, append-only) under one `history_rebased` ledger event whose data carries their count and
    their SHA-256, so audit_verify accepts a row's new digest only as recorded, and a forged one is still caught."""

    reversible = False
    reduces_to_sql = False

    def __init__(self, app_label: str, model_name: str, reason: str) -> None:
        self.app_label, self.model_name, self.reason = app_label, model_name.lower(), reason

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        from audit.rebase import rebase_table  # the real models: the digest is the running code's

        rebase_table(f"{self.app_label}.{self.model_name}", self.reason, using=schema_editor.connection.alias)

    def database_backwards(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError("a recorded re-basing cannot be undone; write a new migration")

    def describe(self) -> str:
        return f"Re-base the audit digests of {self.app_label}.{self.model_name}"


def digests_root(pairs: list[tuple[int, str]]) -> str:
    """SHA-256 over `history_id:digest` lines in id order: what a history_rebased event vouches for."""
    text = "".join(f"{history_id}:{digest}\n" for history_id, digest in sorted(pairs))
    return hashlib.sha256(text.encode()).hexdigest()


def _changes_digests(operation: Operation, before: Any, app_label: str) -> str:
    """Why the operation would change older rows' digests, or ""."""
    name = getattr(operation, "model_name", getattr(operation, "name", "")) or ""
    if not name.lower().startswith(HISTORY_PREFIX):
        return ""
    if isinstance(operation, migrations.DeleteModel):
        return "drops the history table"
    if isinstance(operation, migrations.RemoveField):
        return f"removes the column {operation.name}"
    if isinstance(operation, migrations.RenameField):
        return f"renames the column {operation.old_name}"
    if isinstance(operation, migrations.AddField) and not operation.field.null:
        return f"adds the column {operation.name}, which is not nullable (older rows would get its default)"
    if isinstance(operation, migrations.AlterField) and isinstance(operation.field, models.DecimalField):
        try:
            old = before.get_model(app_label, operation.model_name)._meta.get_field(operation.name)
        except (LookupError, Exception):  # a model or field the plan itself creates
            return ""
        if getattr(old, "decimal_places", None) != operation.field.decimal_places:
            return f"changes the decimal places of {operation.name}"
    return ""


def _has_rows(apps: Any, app_label: str, model: str, connection: Any) -> bool:
    """Only written history has digests to lose: a table the plan creates, or an empty one, is free to change."""
    try:
        table = apps.get_model(app_label, model)._meta.db_table
    except LookupError:
        return False
    if table not in connection.introspection.table_names():
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # noqa: S608
        return cursor.fetchone() is not None


def check_plan(plan: list[tuple[Any, bool]], apps: Any, connection: Any) -> None:
    """pre_migrate: refuse the plan if a forward migration changes the digests of written history without
    re-basing that table in the same migration."""
    for migration, backwards in plan:
        if backwards:
            continue
        rebased = {op.model_name for op in migration.operations if isinstance(op, RebaseHistory)}
        for operation in migration.operations:
            why = _changes_digests(operation, apps, migration.app_label)
            model = str(getattr(operation, "model_name", getattr(operation, "name", ""))).lower()
            if why and model not in rebased and _has_rows(apps, migration.app_label, model, connection):
                raise HistoryMigrationRefused(
                    f"{migration.app_label}.{migration.name} {why} of {model}: the digests of its older rows would "
                    f"no longer verify. Add audit.migration_guard.RebaseHistory({migration.app_label!r}, "
                    f"{model!r}, reason=...) after it in the same migration (README, 'Changing an audited model').")
