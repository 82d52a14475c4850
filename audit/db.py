"""PostgreSQL triggers that make the ledger and every history table append-only. They are ENABLE ALWAYS, so
`session_replication_role = replica` does not switch them off. (Real separation also needs the application's
role not to own the tables: see README, "Production".)"""

from __future__ import annotations

from collections.abc import Iterable

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

# The chain head in one round trip: take the chain lock, then read the last entry and the clock. A VOLATILE
# PL/pgSQL function takes a fresh snapshot for each statement, so the read after the lock sees the previous
# holder's commit (one SELECT carrying both would read with a snapshot taken before the lock was granted).
HEAD_FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION audit_chain_head(lock_key bigint)
RETURNS TABLE(last_seq bigint, last_hash text, now_at timestamptz) LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key);
    RETURN QUERY SELECT e.seq::bigint, e.hash::text, clock_timestamp() FROM audit_ledgerentry e
        ORDER BY e.seq DESC LIMIT 1;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 0::bigint, NULL::text, clock_timestamp();
    END IF;
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


def protected_tables() -> list[str]:
    from audit.models import HistoricalBase, LedgerEntry

    tables = [LedgerEntry._meta.db_table]
    tables += [m._meta.db_table for m in apps.get_models() if issubclass(m, HistoricalBase)]
    return tables


def install_triggers(using: str = "default", tables: Iterable[str] | None = None) -> None:
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        cursor.execute(FUNCTION_SQL)
        cursor.execute(HEAD_FUNCTION_SQL)
        for table in tables or protected_tables():
            if table in existing:
                for sql in trigger_sql(table):
                    cursor.execute(sql)


def set_triggers_enabled(enabled: bool, using: str = "default") -> None:
    """Only for test teardown (flush); refused outside a test database."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    if not str(connection.settings_dict["NAME"]).startswith("test_"):
        raise RuntimeError("audit triggers can be switched off only in a test database")
    existing = set(connection.introspection.table_names())
    verb = "ENABLE ALWAYS" if enabled else "DISABLE"
    with connection.cursor() as cursor:
        for table in protected_tables():
            if table in existing:
                for name in TRIGGER_NAMES:
                    cursor.execute(f'ALTER TABLE "{table}" {verb} TRIGGER {name}')
