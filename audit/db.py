"""Triggers that make the ledger and every history table append-only, on both databases. On PostgreSQL they are
ENABLE ALWAYS, so `session_replication_role = replica` does not switch them off; on SQLite (the embedded default)
BEFORE UPDATE and BEFORE DELETE triggers abort the statement (SQLite has no TRUNCATE). Real separation also needs
the application's role not to own the tables: see README, "Production"; whoever holds the SQLite file can drop a
trigger, which the published checkpoints and the live-row comparison of audit_verify then catch."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from django.apps import apps
from django.db import connections

FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit: % on % is not allowed: the audit history is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$;
"""
TRIGGER_NAMES = ("audit_no_update_delete", "audit_no_truncate")

# One ledger append in one round trip and without a lock: number the entry from a sequence, read the clock, hash
# and insert it, and queue it for the sequencer. The leaf hash is SHA-256(0x00 || the entry's canonical JSON
# array) (audit.canonical.entry_hash): Python sends the part after the time already encoded (`body`), the function
# adds the two values only the database knows; the caller recomputes the hash from the returned values and refuses
# a mismatch.
APPEND_FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION audit_log_append(
    body text, p_actor_id bigint, p_actor text, p_role text, p_ip text, p_action text,
    p_object_type text, p_object_id text, p_history_model text, p_history_id bigint, p_project text,
    p_reason text, p_data jsonb, p_digest text)
RETURNS TABLE(new_seq bigint, new_at timestamptz, new_hash text) LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    entry_seq bigint := nextval('audit_ledger_seq');
    now_at timestamptz := clock_timestamp();
    entry_hash text;
BEGIN
    entry_hash := encode(sha256('\\x00'::bytea || convert_to(
        '[' || entry_seq || ',' || (EXTRACT(EPOCH FROM now_at) * 1000000)::bigint || ',' || body || ']',
        'UTF8')), 'hex');
    INSERT INTO audit_ledgerentry (seq, at, actor_id, actor, role, ip, action, object_type, object_id,
        history_model, history_id, project, reason, data, digest, hash)
    VALUES (entry_seq, now_at, p_actor_id, p_actor, p_role, p_ip, p_action, p_object_type, p_object_id,
        p_history_model, p_history_id, p_project, p_reason, p_data, p_digest, entry_hash);
    INSERT INTO audit_pendingentry (entry_seq) VALUES (entry_seq);
    RETURN QUERY SELECT entry_seq, now_at, entry_hash;
END $$;
"""


def trigger_sql(table: str) -> list[str]:
    return [
        f'DROP TRIGGER IF EXISTS audit_no_update_delete ON "{table}"',
        f'CREATE TRIGGER audit_no_update_delete BEFORE UPDATE OR DELETE ON "{table}" '
        f"FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()",
        f'ALTER TABLE "{table}" ENABLE ALWAYS TRIGGER audit_no_update_delete',
        f'DROP TRIGGER IF EXISTS audit_no_truncate ON "{table}"',
        f'CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON "{table}" '
        f"FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()",
        f'ALTER TABLE "{table}" ENABLE ALWAYS TRIGGER audit_no_truncate',
    ]


def sqlite_trigger_sql(table: str) -> list[str]:
    statements = []
    for op in ("UPDATE", "DELETE"):
        name = f"audit_no_{op.lower()}_{table}"
        message = f"audit: {op} on {table} is not allowed: the audit history is append-only"
        statements.append(f'DROP TRIGGER IF EXISTS "{name}"')
        statements.append(f'CREATE TRIGGER "{name}" BEFORE {op} ON "{table}" BEGIN SELECT RAISE(ABORT, \'{message}\'); END')
    return statements


def protected_tables() -> list[str]:
    from audit.models import HistoricalBase, Leaf, LedgerEntry, RebasedDigest, TreeNode

    tables = [m._meta.db_table for m in (LedgerEntry, RebasedDigest, Leaf, TreeNode)]
    tables += [m._meta.db_table for m in apps.get_models() if issubclass(m, HistoricalBase)]
    return tables


def install_triggers(using: str = "default", tables: Iterable[str] | None = None) -> None:
    connection = connections[using]
    if connection.vendor not in ("postgresql", "sqlite"):
        return
    existing = set(connection.introspection.table_names())
    statements = trigger_sql if connection.vendor == "postgresql" else sqlite_trigger_sql
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(FUNCTION_SQL)
            cursor.execute(APPEND_FUNCTION_SQL)
        for table in tables or protected_tables():
            if table in existing:
                for sql in statements(table):
                    cursor.execute(sql)


def set_triggers_enabled(enabled: bool, using: str = "default") -> None:
    """Only for test teardown (flush); refused outside a test database."""
    connection = connections[using]
    in_memory = connection.vendor == "sqlite" and connection.is_in_memory_db()
    if not (in_memory or Path(str(connection.settings_dict["NAME"])).name.startswith(("test_", "test-"))):
        raise RuntimeError("audit triggers can be switched off only in a test database")
    if connection.vendor == "sqlite":
        if enabled:
            install_triggers(using)
        else:
            with connection.cursor() as cursor:
                for table in protected_tables():
                    for op in ("update", "delete"):
                        cursor.execute(f'DROP TRIGGER IF EXISTS "audit_no_{op}_{table}"')
        return
    if connection.vendor != "postgresql":
        return
    existing = set(connection.introspection.table_names())
    verb = "ENABLE ALWAYS" if enabled else "DISABLE"
    with connection.cursor() as cursor:
        for table in protected_tables():
            if table in existing:
                for name in TRIGGER_NAMES:
                    cursor.execute(f'ALTER TABLE "{table}" {verb} TRIGGER {name}')
