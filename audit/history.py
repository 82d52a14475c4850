"""The one way a domain model gets history: `history = audited()` and `objects = AuditedManager()`."""

from __future__ import annotations

from typing import Any

from django.db import models
from simple_history.models import HistoricalRecords

from audit import canonical, context
from audit.models import HistoricalBase

HISTORY_ACTIONS = {"+": "create", "~": "update", "-": "delete"}


def _current_user(instance: Any = None, request: Any = None, **kwargs: Any) -> Any:
    actor = context.current().actor
    if actor is not None and getattr(actor, "is_authenticated", False):
        return actor
    return None


def audited(**kwargs: Any) -> HistoricalRecords:
    """django-simple-history on the shared base; history rows are evidence, so never cascaded away."""
    kwargs.setdefault("bases", [HistoricalBase])
    kwargs.setdefault("get_user", _current_user)
    kwargs.setdefault("history_change_reason_field", models.TextField(null=True))
    kwargs.setdefault("cascade_delete_history", False)
    kwargs.setdefault("user_db_constraint", False)
    return HistoricalRecords(**kwargs)


class AuditedQuerySet(models.QuerySet):
    """Paths that skip history and its ledger entries are refused: change rows one by one through services."""

    def update(self, **kwargs: Any) -> int:
        raise TypeError(f"{self.model.__name__}: QuerySet.update() bypasses the audit history; save each object")

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise TypeError(f"{self.model.__name__}: bulk_update() bypasses the audit history; use audit.bulk helpers")

    def bulk_create(self, *args: Any, **kwargs: Any) -> list:
        raise TypeError(f"{self.model.__name__}: bulk_create() bypasses the audit history; use audit.bulk helpers")

    def delete(self) -> tuple[int, dict[str, int]]:
        # QuerySet.delete sends per-object signals, so history is written; kept explicit for readers
        return super().delete()


class AuditedManager(models.Manager.from_queryset(AuditedQuerySet)):
    pass


def history_fields(history_model: type[models.Model]) -> list[tuple[str, int | None]]:
    """(attname, decimal places) of every concrete column of a historical model, in a stable order."""
    fields = []
    for field in sorted(history_model._meta.concrete_fields, key=lambda f: f.attname):
        places = field.decimal_places if isinstance(field, models.DecimalField) else None
        fields.append((field.attname, places))
    return fields


def digest_values(fields: list[tuple[str, int | None]], values: tuple[Any, ...]) -> str:
    payload = {name: canonical.normalise(value, places) for (name, places), value in zip(fields, values, strict=True)}
    return canonical.sha256_json(payload)


def history_digest(history_instance: models.Model) -> str:
    model = type(history_instance)
    fields = history_fields(model)
    values = []
    for name, _places in fields:
        field = model._meta.get_field(name) if not name.endswith("_id") else _field_by_attname(model, name)
        values.append(field.to_python(getattr(history_instance, name)))
    return digest_values(fields, tuple(values))


def _field_by_attname(model: type[models.Model], attname: str) -> models.Field:
    for field in model._meta.concrete_fields:
        if field.attname == attname:
            return field
    raise LookupError(attname)
