"""Background work: the web worker's time per upload of a 60 s 720p video with the analysis in the request (the
embedded default, tasks in-process) against queued to Celery (the request probes, stores and enqueues), and the
queue's throughput with 2 workers against 1 worker in the same run.

    .venv/bin/python bench/tasks.py [--uploads 3] [--jobs 4] [--redis redis://127.0.0.1:6379/14]

Needs the machine's Redis. Uses a fresh SQLite database and object store under var/bench/tasks (the workers are
`celery -A config worker` subprocesses that open the same files). The video is generated once into var/bench.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH = ROOT / "var" / "bench"
WORK = BENCH / "tasks"


def environment() -> dict[str, str]:
    return {"DATABASE_URL": f"sqlite:///{WORK / 'db.sqlite3'}", "VAR_DIR": str(WORK),
            "OBJECT_STORE_DIR": str(WORK / "objects"), "FILE_UPLOAD_TEMP_DIR": str(WORK / "uploads"),
            "S3_ENDPOINT": "", "CELERY_BROKER_URL": "", "DJANGO_SETTINGS_MODULE": "config.settings",
            "LOG_LEVEL": "ERROR"}


def video() -> Path:
    from tests.recordings.videos import write_video

    path = BENCH / "recording-720p-60s-25fps.mp4"
    if not path.exists():
        BENCH.mkdir(parents=True, exist_ok=True)
        write_video(path.with_suffix(".part.mp4"), seconds=60, fps=25, size=(1280, 720), black=(20, 23))
        path.with_suffix(".part.mp4").rename(path)
    return path


def setup_django():
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    os.environ.update(environment())
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def upload_seconds(client, session, path: Path) -> tuple[float, dict]:
    with open(path, "rb") as file:
        started = time.perf_counter()
        response = client.post(f"/api/sessions/{session.pk}/recordings", {"file": file})
        seconds = time.perf_counter() - started
    assert response.status_code == 201, response.content[:500]
    return seconds, response.json()


def start_workers(queue: str, redis: str, count: int) -> list[subprocess.Popen]:
    env = {**os.environ, **environment(), "CELERY_BROKER_URL": redis, "CELERY_QUEUE": queue}
    return [subprocess.Popen([sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", queue, "-c", "1",
                              "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "error",
                              "-n", f"{queue}-{n}@%h"], cwd=ROOT, env=env, start_new_session=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for n in range(count)]


def stop(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        os.killpg(worker.pid, signal.SIGTERM)
    for worker in workers:
        worker.wait(timeout=60)


def throughput(client, session, path: Path, redis: str, jobs: int, workers: int) -> float:
    """Jobs per minute: `jobs` uploads queued first, then `workers` workers started and timed until all are done."""
    from django.conf import settings

    from core.models import Job

    queue = f"bench-{uuid.uuid4().hex[:8]}"
    settings.CELERY_BROKER_URL, settings.CELERY_TASK_DEFAULT_QUEUE = redis, queue
    ids = [upload_seconds(client, session, path)[1]["job"]["id"] for _ in range(jobs)]
    started = time.perf_counter()
    pool = start_workers(queue, redis, workers)
    try:
        while Job.objects.filter(pk__in=ids, state__in=["done", "failed"]).count() < jobs:
            time.sleep(0.2)
    finally:
        stop(pool)
    seconds = time.perf_counter() - started
    failed = Job.objects.filter(pk__in=ids, state="failed").count()
    assert failed == 0, f"{failed} job(s) failed"
    return jobs / seconds * 60


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--uploads", type=int, default=3, help="uploads timed in each mode")
    parser.add_argument("--jobs", type=int, default=4, help="jobs queued for each throughput run")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    args = parser.parse_args()
    path = video()
    setup_django()
    from django.conf import settings
    from django.test import Client

    from core.roles import Role
    from tests import factories
    from tests.recordings.uploads import book_past_session

    client = Client()
    client.force_login(factories.user(Role.SUPERVISOR))
    session = book_past_session()
    size = path.stat().st_size / 1024 / 1024
    print(f"video: {path.name}, {size:.1f} MB")

    settings.CELERY_BROKER_URL = ""
    inline = [upload_seconds(client, session, path)[0] for _ in range(args.uploads)]
    settings.CELERY_BROKER_URL, settings.CELERY_TASK_DEFAULT_QUEUE = args.redis, f"bench-{uuid.uuid4().hex[:8]}"
    queued = [upload_seconds(client, session, path)[0] for _ in range(args.uploads)]
    import redis as redis_client

    redis_client.Redis.from_url(args.redis).delete(settings.CELERY_TASK_DEFAULT_QUEUE)  # nobody will run them
    inline_s, queued_s = statistics.median(inline), statistics.median(queued)
    print(f"web worker per upload, analysis in the request (in-process): {inline_s:.2f} s (median of {len(inline)})")
    print(f"web worker per upload, analysis queued to Celery: {queued_s:.3f} s (median of {len(queued)})")
    print(f"  = {inline_s / queued_s:.1f}x less web-worker time per upload; "
          f"{60 / inline_s:.1f} vs {60 / queued_s:.0f} uploads/min per web worker")

    one = throughput(client, session, path, args.redis, args.jobs, 1)
    two = throughput(client, session, path, args.redis, args.jobs, 2)
    print(f"queue throughput, 1 worker: {one:.2f} analysis jobs/min ({args.jobs} jobs of 60 s 720p, with "
          f"thumbnails, contact sheet and playback copy)")
    print(f"queue throughput, 2 workers: {two:.2f} jobs/min = {two / one:.2f}x one worker "
          f"(this machine has {os.cpu_count()} cores, shared)")


if __name__ == "__main__":
    main()
