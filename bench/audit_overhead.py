"""Cost of the audit history: saves of an audited model (django-simple-history row + ledger entry, in the same
transaction) against the same model without history, on SQLite and on PostgreSQL, as ratios; audit_verify's
rate in entries per second over 100,000 entries; and its comparison of 100,000 live rows with their last history
records, against merely reading both tables in the same run. Each database is fresh and made by this script.

    .venv/bin/python bench/audit_overhead.py [--saves 2000] [--entries 100000] [--live 100000] [--sequencer thread]

The saves run with the sequencer as AUDIT_SEQUENCER says (`--sequencer`, default `worker`: a request's own cost,
with the tree built by a process of its own, as in production; `thread` builds it in a thread of the same process,
which then shares the save's CPU and interpreter lock).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"


def child(saves: int, entries: int, live: int) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, models, transaction

    call_command("migrate", verbosity=0)
    from audit import ledger
    from audit.models import LedgerEntry
    from audit.verify import audited_models, verify_chain, verify_live
    from core import context
    from trading.models import Organisation

    class PlainOrganisation(models.Model):  # noqa: DJ008 - a bench table
        name = models.CharField(max_length=200)
        uscc = models.CharField(max_length=18, unique=True)
        kind = models.CharField(max_length=20)
        is_active = models.BooleanField(default=True)

        class Meta:
            app_label = "bench"

    with connection.schema_editor() as editor:
        editor.create_model(PlainOrganisation)
    system = context.system_user()
    audited = Organisation.objects.create(name="基准机构", uscc="91510100MA6C000017", kind="enterprise")
    plain = PlainOrganisation.objects.create(name="基准机构", uscc="91510100MA6C000017", kind="enterprise")

    def run(obj, n: int) -> float:
        started = time.perf_counter()
        for i in range(n):
            obj.name = f"基准机构{i}"
            obj.save()  # autocommit: one transaction per save, as in a request
        return time.perf_counter() - started

    # Interleaved blocks, so both kinds of save see the same moments of a noisy machine: the median of the
    # per-block ratios, and the median save time of each kind.
    block, blocks = 100, max(1, saves // 100)
    plain_times, audited_times = [], []
    with context.acting(system):
        run(plain, 50), run(audited, 50)  # warm up
        for _ in range(blocks):
            plain_times.append(run(plain, block) / block)
            audited_times.append(run(audited, block) / block)
    ratios = sorted(a / p for p, a in zip(plain_times, audited_times, strict=True))
    median = statistics.median
    vendor = connection.vendor
    print(f"{vendor:10s} plain save   {median(plain_times) * 1e6:8.0f} µs   (median of {blocks} blocks of {block})")
    print(f"{vendor:10s} audited save {median(audited_times) * 1e6:8.0f} µs   ratio {median(ratios):.2f}× "
          f"(goal ≤ 3×; blocks {ratios[0]:.2f}–{ratios[-1]:.2f}×)")
    if entries:
        with context.acting(system), transaction.atomic():
            for i in range(Organisation.objects.count(), live):  # the live rows, each with its history
                Organisation.objects.create(name=f"机构{i}", uscc=f"BENCH{i:013d}", kind="enterprise")
            while LedgerEntry.objects.count() < entries:
                for i in range(500):  # half history rows, half events, as in real use
                    audited.name = f"链{i}"
                    audited.save()
                    ledger.record_event("bench_event", project="BENCH", data={"i": i})
        from audit import sequencer

        sequencer.sequence_pending()  # the tree complete, as a sequencer process would have left it
        count = LedgerEntry.objects.count()
        started = time.perf_counter()
        result = verify_chain(live=False)
        elapsed = time.perf_counter() - started
        assert result.ok, result.problem
        print(f"{vendor:10s} audit_verify {count:,} entries in {elapsed:.2f} s = {count / elapsed:,.0f} entries/s "
              f"(goal ≥ 50,000/s)")
        started = time.perf_counter()
        compared, differences = verify_live()
        checked = time.perf_counter() - started
        assert not differences, differences
        started = time.perf_counter()
        with connection.cursor() as cursor:  # the baseline: read every live and history row, compare nothing
            for live_model, history_model in audited_models():
                for table in (live_model._meta.db_table, history_model._meta.db_table):
                    cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
                    cursor.fetchall()
        baseline = time.perf_counter() - started
        print(f"{vendor:10s} live rows    {compared:,} compared in {checked:.2f} s = {compared / checked:,.0f} rows/s, "
              f"{checked / baseline:.2f}× reading both tables ({baseline:.2f} s)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--saves", type=int, default=2000)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--live", type=int, default=100_000)
    parser.add_argument("--sequencer", default="worker", choices=["worker", "thread", "commit"])
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    os.environ["AUDIT_SEQUENCER"] = args.sequencer
    if args.child:
        child(args.saves, args.entries, args.live)
        return
    python = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "VAR_DIR": tmp, "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3"}
        subprocess.run([python, __file__, "--child", f"--saves={args.saves}", f"--entries={args.entries}", f"--live={args.live}"],
                       env=env, check=True)
        name = "jiaoyi_bench_audit"
        subprocess.run(["psql", PG_ADMIN, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)
        subprocess.run(["psql", PG_ADMIN, "-qc", f"CREATE DATABASE {name}"], check=True)
        env = {**os.environ, "VAR_DIR": tmp, "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{name}"}
        try:
            subprocess.run([python, __file__, "--child", f"--saves={args.saves}", f"--entries={args.entries}", f"--live={args.live}"],
                           env=env, check=True)
        finally:
            subprocess.run(["psql", PG_ADMIN, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=False)


if __name__ == "__main__":
    main()
