"""Reading the ledger: filtered timelines and the diff of each change."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps
from django.db.models import QuerySet

from audit.models import LedgerEntry

FILTERS = ("project", "actor", "model", "action", "since", "until")


def ledger_entries(
    *, project: str = "", actor: str = "", model: str = "", action: str = "",
    since: dt.datetime | None = None, until: dt.datetime | None = None,
) -> QuerySet[LedgerEntry]:
    """Newest first. `actor` is a user name or id; `model` an app label like `trading.Project`."""
    qs = LedgerEntry.objects.all()
    if project:
        qs = qs.filter(project=project)
    if actor:
        qs = qs.filter(actor_id=int(actor)) if actor.isdigit() else qs.filter(actor=actor)
    if model:
        qs = qs.filter(object_type=model)
    if action:
        qs = qs.filter(action=action)
    if since:
        qs = qs.filter(at__gte=since)
    if until:
        qs = qs.filter(at__lt=until)
    return qs.order_by("-seq")


_SKIP = {"history_id", "history_date", "history_change_reason", "history_type", "history_user",
         "history_user_id", "history_ip", "history_role"}


def entry_diff(entry: LedgerEntry) -> list[dict[str, Any]]:
    """Field-by-field changes a history entry made: [{"field", "old", "new"}]; events have none."""
    if not entry.history_model or entry.history_id is None:
        return []
    try:
        model = apps.get_model(entry.history_model)
    except LookupError:
        return []
    record = model.objects.filter(pk=entry.history_id).first()
    if record is None:
        return []
    previous = record.prev_record
    changes = []
    for field in model._meta.concrete_fields:
        if field.name in _SKIP or field.attname in _SKIP:
            continue
        new = getattr(record, field.attname)
        old = getattr(previous, field.attname) if previous is not None else None
        if (previous is None and new in (None, "")) or (previous is not None and old == new):
            continue
        changes.append({"field": str(field.verbose_name), "name": field.attname, "old": _show(old), "new": _show(new)})
    return changes


def _show(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str | float):
        return value
    return str(value)
