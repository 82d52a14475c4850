"""PostgreSQL: the ledger refuses UPDATE, DELETE and TRUNCATE; concurrent appends never fork the chain."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import DatabaseError, IntegrityError, connection, connections, transaction

from audit import canonical, history, ledger, sequencer
from audit.models import Leaf, LedgerEntry, PendingEntry
from audit.verify import verify_chain
from core import context
from tests import factories
from trading.models import Organisation

pytestmark = [pytest.mark.postgres]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_ledgerentry SET reason = 'x'",
        "DELETE FROM audit_ledgerentry",
        "TRUNCATE audit_ledgerentry",
        "UPDATE trading_historicalorganisation SET name = 'x'",
        "DELETE FROM trading_historicalorganisation",
        "TRUNCATE trading_historicalorganisation",
    ],
)
def test_the_application_connection_cannot_rewrite_history(on_postgres, sql):
    factories.organisation()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql)


@pytest.mark.django_db
def test_triggers_stay_on_under_replica_role(on_postgres):
    factories.organisation()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute("DELETE FROM audit_ledgerentry")


@pytest.mark.django_db(transaction=True)
def test_four_threads_of_200_saves_lose_no_entry_and_sequence_into_one_tree(on_postgres):
    admin = factories.user("admin")
    orgs = [factories.organisation(name=f"并发{n}") for n in range(4)]
    start = LedgerEntry.objects.count()
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def work(org_id: int) -> None:
        try:
            barrier.wait()
            with context.acting(admin):
                org = Organisation.objects.get(pk=org_id)
                for n in range(200):
                    org.name = f"并发{org_id}-{n}"
                    org.save()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(org.pk,)) for org in orgs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert LedgerEntry.objects.count() - start == 800
    sequencer.sequence_pending()
    leaves = list(Leaf.objects.order_by("index").values_list("index", "entry_seq"))
    assert [index for index, _ in leaves] == list(range(len(leaves)))
    assert sorted(seq for _, seq in leaves) == sorted(LedgerEntry.objects.values_list("seq", flat=True))
    result = verify_chain()
    assert result.ok, result.problem


@pytest.mark.django_db(transaction=True)
def test_a_row_the_database_digests_differently_rolls_back_with_its_entry(on_postgres, monkeypatch):
    """The statement that writes a historical row and its entry hashes in SQL; Python re-checks the digest. A
    mismatch (a fault that cannot be caused for real: the database would have to disagree with Python's JSON)
    must leave neither the change, the row nor the entry behind."""
    org = factories.organisation(name="原名")
    entries, rows = LedgerEntry.objects.count(), org.history.count()
    monkeypatch.setattr(history, "_digest_around_id", lambda model, values: ('{"x":', "}"))
    with pytest.raises(IntegrityError, match="digested differently"):
        org.name = "改名"
        org.save()
    assert (LedgerEntry.objects.count(), org.history.count()) == (entries, rows)
    assert Organisation.objects.get(pk=org.pk).name == "原名"


@pytest.mark.django_db(transaction=True)
def test_an_entry_the_database_hashes_differently_is_refused(on_postgres, monkeypatch):
    class ClockOneMicrosecondOff:  # Python now reads the database's time differently from the database
        def __getattr__(self, name):
            return getattr(canonical, name)

        @staticmethod
        def format_time(value):
            return canonical.format_time(value) + 1

    entries = LedgerEntry.objects.count()
    with monkeypatch.context() as patch:
        patch.setattr(ledger, "canonical", ClockOneMicrosecondOff())
        with pytest.raises(IntegrityError, match="hashed differently"):
            factories.organisation()
        with pytest.raises(IntegrityError, match="hashed differently"):
            ledger.record_event("bench_event", data={})
    assert LedgerEntry.objects.count() == entries
    assert verify_chain().ok


def _pending_entries(count: int) -> None:
    for n in range(count):
        ledger.record_event("note", data={"n": n})


def _assert_every_entry_once_in_order() -> None:
    leaves = list(Leaf.objects.order_by("index").values_list("index", "entry_seq"))
    assert [index for index, _ in leaves] == list(range(len(leaves)))
    assert [seq for _, seq in leaves] == sorted(LedgerEntry.objects.values_list("seq", flat=True))
    assert not PendingEntry.objects.exists()
    assert verify_chain().ok


@pytest.mark.django_db(transaction=True)
def test_two_sequencers_started_at_once_give_each_entry_one_position(on_postgres, settings):
    settings.AUDIT_SEQUENCER = "worker"  # nothing sequences on commit: both sequencers find the whole backlog
    _pending_entries(300)
    barrier = threading.Barrier(2)
    done: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            while PendingEntry.objects.exists():
                done.append(sequencer.sequence_batch(limit=25))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(done) == 300
    _assert_every_entry_once_in_order()


@pytest.mark.django_db(transaction=True)
def test_a_sequencer_killed_mid_batch_loses_and_doubles_nothing(on_postgres, settings):
    """The sequencer process is stopped dead (SIGKILL) while its batch is written: the test holds the next leaf
    position in an open transaction, so the batch waits there, half inserted, when it is killed."""
    settings.AUDIT_SEQUENCER = "worker"
    _pending_entries(40)
    blocker = connections.create_connection("default")
    blocker.set_autocommit(False)
    with blocker.cursor() as cursor:  # an uncommitted leaf at position 0 makes the sequencer's insert wait on it
        cursor.execute("INSERT INTO audit_leaf (\"index\", entry_seq, hash, sequenced_at) "
                       "VALUES (0, -1, %s, now())", ["0" * 64])
    database = connection.settings_dict
    url = (f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/"
           f"{database['NAME']}")
    process = subprocess.Popen([sys.executable, "manage.py", "audit_sequencer"], cwd=Path(__file__).parents[2],
                               env={**os.environ, "DATABASE_URL": url}, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        _wait_for_lock_wait(database["NAME"])
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
    finally:
        blocker.rollback()
        blocker.close()
    assert not Leaf.objects.exists() and PendingEntry.objects.count() == 40
    _wait_until_sequenced(40)
    _assert_every_entry_once_in_order()


def _wait_for_lock_wait(name: str) -> None:
    """Until the sequencer's INSERT is seen waiting for the blocker's lock (a real process: no clock to move)."""
    with connection.cursor() as cursor:
        for _ in range(600):
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock' "
                           "AND query LIKE 'INSERT INTO \"audit_leaf\"%%'", [name])
            if cursor.fetchone()[0]:
                return
            time.sleep(0.1)
    raise AssertionError("the sequencer never reached its insert")


def _wait_until_sequenced(count: int) -> None:
    """The killed sequencer's server process ends once it finds its client gone, releasing the lock it held."""
    for _ in range(600):
        if sequencer.sequence_pending() or Leaf.objects.count() == count:
            if Leaf.objects.count() == count:
                return
        time.sleep(0.1)
    raise AssertionError("the entries were never sequenced after the kill")
