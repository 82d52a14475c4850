"""Appending to the one ledger, without a lock: each write numbers its entry, hashes it as a Merkle leaf and queues
it for the sequencer (audit/sequencer.py), in the transaction of the change it records. Concurrent transactions
never wait on each other here; the tree positions are given in order shortly after. On PostgreSQL the number (a
sequence), the clock, the hash and the two inserts are one prepared statement (audit/db.py); Python recomputes the
hash it answers and refuses a difference. On SQLite, writers are serialised by the database itself (BEGIN
IMMEDIATE), so the next number is the last one plus one."""

from __future__ import annotations

import datetime as dt
from typing import Any

import psycopg
from django.conf import settings
from django.db import IntegrityError, connections, router, transaction
from psycopg.types.json import Jsonb
from psycopg.types.numeric import Int8Dumper

from audit import canonical
from audit.models import LedgerEntry, PendingEntry
from core import context

_LEDGER = LedgerEntry._meta.db_table


def _next_sqlite(using: str) -> tuple[int, dt.datetime]:
    """SQLite: the next number and the clock (BEGIN IMMEDIATE already serialises writers)."""
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(seq), 0) + 1, strftime('%Y-%m-%d %H:%M:%f', 'now') FROM {_LEDGER}")  # noqa: S608
        seq, now = cursor.fetchone()
    return seq, dt.datetime.fromisoformat(now).replace(tzinfo=dt.UTC)  # UTC text


_APPEND_ARGS = (
    "{body}, %s::bigint, %s::text, %s::text, %s::text, %s::text, %s::text, %s::text, %s::text, "
    "{history_id}, %s::text, %s::text, %s::jsonb, {digest}"
)
_APPEND_SQL = ("SELECT new_seq, new_at, new_hash FROM audit_log_append("
               + _APPEND_ARGS.format(body="%s::text", history_id="%s::bigint", digest="%s::text") + ")")
# a historical row and its entry in one statement: the row's id, and so its digest, is known only once inserted
_APPEND_WITH_ROW_SQL = (
    "WITH h AS ({insert} RETURNING {pk} AS id), "
    "d AS (SELECT id, encode(sha256(convert_to(%s::text || id || %s::text, 'UTF8')), 'hex') AS digest FROM h) "
    "SELECT d.id, d.digest, a.new_seq, a.new_at, a.new_hash FROM d, LATERAL audit_log_append("
    + _APPEND_ARGS.format(body="%s::text || d.id || %s::text || d.digest || '\"'", history_id="d.id",
                          digest="d.digest") + ") a"
)
_BODY = canonical.ENTRY_FIELDS[2:]  # what follows the time in the hashed array
_BODY_HEAD = _BODY[:_BODY.index("history_id")]  # then history_id, project, reason, digest


def _entry(using: str, fields: dict[str, Any], row: tuple[Any, ...]) -> LedgerEntry:
    seq, at, entry_hash = row
    _check_hash(fields, row)
    entry = LedgerEntry(seq=seq, at=at, hash=entry_hash, **fields)
    entry._state.adding, entry._state.db = False, using
    return entry


def _check_hash(fields: dict[str, Any], row: tuple[Any, ...]) -> None:
    """The database and Python must hash alike: audit_verify recomputes every hash in Python."""
    seq, at, entry_hash = row
    if canonical.entry_hash(_values(seq, at, fields)) != entry_hash:
        raise IntegrityError(f"audit: entry {seq} was hashed differently by the database")


def _tail_params(fields: dict[str, Any]) -> list[Any]:
    data = fields["data"]
    return [fields["project"], fields["reason"], None if data is None else Jsonb(data)]


def _insert_postgresql(using: str, fields: dict[str, Any]) -> LedgerEntry:
    """Number, hash and insert in one round trip (audit/db.py)."""
    body = canonical.encode(tuple(fields[name] for name in _BODY))[1:-1]
    params = [body, *(fields[name] for name in _BODY_HEAD), fields["history_id"]]
    params += [*_tail_params(fields), fields["digest"]]
    return _entry(using, fields, _fetch_one(using, _APPEND_SQL, params))


def _fetch_one(using: str, sql: str, params: list[Any]) -> tuple[Any, ...]:
    """One append statement, bound server-side and prepared: its text is the same for every append (of a model),
    and parsing and planning it each time cost more than running it. Django's cursors bind client-side and cannot
    prepare, so this one cursor is psycopg's own, with Django's checks and error translation around it; it does
    not appear in `connection.queries` or pass through execute wrappers. Integers are always sent as int8, so
    that ids of different sizes share one prepared statement."""
    connection = connections[using]
    connection.validate_no_broken_transaction()
    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.adapters.register_dumper(int, Int8Dumper)
        cursor.execute(sql, params, prepare=True)
        return cursor.fetchone()


def _fields(
    *, action: str, digest: str = "", object_type: str = "", object_id: str = "", history_model: str = "",
    history_id: int | None = None, project: str = "", reason: str = "", data: Any = None, actor: Any = None,
    ip: str | None = None,
) -> dict[str, Any]:
    ctx = context.current()
    actor_id, actor_name, role = _actor_fields(actor if actor is not None else ctx.actor)
    return {
        "actor_id": actor_id, "actor": actor_name, "role": role, "ip": ctx.ip if ip is None else ip,
        "action": action[:64], "object_type": object_type, "object_id": str(object_id)[:64],
        "history_model": history_model, "history_id": history_id, "project": project or "",
        "reason": reason or ctx.reason or "", "data": data, "digest": digest,
    }


def _actor_fields(actor: Any) -> tuple[int | None, str, str]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None, "", ""
    return actor.pk, actor.get_username(), str(getattr(actor, "role", "") or "")


def append(*, action: str, digest: str, **kwargs: Any) -> LedgerEntry:
    """Append one entry (keyword arguments: the entry's fields, `actor` and `ip` defaulting to the context)."""
    fields = _fields(action=action, digest=digest, **kwargs)
    using = router.db_for_write(LedgerEntry)
    with transaction.atomic(using=using, savepoint=False):
        _sequence_after_commit(using)
        if connections[using].vendor == "postgresql":
            return _insert_postgresql(using, fields)
        seq, now = _next_sqlite(using)
        entry = LedgerEntry(seq=seq, at=now, **fields)
        entry.hash = canonical.entry_hash(entry_values(entry))
        entry.save(force_insert=True, using=using)
        PendingEntry.objects.using(using).create(entry_seq=seq)
    return entry


def append_with_row(
    insert: tuple[str, list[Any]], pk_column: str, digest_around_id: tuple[str, str], *, using: str,
    **kwargs: Any,
) -> tuple[int, str, LedgerEntry]:
    """PostgreSQL only: run `insert` (one row's INSERT, without RETURNING) and append the entry that records it,
    in one statement. The row's digest is SHA-256 of `head + id + tail`, the canonical JSON of the row split
    where its id goes. Answers the new row's id, its digest (which the caller checks against the row) and the
    entry."""
    fields = _fields(**kwargs)
    insert_sql, insert_params = insert
    quote = connections[using].ops.quote_name
    sql = _APPEND_WITH_ROW_SQL.format(insert=insert_sql, pk=quote(pk_column))
    head = canonical.encode(tuple(fields[name] for name in _BODY_HEAD))[1:-1] + ","
    middle = "," + canonical.encode((fields["project"], fields["reason"]))[1:-1] + ',"'
    params = [*insert_params, *digest_around_id, head, middle]
    params += [*(fields[name] for name in _BODY_HEAD), *_tail_params(fields)]
    with transaction.atomic(using=using, savepoint=False):  # a refused hash takes the row and entry with it
        _sequence_after_commit(using)
        row_id, digest, *appended = _fetch_one(using, sql, params)
        fields["history_id"], fields["digest"] = row_id, digest
        entry = _entry(using, fields, tuple(appended))
    return row_id, digest, entry


def entry_values(entry: LedgerEntry) -> tuple[Any, ...]:
    """What an entry's hash covers, in canonical.ENTRY_FIELDS order."""
    return _values(entry.seq, entry.at, {name: getattr(entry, name) for name in _BODY})


def _values(seq: int, at: dt.datetime, fields: dict[str, Any]) -> tuple[Any, ...]:
    return (seq, canonical.format_time(at), *(fields[name] for name in _BODY))


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
    data = canonical.as_stored(data)  # digest what the database will give back, not what was handed in
    entry = append(
        action=action, digest=event_digest(action, data), object_type=object_type, object_id=object_id,
        project=project, reason=reason, data=data, actor=actor,
    )
    if obj is not None:
        obj._ledger_entry = entry  # its latest entry, for a receipt (audit/receipts.py)
    return entry


def project_code_of(obj: Any) -> str:
    """The code of the project an object's entries are filed under. A model names the way to its project in
    `audit_project`, a dotted path of attributes ("session.project"; "" when the object is the project itself);
    a model without one belongs to no project, and so does an object whose path ends in nothing."""
    path = getattr(obj, "audit_project", None)
    if path is None:
        return ""
    target = obj
    for name in path.split(".") if path else ():
        target = getattr(target, name, None)
        if target is None:
            return ""
    return str(target.code or "")


def _sequence_after_commit(using: str) -> None:
    """Hand the transaction's entries to the sequencer once it commits (one callback per transaction, however many
    entries it writes): to this process's sequencer thread ("thread"), or at once in this thread ("commit")."""
    mode = settings.AUDIT_SEQUENCER
    if mode == "worker":
        return
    callback = _sequencer_callbacks.get((using, mode))
    if callback is None:
        from audit import sequencer

        run = sequencer.wake_thread if mode == "thread" else sequencer.sequence_pending
        callback = _sequencer_callbacks[(using, mode)] = lambda: run(using=using)
    if not any(item[1] is callback for item in connections[using].run_on_commit):
        transaction.on_commit(callback, using=using, robust=True)  # a failed batch must not fail the request


_sequencer_callbacks: dict[tuple[str, str], Any] = {}
