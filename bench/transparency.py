"""The log's proofs at scale: a tree of 1,000,000 leaves (stored as the sequencer stores it: leaves and complete
subtrees), on SQLite and on PostgreSQL; the time to build an inclusion proof of a random leaf and a consistency
proof between two random sizes, against the baseline of reading one leaf by its position in the same run, and
the check of each proof by audit/logverify.py. Goal: an inclusion proof in at most 5 ms at 1,000,000 entries.

    .venv/bin/python bench/transparency.py [--leaves 1000000] [--proofs 500]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"


def _load(leaves: list[bytes], nodes: list, connection) -> None:
    from audit import merkle

    if connection.vendor == "postgresql":
        raw = connection.connection
        with raw.cursor() as cursor:
            with cursor.copy('COPY audit_leaf ("index", entry_seq, hash, sequenced_at) FROM STDIN') as copy:
                for index, leaf in enumerate(leaves):
                    copy.write_row((index, index + 1, leaf.hex(), "2026-12-02 00:00:00+00"))
            with cursor.copy("COPY audit_treenode (key, hash) FROM STDIN") as copy:
                for node, value in nodes:
                    copy.write_row((merkle.node_key(*node), value.hex()))
        raw.commit()
        return
    with connection.cursor() as cursor:
        cursor.executemany('INSERT INTO audit_leaf ("index", entry_seq, hash, sequenced_at) VALUES (%s, %s, %s, %s)',
                           [(i, i + 1, leaf.hex(), "2026-12-02 00:00:00") for i, leaf in enumerate(leaves)])
        cursor.executemany("INSERT INTO audit_treenode (key, hash) VALUES (%s, %s)",
                           [(merkle.node_key(*node), value.hex()) for node, value in nodes])


def child(count: int, proofs: int) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    from audit import logverify, merkle
    from audit.models import Leaf

    started = time.perf_counter()
    leaves = [hashlib.sha256(b"\x00" + i.to_bytes(8, "big")).digest() for i in range(count)]
    nodes, _ = merkle.extend(0, [], leaves)
    built = time.perf_counter() - started
    with transaction.atomic():
        _load(leaves, nodes, connection)
    loaded = time.perf_counter() - started - built
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE audit_leaf; ANALYZE audit_treenode")
    vendor = connection.vendor
    print(f"{vendor:10s} tree of {count:,} leaves: hashed in {built:.1f} s, stored in {loaded:.1f} s "
          f"({len(nodes):,} subtrees)")
    rng = random.Random(20261202)
    root = merkle.root(count)
    assert root == logverify.root_of(leaves)

    def timed(function, runs: int) -> list[float]:
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            function()
            times.append(time.perf_counter() - started)
        return times

    lookup = timed(lambda: Leaf.objects.filter(index=rng.randrange(count)).values_list("hash", flat=True).get(),
                   proofs)
    checked = 0

    def inclusion() -> None:
        nonlocal checked
        index = rng.randrange(count)
        path = merkle.inclusion_proof(index, count)
        logverify.verify_inclusion(index, count, leaves[index], path, root)
        checked += 1

    def consistency() -> None:
        first = rng.randrange(1, count)
        path = merkle.consistency_proof(first, count)
        logverify.verify_consistency(first, count, merkle.root(first), root, path)

    proof_times = timed(inclusion, proofs)
    consistency_times = timed(consistency, max(1, proofs // 5))
    median, base = statistics.median, statistics.median(lookup)

    def line(name: str, times: list[float]) -> None:
        q = statistics.quantiles(times, n=100) if len(times) > 1 else [times[0]] * 99
        print(f"{vendor:10s} {name:22s} median {median(times) * 1000:6.2f} ms   p99 {q[98] * 1000:6.2f} ms   "
              f"{median(times) / base:5.1f}× one leaf read")

    line("one leaf read", lookup)
    line("inclusion proof+check", proof_times)
    line("consistency proof+check", consistency_times)
    print(f"{vendor:10s} {checked} inclusion proofs checked against the root; goal ≤ 5 ms at 1,000,000")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--proofs", type=int, default=500)
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args.leaves, args.proofs)
        return
    command = [sys.executable, __file__, "--child", f"--leaves={args.leaves}", f"--proofs={args.proofs}"]
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "VAR_DIR": tmp, "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3"}
        subprocess.run(command, env=env, check=True)
        name = "jiaoyi_bench_tlog"
        subprocess.run(["psql", PG_ADMIN, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)
        subprocess.run(["psql", PG_ADMIN, "-qc", f"CREATE DATABASE {name}"], check=True)
        env = {**os.environ, "VAR_DIR": tmp, "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{name}"}
        try:
            subprocess.run(command, env=env, check=True)
        finally:
            subprocess.run(["psql", PG_ADMIN, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=False)


if __name__ == "__main__":
    main()
