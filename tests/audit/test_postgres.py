"""PostgreSQL: the ledger refuses UPDATE, DELETE and TRUNCATE; concurrent appends never fork the chain."""

import threading

import pytest
from django.db import DatabaseError, IntegrityError, connection, connections, transaction

from audit import canonical, history, ledger
from audit.models import LedgerEntry
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
def test_four_threads_of_200_saves_give_one_gap_free_chain(on_postgres):
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
    seqs = list(LedgerEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
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
