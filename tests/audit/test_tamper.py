"""Tampering below the application (raw SQL on the SQLite file; on PostgreSQL as the tables' owner with the
append-only triggers switched off) is caught and named."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from audit import canonical, checkpoints, ledger, merkle, sequencer, verify
from audit.db import set_triggers_enabled
from audit.models import Leaf, LedgerEntry, PendingEntry
from audit.verify import verify_chain
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("chain_broken_on_purpose")]


@pytest.fixture
def chain():
    for n in range(6):
        factories.organisation(name=f"机构{n}")
    sequencer.sequence_pending()
    set_triggers_enabled(False)  # the owner's power; rolled back with the test's transaction


def _verify_fails_at(seq: int | None, *, checkpoint: bool = False) -> str:
    with pytest.raises(CommandError) as excinfo:
        call_command("audit_verify", "--quiet", *(() if checkpoint else ("--no-checkpoint",)))
    if seq is not None:
        assert f"entry {seq}" in str(excinfo.value)
    return str(excinfo.value)


def _nth(n: int) -> int:
    """The n-th entry's number (PostgreSQL's sequence is not rolled back between tests)."""
    return LedgerEntry.objects.order_by("seq").values_list("seq", flat=True)[n - 1]


def _execute(sql: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def test_editing_one_ledger_field_is_caught(chain):
    _execute("UPDATE audit_ledgerentry SET reason = 'x' WHERE seq = %s", [_nth(3)])
    assert "hash" in _verify_fails_at(_nth(3))


def test_deleting_a_middle_entry_is_caught(chain):
    seq = _nth(4)
    _execute("DELETE FROM audit_ledgerentry WHERE seq = %s", [seq])
    assert "not in the ledger" in _verify_fails_at(seq)


def test_deleting_an_entry_still_waiting_for_the_tree_is_caught(chain):
    factories.organisation(name="新机构")
    seq = LedgerEntry.objects.order_by("-seq").values_list("seq", flat=True).first()
    _execute("DELETE FROM audit_ledgerentry WHERE seq = %s", [seq])
    assert "waits for the tree but is not in the ledger" in _verify_fails_at(seq)


def test_an_entry_forged_far_beyond_the_last_with_a_right_hash_is_caught(chain):
    """Walking the gap to seq 10^15 range by range would never end: the walk jumps holes; and an entry that
    hashes right but was never handed to the tree is named."""
    forged = LedgerEntry.objects.get(seq=_nth(2))
    forged.seq = 10**15
    forged.hash = canonical.entry_hash(ledger.entry_values(forged))
    forged.save(force_insert=True)
    assert "neither in the tree nor waiting" in _verify_fails_at(10**15)


def test_a_leaf_that_names_another_entry_is_caught(chain):
    _execute("UPDATE audit_leaf SET hash = (SELECT hash FROM audit_ledgerentry WHERE seq = %s) WHERE entry_seq = %s",
             [_nth(5), _nth(2)])
    assert "does not hold the hash" in _verify_fails_at(_nth(2))


def test_a_changed_subtree_hash_is_caught(chain):
    _execute("UPDATE audit_treenode SET hash = %s WHERE key = %s", ["0" * 64, merkle.node_key(1, 0)])
    assert "subtree 0 at height 1" in _verify_fails_at(None)


def test_editing_a_historical_row_is_caught(chain):
    with connection.cursor() as cursor:
        cursor.execute("SELECT seq, history_id FROM audit_ledgerentry WHERE history_model = "
                       "'trading.HistoricalOrganisation' ORDER BY seq LIMIT 1 OFFSET 2")
        seq, history_id = cursor.fetchone()
        cursor.execute("UPDATE trading_historicalorganisation SET name = '篡改' WHERE history_id = %s", [history_id])
    assert "changed" in _verify_fails_at(seq)


def _cut_last_entry() -> None:
    """What a thorough owner does to remove the last entry: its leaf, the subtrees it completed, the entry."""
    size = merkle.tree_size()
    last = Leaf.objects.get(index=size - 1)
    completed = [merkle.node_key(level, (size - 1) >> level) for level in range(1, size.bit_length() + 1)
                 if size % (1 << level) == 0]
    _execute(f"DELETE FROM audit_treenode WHERE key IN ({','.join(map(str, completed)) or 'NULL'})")  # noqa: S608
    _execute("DELETE FROM audit_leaf WHERE entry_seq = %s", [last.entry_seq])
    _execute("DELETE FROM audit_ledgerentry WHERE seq = %s", [last.entry_seq])


def test_truncating_the_tail_after_a_checkpoint_is_caught(chain):
    checkpoints.publish("test")
    _cut_last_entry()
    assert verify_chain(live=False, checkpoint=None).ok is False  # the signed checkpoint row still counts
    assert "the log was cut" in _verify_fails_at(None, checkpoint=True)


def test_rewriting_an_entry_and_rebuilding_the_whole_tree_is_caught_by_the_signed_checkpoint(chain):
    checkpoints.publish("test")
    entry = LedgerEntry.objects.get(seq=_nth(3))
    entry.reason = "改写"
    new_hash = canonical.entry_hash(ledger.entry_values(entry))
    _execute("UPDATE audit_ledgerentry SET reason = %s, hash = %s WHERE seq = %s", ["改写", new_hash, entry.seq])
    _execute("UPDATE audit_leaf SET hash = %s WHERE entry_seq = %s", [new_hash, entry.seq])
    _execute("DELETE FROM audit_treenode")
    leaves = [bytes.fromhex(h) for h in Leaf.objects.order_by("index").values_list("hash", flat=True)]
    nodes, _ = merkle.extend(0, [], leaves)
    merkle.save_nodes(nodes)
    assert "the log was rewritten" in _verify_fails_at(None, checkpoint=True)


@pytest.mark.django_db(transaction=True)
def test_the_parallel_check_finds_a_changed_historical_row_like_the_serial_one(chain_broken_on_purpose):
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


def test_an_entry_written_in_later_and_dated_back_before_a_checkpoint_is_caught(chain, settings):
    """An insider with INSERT on the ledger adds an entry dated an hour ago, after a checkpoint that could not
    have contained it: the sequencer places it after the checkpoint, where its time cannot be."""
    set_triggers_enabled(True)
    checkpoints.publish("test")
    back_dated = LedgerEntry.objects.get(seq=_nth(2))
    back_dated.seq = _nth(6) + 1000
    back_dated.at = back_dated.at - dt.timedelta(hours=1)
    back_dated.hash = canonical.entry_hash(ledger.entry_values(back_dated))
    back_dated.save(force_insert=True)
    PendingEntry.objects.create(entry_seq=back_dated.seq)
    sequencer.sequence_pending()
    assert "back-dated" in _verify_fails_at(back_dated.seq)


def test_a_verification_while_entries_are_written_and_sequenced_stays_within_its_snapshot(chain, monkeypatch):
    """What is written or sequenced after the check began is left for the next run, never reported broken: here
    entries are written and sequenced, and a checkpoint signed, between the walk of the entries and the tree's."""
    set_triggers_enabled(True)
    check_history = verify._check_history

    def write_meanwhile(*args, **kwargs):
        for n in range(9):
            ledger.record_event("note", data={"n": n})
        sequencer.sequence_batch(limit=5)
        checkpoints.publish("meanwhile")
        ledger.record_event("note", data={"n": "pending"})
        return check_history(*args, **kwargs)

    monkeypatch.setattr(verify, "_check_history", write_meanwhile)
    result = verify_chain(live=False, parallel=False)
    assert result.ok, result.problem
