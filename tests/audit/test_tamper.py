"""Tampering below the application (raw SQL on the SQLite file; on PostgreSQL as the tables' owner with the
append-only triggers switched off) is caught and named."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from audit import checkpoints
from audit.db import set_triggers_enabled
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("chain_broken_on_purpose")]


@pytest.fixture
def chain():
    for n in range(6):
        factories.organisation(name=f"机构{n}")
    set_triggers_enabled(False)  # the owner's power; rolled back with the test's transaction


def _verify_fails_at(seq: int) -> str:
    with pytest.raises(CommandError) as excinfo:
        call_command("audit_verify", "--quiet", "--no-checkpoint")
    assert f"entry {seq}" in str(excinfo.value)
    return str(excinfo.value)


def test_editing_one_ledger_field_is_caught(chain):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_ledgerentry SET reason = 'x' WHERE seq = 3")
    assert "hash" in _verify_fails_at(3)


def test_deleting_a_middle_entry_is_caught(chain):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_ledgerentry WHERE seq = 4")
    assert "missing" in _verify_fails_at(4)


def test_an_entry_forged_far_beyond_the_head_is_caught_at_once(chain):
    """Walking the gap to seq 10^15 range by range would never end: the walk jumps holes."""
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO audit_ledgerentry (seq, at, actor_id, actor, role, ip, action, object_type, "
                       "object_id, history_model, history_id, project, reason, data, digest, prev_hash, hash) "
                       "SELECT 1000000000000000, at, actor_id, actor, role, ip, action, object_type, object_id, "
                       "history_model, history_id, project, reason, data, digest, prev_hash, 'forged' "
                       "FROM audit_ledgerentry WHERE seq = 2")
        cursor.execute("SELECT MAX(seq) FROM audit_ledgerentry WHERE seq < 1000000000000000")
        head = cursor.fetchone()[0]
    assert "missing" in _verify_fails_at(head + 1)


def test_editing_a_historical_row_is_caught(chain):
    with connection.cursor() as cursor:
        cursor.execute("SELECT seq, history_id FROM audit_ledgerentry WHERE history_model = "
                       "'trading.HistoricalOrganisation' ORDER BY seq LIMIT 1 OFFSET 2")
        seq, history_id = cursor.fetchone()
        cursor.execute("UPDATE trading_historicalorganisation SET name = '篡改' WHERE history_id = %s", [history_id])
    assert "changed" in _verify_fails_at(seq)


def test_truncating_the_tail_after_a_checkpoint_is_caught(chain):
    checkpoint = checkpoints.publish("test")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_ledgerentry WHERE seq = %s", [checkpoint.seq])
    with pytest.raises(CommandError, match="published"):
        call_command("audit_verify", "--quiet")


@pytest.mark.django_db(transaction=True)
def test_the_parallel_check_finds_a_changed_historical_row_like_the_serial_one(chain_broken_on_purpose):
    from audit.verify import verify_chain

    for n in range(6):
        factories.organisation(name=f"并行{n}")
    assert verify_chain(parallel=True).ok
    set_triggers_enabled(False)
    try:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE trading_historicalorganisation SET name = '篡改' WHERE name = '并行3'")
    finally:
        set_triggers_enabled(True)
    serial, parallel = verify_chain(parallel=False), verify_chain(parallel=True)
    assert not parallel.ok and (parallel.broken_seq, parallel.problem) == (serial.broken_seq, serial.problem)
    assert "changed" in parallel.problem
