"""Concurrent registrations against a real server: gunicorn with 2 worker processes on 127.0.0.1, production
settings (DEBUG=0) on PostgreSQL, token-authenticated clients each on its own keep-alive connection. The same
number of requests at the same concurrency against /healthz (no database) in the same run is the baseline.

    .venv/bin/python bench/registration_burst.py [--enterprises 400] [--projects 8] [--clients 16]

Prints throughput, p50 and p99 of both and the ratio of throughputs. Goal: registrations reach at
least 25% of the trivial view's throughput. Uses its own database (jiaoyi_bench_reg), recreated every run.
The ledger runs as in production: requests write their entries without a lock (AUDIT_SEQUENCER=worker) and one
`manage.py audit_sequencer --loop` process gives them tree positions; the delay from an entry's writing to its
position (p50, p99) is printed too. So does the task queue: with `--broker` (default the machine's Redis, db 12)
the servers hand side effects (the registration receipt's inbox row and mail) to one Celery worker process, as a
centre running at this scale would; `--broker ""` runs them in the request after commit, as `make run` does.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DB_NAME = "jiaoyi_bench_reg"
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def recreate_database() -> str:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    return f"{PG}/{DB_NAME}"


def prepare(url: str, *, enterprises: int, projects: int) -> list[tuple[str, str, dict]]:
    """Migrate, then create the projects and enterprises; returns (path, token, body) per registration."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    from tests import factories

    call_command("migrate", verbosity=0)
    agency = factories.agency_user()
    codes = [factories.fixed_price_project(agency=agency, title=f"压力测试项目{n}").code for n in range(projects)]
    plan = []
    for n in range(enterprises):
        _, user = factories.enterprise_with_licences(f"压测企业{n:04d}")
        token = Token.objects.create(user=user).key
        body = {"manager_name": f"经理{n}", "manager_certificate": f"川25{n:09d}", "acknowledge_notice": True}
        plan.append((f"/api/projects/{codes[n % projects]}/registrations", token, body))
    return plan


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def production_env(url: str, broker: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": url, "DEBUG": "0", "SECRET_KEY": SECRET_KEY, "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0", "CONN_MAX_AGE": "60", "AUDIT_SEQUENCER": "worker",
            "CELERY_BROKER_URL": broker, "CELERY_QUEUE": "bench-registration"}


SECRET_KEY = secrets.token_urlsafe(50)


def start_server(url: str, port: int, broker: str) -> subprocess.Popen:
    env = production_env(url, broker)
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "config.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}",
         "--log-level", "warning"], cwd=ROOT, env=env)
    for _ in range(200):
        try:
            conn = HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("gunicorn did not answer /healthz")


def start_sequencer(url: str, broker: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "manage.py", "audit_sequencer", "--loop"], cwd=ROOT,
                            env=production_env(url, broker), stdout=subprocess.DEVNULL)


def start_worker(url: str, broker: str) -> subprocess.Popen | None:
    if not broker:
        return None
    import redis

    redis.Redis.from_url(broker).delete("bench-registration")  # no messages of an earlier run
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "bench-registration", "-c", "1",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "warning"],
        cwd=ROOT, env=production_env(url, broker))


def sequencing_delays(since) -> list[float]:
    """Seconds from each entry's writing (the database clock) to its tree position, for entries since `since`."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT EXTRACT(EPOCH FROM l.sequenced_at - e.at) FROM audit_leaf l "
                       "JOIN audit_ledgerentry e ON e.seq = l.entry_seq WHERE e.at >= %s", [since])
        return [float(row[0]) for row in cursor.fetchall()]


def burst(port: int, requests: list[tuple[str, str, str, dict | None]], clients: int) -> tuple[float, list[float],
                                                                                                 dict[int, int]]:
    """Each client thread works through its share on one keep-alive connection. Returns (seconds, latencies,
    status counts)."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)

    def client(share):
        conn = HTTPConnection("127.0.0.1", port, timeout=60)
        mine, codes = [], []
        barrier.wait()
        for method, path, token, body in share:
            headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"} if token else {}
            started = time.perf_counter()
            conn.request(method, path, body=json.dumps(body) if body else None, headers=headers)
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - started)
            codes.append(response.status)
        with lock:
            latencies.extend(mine)
            for code in codes:
                statuses[code] = statuses.get(code, 0) + 1

    threads = [threading.Thread(target=client, args=(requests[i::clients],)) for i in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, latencies, statuses


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in text.split()]


def _tree(pid: int) -> list[int]:
    return [pid, *(grandchild for child in _children(pid) for grandchild in _tree(child))]


def cpu_ticks(processes: list[subprocess.Popen | None]) -> dict[int, int]:
    """CPU time (user + system, clock ticks) of every process serving the bench: the servers, the sequencer and the
    worker with their children, and the PostgreSQL backends connected to the bench's database. The machine may be
    shared: CPU spent per request is what another session's load changes least, unlike requests per second."""
    import psycopg

    pids = [pid for process in processes if process is not None for pid in _tree(process.pid)]
    with psycopg.connect(f"{PG}/{DB_NAME}", autocommit=True) as conn:
        pids += [row[0] for row in conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [DB_NAME])]
    ticks = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks[pid] = int(fields[11]) + int(fields[12])  # utime, stime
    return ticks


def cpu_ms_per_request(before: dict[int, int], after: dict[int, int], requests: int) -> float:
    spent = sum(ticks - before.get(pid, 0) for pid, ticks in after.items())
    return spent / os.sysconf("SC_CLK_TCK") * 1000 / requests


def report(name: str, seconds: float, latencies: list[float], statuses: dict[int, int]) -> float:
    rate = len(latencies) / seconds
    q = statistics.quantiles(latencies, n=100)
    print(f"{name:14s} {len(latencies):5d} requests in {seconds:6.2f} s = {rate:7.1f}/s   "
          f"p50 {q[49] * 1000:6.1f} ms   p99 {q[98] * 1000:6.1f} ms   statuses {dict(sorted(statuses.items()))}")
    return rate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=400)
    parser.add_argument("--projects", type=int, default=8)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/12",
                        help='the task queue\'s broker; "" runs side effects in the request, after commit')
    args = parser.parse_args()

    url = recreate_database()
    plan = prepare(url, enterprises=args.enterprises, projects=args.projects)
    port = free_port()
    server = start_server(url, port, args.broker)
    sequencer = start_sequencer(url, args.broker)
    worker = start_worker(url, args.broker)
    from django.utils import timezone

    try:
        processes = [server, sequencer, worker]
        trivial = [("GET", "/healthz", "", None)] * len(plan)
        burst(port, trivial[: args.clients * 4], args.clients)  # warm both workers
        ticks = cpu_ticks(processes)
        base = report("trivial view", *burst(port, trivial, args.clients))
        trivial_cpu = cpu_ms_per_request(ticks, ticks := cpu_ticks(processes), len(trivial))
        registrations = [("POST", path, token, body) for path, token, body in plan]
        burst_started = timezone.now()
        seconds, latencies, statuses = burst(port, registrations, args.clients)
        rate = report("registrations", seconds, latencies, statuses)
        again = report("trivial again", *burst(port, trivial, args.clients))
        # the stack's own floor: one authenticated API read of the same project, no write, no ledger
        reads = [("GET", path.removesuffix("/registrations"), token, None) for path, token, _ in plan]
        before_reads = cpu_ticks(processes)
        read_rate = report("project reads", *burst(port, reads, args.clients))
        read_cpu = cpu_ms_per_request(before_reads, cpu_ticks(processes), len(reads))
        from audit.models import PendingEntry
        from trading.models import Notification

        for _ in range(600):  # the worker and the sequencer catch up (they run on: nothing to move but time)
            if Notification.objects.count() >= len(plan) and not PendingEntry.objects.exists():
                break
            time.sleep(0.1)
        # the registrations' share of CPU: their burst and the worker's and sequencer's catching up after it, less
        # what the second trivial burst in between took
        registration_cpu = cpu_ms_per_request(ticks, cpu_ticks(processes), len(plan)) - trivial_cpu - read_cpu
    finally:
        for process in (server, sequencer, worker):
            if process is not None:
                process.terminate()
                process.wait(timeout=30)

    from trading.models import Registration

    delays = sorted(sequencing_delays(burst_started))
    q = statistics.quantiles(delays, n=100)
    print(f"sequencing delay of {len(delays)} entries: p50 {q[49] * 1000:.0f} ms   p99 {q[98] * 1000:.0f} ms   "
          f"max {delays[-1] * 1000:.0f} ms (the log promises at most AUDIT_MAX_MERGE_DELAY_SECONDS)")

    from trading.models import Notification

    stored, receipts = Registration.objects.count(), Notification.objects.count()
    ratio = rate / ((base + again) / 2)
    print(f"stored registrations {stored} of {len(plan)}, receipts in inboxes {receipts}; side effects "
          f"{'on a Celery worker' if args.broker else 'in the request'}; registration throughput = {ratio:.2f}x the "
          f"trivial view's (goal >= 0.25x)")
    print(f"CPU per request (servers, sequencer, worker, database): trivial view {trivial_cpu:.2f} ms, registration "
          f"{registration_cpu:.2f} ms, authenticated project read {read_cpu:.2f} ms; ratio {trivial_cpu / registration_cpu:.3f} "
          "(what the throughput ratio would be on an idle machine where CPU is the limit)")
    print(f"the stack's floor: an authenticated API read reaches {read_rate / ((base + again) / 2):.2f}x the trivial "
          f"view's throughput; registrations reach {rate / read_rate:.2f}x the read's")
    return 0 if stored == receipts == len(plan) and statuses == {201: len(plan)} else 1


if __name__ == "__main__":
    raise SystemExit(main())
