"""Appending to the one ledger. Every append takes the chain-head row lock first, so concurrent transactions
queue and never fork the chain; the time comes from the database clock after the lock is held, so time never
runs backwards along the chain."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connections, router, transaction

from audit import canonical, context
from audit.models import ChainHead, LedgerEntry

_HEAD = ChainHead._meta.db_table
_NOW_SQL = {
    "postgresql": "clock_timestamp()",
    "sqlite": "strftime('%Y-%m-%d %H:%M:%f', 'now')",
}


def _lock_head(using: str) -> tuple[int, str, dt.datetime]:
    connection = connections[using]
    now_sql = _NOW_SQL[connection.vendor]
    sql = f"UPDATE {_HEAD} SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash, {now_sql}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
        if row is None:  # a fresh or flushed database: the genesis head, then try again
            cursor.execute(
                f"INSERT INTO {_HEAD} (id, seq, hash) VALUES (1, 0, %s) ON CONFLICT (id) DO NOTHING",  # noqa: S608
                [canonical.GENESIS_HASH],
            )
            cursor.execute(sql)
            row = cursor.fetchone()
    seq, prev_hash, now = row
    if isinstance(now, str):  # SQLite answers text in UTC
        now = dt.datetime.fromisoformat(now).replace(tzinfo=dt.UTC)
    return seq, prev_hash, now


def _actor_fields(actor: Any) -> tuple[int | None, str, str]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None, "", ""
    return actor.pk, actor.get_username(), str(getattr(actor, "role", "") or "")


def append(
    *,
    action: str,
    digest: str,
    object_type: str = "",
    object_id: str = "",
    history_model: str = "",
    history_id: int | None = None,
    project: str = "",
    reason: str = "",
    data: Any = None,
    actor: Any = None,
    ip: str | None = None,
) -> LedgerEntry:
    ctx = context.current()
    actor = actor if actor is not None else ctx.actor
    actor_id, actor_name, role = _actor_fields(actor)
    using = router.db_for_write(LedgerEntry)
    with transaction.atomic(using=using):
        seq, prev_hash, now = _lock_head(using)
        entry = LedgerEntry(
            seq=seq, at=now, actor_id=actor_id, actor=actor_name, role=role,
            ip=ctx.ip if ip is None else ip, action=action[:64], object_type=object_type,
            object_id=str(object_id)[:64], history_model=history_model, history_id=history_id,
            project=project or "", reason=reason or ctx.reason or "", data=data, digest=digest,
            prev_hash=prev_hash,
        )
        entry.hash = canonical.entry_hash(entry_values(entry))
        entry.save(force_insert=True, using=using)
        with connections[using].cursor() as cursor:
            cursor.execute(f"UPDATE {_HEAD} SET hash = %s WHERE id = 1", [entry.hash])  # noqa: S608
    return entry


def entry_values(entry: LedgerEntry) -> tuple[Any, ...]:
    return (
        entry.seq, canonical.format_time(entry.at), entry.actor_id, entry.actor, entry.role, entry.ip,
        entry.action, entry.object_type, entry.object_id, entry.history_model, entry.history_id,
        entry.project, entry.reason, entry.digest, entry.prev_hash,
    )


def event_digest(action: str, data: Any) -> str:
    return canonical.sha256_json({"action": action, "data": data})


def record_event(
    action: str,
    *,
    obj: Any = None,
    project: str = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
    actor: Any = None,
) -> LedgerEntry:
    """Record something that is not a row change (a login, a denied request, a read of a sealed list, a draw
    step). `data` must be JSON; it is kept in the entry and covered by its digest."""
    object_type = object_id = ""
    if obj is not None:
        object_type = obj._meta.label
        object_id = str(obj.pk)
        project = project or project_code_of(obj)
    return append(
        action=action, digest=event_digest(action, data), object_type=object_type, object_id=object_id,
        project=project, reason=reason, data=data, actor=actor,
    )


def project_code_of(obj: Any) -> str:
    """Models name the project they belong to with an `audit_project_code` property (or attribute)."""
    code = getattr(obj, "audit_project_code", "")
    return str(code or "")


def head() -> tuple[int, str]:
    last = LedgerEntry.objects.order_by("-seq").values_list("seq", "hash").first()
    return last if last else (0, canonical.GENESIS_HASH)
