"""The one way a domain model gets history: `history = audited()` and `objects = AuditedManager()`."""

from __future__ import annotations

import functools
import hashlib
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, models, router, transaction
from django.db.models.sql import InsertQuery
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.manager import HistoryDescriptor
from simple_history.models import HistoricalRecords
from simple_history.signals import post_create_historical_record, pre_create_historical_record

from audit import canonical, ledger
from audit.models import HistoricalBase
from core import context

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
            self.history_model = descriptor.model
            setattr(sender, self.manager_name, _CachedHistoryDescriptor(
                descriptor.model, manager=descriptor.manager_class, queryset=descriptor.queryset_class))
        # Django reaches rows through the base manager too (related objects, refresh_from_db): make it the
        # audited one, so `_base_manager.filter(...).update(...)` is refused like `objects` is
        default = sender._meta.default_manager
        if default is not None and isinstance(default.get_queryset(), AuditedQuerySet):
            sender._meta.base_manager_name = default.name

    def add_extra_methods(self, cls: Any) -> None:
        super().add_extra_methods(cls)
        cls.save_without_historical_record = _refuse_save_without_history

    # simple-history skips the history of raw saves (fixtures), of objects flagged skip_history_when_saving and of
    # everything when SIMPLE_HISTORY_ENABLED is False; here every save and delete is recorded or refused
    def post_save(self, instance: Any, created: bool, using: str | None = None, **kwargs: Any) -> None:
        if kwargs.get("raw", False):
            raise TypeError(f"{instance._meta.label}: a raw save (loaddata of a fixture) would change the row "
                            "without its history; create or change records through the services")
        if hasattr(instance, "skip_history_when_saving"):
            _refuse_save_without_history(instance)
        if not created and _only_excluded(kwargs.get("update_fields"), self.fields_included(instance)):
            return  # e.g. Django's last_login at every login: the login event records it, a row would be empty
        self.create_historical_record(instance, "+" if created else "~", using=using)

    def post_delete(self, instance: Any, using: str | None = None, **kwargs: Any) -> None:
        self.create_historical_record(instance, "-", using=using)

    def pre_delete(self, instance: Any, **kwargs: Any) -> None:
        fields = {field.attname for field in self.fields_included(instance)} & instance.get_deferred_fields()
        if fields:
            instance.refresh_from_db(fields=fields)

    def create_historical_record(self, instance: Any, history_type: str, using: str | None = None) -> None:
        """simple-history's own steps, stamped with the audit context, and the historical row written together
        with its ledger entry (`_save_with_entry`). This runs on every save, so it is kept lean."""
        model = self.history_model
        attrs = {field.attname: getattr(instance, field.attname) for field in self.fields_included(instance)}
        if getattr(model, "history_relation", None) is not None:
            attrs["history_relation"] = instance
        history_date = getattr(instance, "_history_date", None) or timezone.now()
        ctx = context.current()
        history_user = instance._history_user if hasattr(instance, "_history_user") else _current_user()
        reason = getattr(instance, "_change_reason", None) or ctx.reason or None
        history_instance = model(
            history_date=history_date, history_type=history_type, history_user=history_user,
            history_change_reason=reason, history_ip=ctx.ip,
            history_role=str(getattr(history_user, "role", "") or "") if history_user else "", **attrs,
        )
        using = (using if self.use_base_model_db else None) or router.db_for_write(model)
        signal = {"sender": model, "instance": instance, "history_instance": history_instance,
                  "history_date": history_date, "history_user": history_user, "history_change_reason": reason,
                  "using": using}
        pre_create_historical_record.send(**signal)
        _save_with_entry(history_instance, instance, using)
        self.create_historical_record_m2ms(history_instance, instance)
        post_create_historical_record.send(**signal)


def _only_excluded(update_fields: Any, included: list[Any]) -> bool:
    """A save of named fields that the history leaves out (`audited(excluded_fields=...)`) changes nothing it
    records: a historical row for it would be a copy of the last one, an anonymous "update" beside the event."""
    tracked = {f.name for f in included} | {f.attname for f in included}
    return bool(update_fields) and not set(update_fields) & tracked


def _refuse_save_without_history(instance: Any, *args: Any, **kwargs: Any) -> None:
    raise TypeError(f"{instance._meta.label}: saving without a historical record bypasses the audit history")


def _save_with_entry(history_instance: models.Model, instance: Any, using: str) -> None:
    """The historical row and the ledger entry that records it, in one transaction. On PostgreSQL one statement
    inserts both and hashes them (audit/db.py); both hashes are recomputed here, and a difference rolls back.
    The entry stays on the instance (`_ledger_entry`) for the receipt its writer may hand out."""
    model = type(history_instance)
    entry = {
        "action": HISTORY_ACTIONS.get(history_instance.history_type, history_instance.history_type),
        "object_type": instance._meta.label, "object_id": str(instance.pk), "history_model": model._meta.label,
        "project": ledger.project_code_of(instance), "reason": history_instance.history_change_reason or "",
        "actor": history_instance.history_user,
    }
    with transaction.atomic(using=using, savepoint=False):
        if connections[using].vendor != "postgresql":
            history_instance.save(using=using)
            instance._ledger_entry = ledger.append(digest=history_digest(history_instance),
                                                   history_id=history_instance.pk, **entry)
            return
        pk = model._meta.pk
        values = _row_values(history_instance)  # the primary key's slot is still empty
        row_id, digest, instance._ledger_entry = ledger.append_with_row(
            _insert_sql(history_instance, using), pk.column, _digest_around_id(model, values), using=using, **entry)
        setattr(history_instance, pk.attname, row_id)
        history_instance._state.adding, history_instance._state.db = False, using
        values[_pk_index(model)] = row_id
        if digest_values(history_fields(model), tuple(values)) != digest:  # as audit_verify will digest the row
            raise IntegrityError(f"audit: {model._meta.label} #{row_id} was digested differently by the database")


def _insert_sql(obj: models.Model, using: str) -> tuple[str, list[Any]]:
    """Django's own INSERT for one row, every column but the generated primary key. Its text is the same for
    every row of a model, so Django's compiler writes it once and the values are prepared as it would."""
    fields = _insert_fields(type(obj))
    values = [field.pre_save(obj, True) for field in fields]
    if any(hasattr(value, "resolve_expression") for value in values):  # e.g. a database default not yet read
        raise TypeError(f"{obj._meta.label}: a historical row is digested before it is written, so its values "
                        "must be plain values, not expressions")
    connection = connections[using]
    return (_plain_insert_sql(obj, using),
            [field.get_db_prep_save(value, connection) for field, value in zip(fields, values, strict=True)])


@functools.cache
def _insert_fields(model: type[models.Model]) -> tuple[models.Field, ...]:
    meta = model._meta
    return tuple(f for f in meta.local_concrete_fields if f is not meta.auto_field)


_INSERTS: dict[tuple[type[models.Model], str], str] = {}


def _plain_insert_sql(obj: models.Model, using: str) -> str:
    key = (type(obj), using)
    if key not in _INSERTS:
        query = InsertQuery(type(obj))
        query.insert_values(_insert_fields(type(obj)), [obj])
        [(sql, params)] = query.get_compiler(using=using).as_sql()
        if len(params) != len(_insert_fields(type(obj))):  # a field with a placeholder of its own
            raise TypeError(f"{obj._meta.label}: its INSERT cannot be reused from one row to the next")
        _INSERTS[key] = sql
    return _INSERTS[key]


_ID_SENTINEL = -1  # stands for the primary key until the database assigns it


def _digest_around_id(model: type[models.Model], values: list[Any]) -> tuple[str, str]:
    """The canonical JSON the row's digest covers, split where its primary key goes (names are unique, and a
    name's quotes inside a value would be escaped, so the split point is too)."""
    pk = model._meta.pk.attname
    values = [*values]
    values[_pk_index(model)] = _ID_SENTINEL
    text = canonical.encode(digest_payload(history_fields(model), tuple(values)))
    head, found, tail = text.partition(f'"{pk}":{_ID_SENTINEL}')
    if not found:
        raise IntegrityError(f"audit: cannot place the primary key in {model._meta.label}'s digest")
    return head + f'"{pk}":', tail


@functools.cache
def _pk_index(model: type[models.Model]) -> int:
    return [name for name, _ in history_fields(model)].index(model._meta.pk.attname)


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
        raise TypeError(f"{self.model.__name__}: bulk_update() bypasses the audit history; save each object")

    def bulk_create(self, *args: Any, **kwargs: Any) -> list:
        raise TypeError(f"{self.model.__name__}: bulk_create() bypasses the audit history; save each object")


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
        store_exact_decimals(self)
        with transaction.atomic(using=using, savepoint=False):
            super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using, savepoint=False):
            return super().delete(*args, **kwargs)


# 15 significant digits: SQLite keeps a decimal as a double, and Django reads it back rounded to 15
EXACT_DIGITS = 15


@functools.cache
def _decimal_fields(model: type[models.Model]) -> tuple[models.DecimalField, ...]:
    return tuple(f for f in model._meta.concrete_fields if isinstance(f, models.DecimalField))


def store_exact_decimals(instance: models.Model) -> None:
    """Every decimal of the row as the database will give it back, before it is written and digested: rounded
    to its places (half up, as PostgreSQL rounds), -0 as 0 (neither database keeps the sign). Otherwise the
    historical row would be digested with a value the database changes on the way in, and `audit_verify` would
    report that ordinary write as tampering, forever. A value neither database stores exactly is refused."""
    for field in _decimal_fields(type(instance)):
        value = getattr(instance, field.attname)
        if value is None or hasattr(value, "resolve_expression"):
            continue
        number, digits = field.to_python(value), min(field.max_digits, EXACT_DIGITS)
        bound = Decimal(10) ** (digits - field.decimal_places)
        if abs(number) < bound:
            number = number.quantize(Decimal(1).scaleb(-field.decimal_places), rounding=ROUND_HALF_UP)
        if abs(number) >= bound:
            raise ValidationError({field.name: [_("%(v)s 超出可精确保存的范围（%(n)d 位有效数字）。")
                                                % {"v": number, "n": digits}]})
        setattr(instance, field.attname, number.copy_abs() if number.is_zero() else number)


@functools.cache
def history_fields(history_model: type[models.Model]) -> list[tuple[str, int | None]]:
    """(attname, decimal places) of every concrete column of a historical model, sorted by name."""
    fields = []
    for field in sorted(history_model._meta.concrete_fields, key=lambda f: f.attname):
        places = field.decimal_places if isinstance(field, models.DecimalField) else None
        fields.append((field.attname, places))
    return fields


def digest_payload(fields: list[tuple[str, int | None]], values: tuple[Any, ...]) -> dict[str, Any]:
    """The row's non-null values by column name. Nulls are left out so that a nullable column added by a later
    migration (null in every older row) leaves the older rows' digests valid."""
    normalise, plain = canonical.normalise, canonical.PLAIN_TYPES
    return {name: value if type(value) in plain else normalise(value, places)
            for (name, places), value in zip(fields, values, strict=True) if value is not None}


def digest_values(fields: list[tuple[str, int | None]], values: tuple[Any, ...]) -> str:
    """SHA-256 of the row's canonical JSON (names already sorted)."""
    return hashlib.sha256(canonical.encode(digest_payload(fields, values)).encode("utf-8")).hexdigest()


@functools.cache
def _fields_by_attname(history_model: type[models.Model]) -> tuple[models.Field, ...]:
    by_attname = {field.attname: field for field in history_model._meta.concrete_fields}
    return tuple(by_attname[name] for name, _ in history_fields(history_model))


def _row_values(history_instance: models.Model) -> list[Any]:
    """The row's values in `history_fields` order, as the write side digests them."""
    return [field.to_python(getattr(history_instance, field.attname))
            for field in _fields_by_attname(type(history_instance))]


def history_digest(history_instance: models.Model) -> str:
    return digest_values(history_fields(type(history_instance)), tuple(_row_values(history_instance)))
