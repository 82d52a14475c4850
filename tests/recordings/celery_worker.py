"""Real Celery workers for the tests: `celery -A config worker` in a subprocess, against the machine's Redis (its
own database number and a queue of the test's own, so runs side by side never take each other's tasks) and the
test's own database, which the worker opens as a second client (a SQLite file or the PostgreSQL test database)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
ROOT = Path(__file__).resolve().parents[2]


def redis_or_skip() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        pytest.skip(f"no Redis at {REDIS_URL}: {error}")
    return REDIS_URL


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Workers:
    """Start workers on one queue; each runs in its own process group so that a test can kill it whole."""

    def __init__(self, tmp_path: Path, visibility_timeout: int):
        self.queue = f"test-{uuid.uuid4().hex[:12]}"
        self.env = {**os.environ, "DATABASE_URL": database_url(), "CELERY_BROKER_URL": REDIS_URL,
                    "CELERY_QUEUE": self.queue, "CELERY_VISIBILITY_TIMEOUT": str(visibility_timeout),
                    "VAR_DIR": str(settings.VAR_DIR), "OBJECT_STORE_DIR": str(settings.OBJECT_STORE_DIR),
                    "FILE_UPLOAD_TEMP_DIR": settings.FILE_UPLOAD_TEMP_DIR, "S3_ENDPOINT": "",
                    "EMAIL_BACKEND": settings.EMAIL_BACKEND, "DJANGO_SETTINGS_MODULE": "config.settings"}
        self.tmp_path = tmp_path
        self.processes: list[subprocess.Popen] = []

    def start(self, concurrency: int = 1) -> subprocess.Popen:
        log = open(self.tmp_path / f"worker-{len(self.processes)}.log", "wb")  # noqa: SIM115 - lives with the process
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", self.queue, "-c", str(concurrency),
             "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "warning",
             "-n", f"{self.queue}-{len(self.processes)}@%h"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append(process)
        return process

    def kill(self, process: subprocess.Popen) -> None:
        """SIGKILL to the worker and its pool: nothing is acknowledged, nothing cleaned up."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.tmp_path.glob("worker-*.log")))


def wait_for(predicate, *, timeout: float, what: str, workers: Workers):
    """Poll a real subprocess's progress (the one place tests wait on the real clock: a worker is another
    process). The timeout is generous; it bounds a hang, it does not measure speed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (value := predicate()):
            return value
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}; worker logs:\n{workers.logs()[-5000:]}")
