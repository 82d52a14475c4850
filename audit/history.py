"""The one way a domain model gets history: `history = audited()` and `objects = AuditedManager()`."""

from __future__ import annotations

import functools
import hashlib
from typing import Any

from django.db import models, router, transaction
from simple_history.manager import HistoryDescriptor
from simple_history.models import HistoricalRecords

from audit import canonical, context
from audit.models import HistoricalBase

HISTORY_ACTIONS = {"+": "create", "~": "update", "-": "delete"}


def _current_user(instance: Any = None, request: Any = None, **kwargs: Any) -> Any:
    actor = context.current().actor
    if actor is not None and getattr(actor, "is_authenticated", False):
        return actor
    return None


class _CachedHistoryDescriptor(HistoryDescriptor):
    """simple-history builds a new manager class on every `instance.history` access (once per save); build it once."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._manager = self.manager_class.from_queryset(self.queryset_class)

    def __get__(self, instance: Any, owner: Any) -> Any:
        return self._manager(self.model, instance)


class _HistoricalRecords(HistoricalRecords):
    def finalize(self, sender: Any, **kwargs: Any) -> None:
        super().finalize(sender, **kwargs)
        descriptor = sender.__dict__.get(self.manager_name)
        if isinstance(descriptor, HistoryDescriptor):
            setattr(sender, self.manager_name, _CachedHistoryDescriptor(
                descriptor.model, manager=descriptor.manager_class, queryset=descriptor.queryset_class))


def audited(**kwargs: Any) -> HistoricalRecords:
    """django-simple-history on the shared base; history rows are evidence, so never cascaded away."""
    kwargs.setdefault("bases", [HistoricalBase])
    kwargs.setdefault("get_user", _current_user)
    kwargs.setdefault("history_change_reason_field", models.TextField(null=True))
    kwargs.setdefault("cascade_delete_history", False)
    kwargs.setdefault("user_db_constraint", False)
    return _HistoricalRecords(**kwargs)


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


class AuditedModel(models.Model):
    """Base of every domain model: a save or delete and its history row and ledger entry commit together, even
    when the caller forgot an outer transaction (in autocommit they would otherwise be three transactions)."""

    objects = AuditedManager()

    class Meta:
        abstract = True

    # savepoint=False: nothing inside needs a partial rollback; a failure rolls back the caller's transaction
    def save(self, *args: Any, **kwargs: Any) -> None:
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using, savepoint=False):
            super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using, savepoint=False):
            return super().delete(*args, **kwargs)


@functools.cache
def history_fields(history_model: type[models.Model]) -> list[tuple[str, int | None]]:
    """(attname, decimal places) of every concrete column of a historical model, sorted by name."""
    fields = []
    for field in sorted(history_model._meta.concrete_fields, key=lambda f: f.attname):
        places = field.decimal_places if isinstance(field, models.DecimalField) else None
        fields.append((field.attname, places))
    return fields


def digest_values(fields: list[tuple[str, int | None]], values: tuple[Any, ...]) -> str:
    """SHA-256 of the row's non-null values by column name. Nulls are left out so that a nullable column added by
    a later migration (null in every older row) leaves the older rows' digests valid."""
    normalise, plain = canonical.normalise, canonical.PLAIN_TYPES
    payload = {name: value if type(value) in plain else normalise(value, places)
               for (name, places), value in zip(fields, values, strict=True) if value is not None}
    return hashlib.sha256(canonical.encode(payload).encode("utf-8")).hexdigest()  # names already sorted


@functools.cache
def _fields_by_attname(history_model: type[models.Model]) -> tuple[models.Field, ...]:
    by_attname = {field.attname: field for field in history_model._meta.concrete_fields}
    return tuple(by_attname[name] for name, _ in history_fields(history_model))


def history_digest(history_instance: models.Model) -> str:
    model = type(history_instance)
    values = tuple(field.to_python(getattr(history_instance, field.attname)) for field in _fields_by_attname(model))
    return digest_values(history_fields(model), values)
