"""The inspector's timeline on PostgreSQL with 1,000,000 ledger entries: p50 and p95 of the first page (50 entries,
newest first, by keyset) under each of the five common filters — project, person, model, action, period — through
`audit.selectors.ledger_entries`, against a primary-key lookup of one entry in the same run, printed as ratios.
Goal: every filter's p95 under 50 ms.

The entries are generated in the database (INSERT ... SELECT generate_series) into a separate database
`jiaoyi_bench`, made and migrated by this script and reused by the next run. Their hashes do not chain (random
hex): a query bench reads columns, it does not verify; the append-only triggers refuse UPDATE and DELETE only.
Times rise with seq, as the ledger's own appends guarantee.

    .venv/bin/python bench/audit_query.py [--entries 1000000] [--runs 200]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jiaoyi_bench")
ACTIONS = ["update"] * 6 + ["create"] * 3 + ["delete", "login", "logout", "login_failed", "access_denied",
                                             "registration_list_viewed", "draw_input_sealed", "draw_completed"]
MODELS = ["trading.Project", "trading.Registration", "trading.Session", "trading.Attendance", "trading.Contract",
          "trading.Organisation", "trading.User", "lottery.DrawInput", "lottery.Draw", "evaluation.Bid",
          "evaluation.Score", "evaluation.Panel", "recordings.Recording", "archive.Dossier", "trading.Complaint"]
PROJECTS, PEOPLE, SPAN_DAYS = 5000, 800, 365


def setup(entries: int) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = BENCH_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    _create_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM audit_ledgerentry")
        have = cursor.fetchone()[0]
        if have < entries:
            started = time.perf_counter()
            _generate(cursor, have + 1, entries)
            cursor.execute("ANALYZE audit_ledgerentry")
            print(f"generated {entries - have:,} entries in {time.perf_counter() - started:.1f} s")


def _create_database() -> None:
    import psycopg

    admin_url, name = BENCH_URL.rsplit("/", 1)
    with psycopg.connect(f"{admin_url}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _generate(cursor, first: int, last: int) -> None:
    """Deterministic spread: actions and models from weighted arrays, projects and people by multiplicative
    hashing of seq, 10% of entries without a project (logins, denials), times one every SPAN_DAYS/N seconds."""
    step = SPAN_DAYS * 86400 / last
    cursor.execute(f"""
        INSERT INTO audit_ledgerentry (seq, at, actor_id, actor, role, ip, action, object_type, object_id,
                                       history_model, history_id, project, reason, data, digest, prev_hash, hash)
        SELECT s,
               timestamptz '2025-11-27 00:00:00+00' + make_interval(secs => s * {step}),
               1 + (s * 7919) %% {PEOPLE}, 'user' || (1 + (s * 7919) %% {PEOPLE}), 'agency', '10.0.0.1',
               (%(actions)s::text[])[1 + (s * 31) %% {len(ACTIONS)}],
               (%(models)s::text[])[1 + (s * 17) %% {len(MODELS)}], (s %% 100000)::text, '', NULL,
               CASE WHEN s %% 10 = 0 THEN '' ELSE 'GD-' || lpad((1 + (s * 104729) %% {PROJECTS})::text, 5, '0') END,
               '', NULL, md5(s::text) || md5(s::text || 'd'), md5((s - 1)::text) || md5((s - 1)::text || 'h'),
               md5(s::text) || md5(s::text || 'h')
        FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS s
    """, {"actions": ACTIONS, "models": MODELS, "first": first, "last": last})


def measure(runs: int) -> None:
    import datetime as dt

    from audit.models import LedgerEntry
    from audit.selectors import SHANGHAI, TimelineFilter, timeline_page

    top = LedgerEntry.objects.order_by("-seq").values_list("seq", flat=True).first()
    first_day = dt.date(2025, 11, 28)
    rng = random.Random(2026)
    cases = {
        "primary key": lambda: list(LedgerEntry.objects.filter(seq=rng.randint(1, top))),
        "project": lambda: timeline_page(TimelineFilter(project=f"GD-{rng.randint(1, PROJECTS):05d}")),
        "person": lambda: timeline_page(TimelineFilter(actor=str(rng.randint(1, PEOPLE)))),
        "model": lambda: timeline_page(TimelineFilter(model=rng.choice(MODELS))),
        "action": lambda: timeline_page(TimelineFilter(action=rng.choice(ACTIONS))),
        "period": lambda: _period_page(TimelineFilter, timeline_page, first_day, rng, SHANGHAI),
        # keyset: a page deep in the past costs what the first does
        "model, deep": lambda: timeline_page(TimelineFilter(model=rng.choice(MODELS)), before=rng.randint(1, top)),
    }
    times: dict[str, list[float]] = {name: [] for name in cases}
    for run in cases.values():  # warm the caches once
        run()
    for _ in range(runs):  # interleaved, so a slow moment of the machine hits every case alike
        for name, run in cases.items():
            started = time.perf_counter()
            run()
            times[name].append((time.perf_counter() - started) * 1000)
    base = statistics.median(times["primary key"])
    print(f"{LedgerEntry.objects.count():,} entries, {runs} runs each, first page of 50 newest first")
    print(f"{'filter':<12} {'p50 ms':>8} {'p95 ms':>8} {'p50/pk':>8} {'p95/pk':>8}  goal p95 < 50 ms")
    for name, values in times.items():
        p50, p95 = statistics.median(values), statistics.quantiles(values, n=20)[18]
        verdict = "" if name == "primary key" else ("ok" if p95 < 50 else "OVER")
        print(f"{name:<12} {p50:8.2f} {p95:8.2f} {p50 / base:8.1f} {p95 / base:8.1f}  {verdict}")


def _period_page(filter_cls, page, first_day, rng, tz):
    import datetime as dt

    day = first_day + dt.timedelta(days=rng.randint(0, SPAN_DAYS - 2))
    since = dt.datetime.combine(day, dt.time(), tzinfo=tz)
    return page(filter_cls(since=since, until=since + dt.timedelta(days=rng.randint(1, 30))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    setup(args.entries)
    measure(args.runs)


if __name__ == "__main__":
    main()
