"""Appending to the one ledger. Every append takes the chain-head row lock first, so concurrent transactions
queue and never fork the chain; the time comes from the database clock after the lock is held, so time never
runs backwards along the chain."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connections, router, transaction

from audit import canonical, context
from audit.models import LedgerEntry

_LEDGER = LedgerEntry._meta.db_table
# the chain head's lock: a transaction-scoped advisory lock, so appends queue without rewriting a row each time
# (a head row updated thousands of times in one transaction grows a chain of dead versions on PostgreSQL)
_CHAIN_LOCK_KEY = 0x6A69_616F_7969  # "jiaoyi"
_NOW_SQL = {
    "postgresql": "clock_timestamp()",
    "sqlite": "strftime('%Y-%m-%d %H:%M:%f', 'now')",
}


def _lock_head(using: str) -> tuple[int, str, dt.datetime]:
    """Take the chain lock, then read the last entry in a new statement (so its snapshot sees the previous
    holder's commit) with the database clock. On SQLite, BEGIN IMMEDIATE already serialises writers."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # lock, last entry and clock in one round trip (audit/db.py)
            cursor.execute("SELECT last_seq, last_hash, now_at FROM audit_chain_head(%s)", [_CHAIN_LOCK_KEY])
            last_seq, prev_hash, now = cursor.fetchone()
            return last_seq + 1, prev_hash or canonical.GENESIS_HASH, now
        now_sql = _NOW_SQL[connection.vendor]
        cursor.execute(f"SELECT seq, hash, {now_sql} FROM {_LEDGER} ORDER BY seq DESC LIMIT 1")  # noqa: S608
        row = cursor.fetchone()
        if row is None:  # the first entry links to the genesis hash
            cursor.execute(f"SELECT {now_sql}")
            row = (0, canonical.GENESIS_HASH, cursor.fetchone()[0])
    last_seq, prev_hash, now = row
    if isinstance(now, str):  # SQLite answers text in UTC
        now = dt.datetime.fromisoformat(now).replace(tzinfo=dt.UTC)
    return last_seq + 1, prev_hash, now


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
    with transaction.atomic(using=using, savepoint=False):
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
