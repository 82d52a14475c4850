"""Storage stopping in the middle of an upload, for real: a private SeaweedFS is killed while a multipart
upload is under way. Nothing is finalised; once the server is back the reconciler fails the row and aborts
the unfinished multipart upload, and no object is left."""

from __future__ import annotations

import io
import os
import random
import signal
import socket
import subprocess
import threading
import time
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command

from core.storage import ObjectNotFound, S3Store, get_store
from recordings import services
from recordings.analysis import analyse
from recordings.models import Recording
from tests.recordings.conftest import ROOT

pytestmark = [pytest.mark.django_db, pytest.mark.s3]


def _free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")  # a zombie holds no port; scripts/s3_server.sh does not count it either


class PrivateServer:
    """scripts/s3_server.sh on ports no other run uses, in a data directory of its own."""

    def __init__(self, data_dir: Path):
        for _ in range(50):
            offset, port = random.randrange(1000, 5000, 10), random.randrange(20000, 30000)
            ports = [port, 9333 + offset, 9340 + offset, 8888 + offset, 23646 + offset,
                     19333 + offset, 19340 + offset, 18888 + offset]
            if all(_free(p) for p in ports):
                break
        self.env = {**os.environ, "S3_PORT": str(port), "S3_PORT_OFFSET": str(offset), "S3_DATA_DIR": str(data_dir)}
        self.pidfile = data_dir / "weed.pid"

    def start(self) -> dict[str, str]:
        started = subprocess.run([str(ROOT / "scripts" / "s3_server.sh"), "start"], env=self.env,
                                 capture_output=True, text=True, timeout=180)
        assert started.returncode == 0, started.stdout + started.stderr
        return dict(line.removeprefix("export ").split("=", 1) for line in started.stdout.splitlines() if "=" in line)

    def kill(self) -> None:
        pid = int(self.pidfile.read_text().strip())
        os.kill(pid, signal.SIGKILL)
        for _ in range(1200):  # waits for a state, not for a duration: dead as soon as the kernel gets to it
            if not _alive(pid):
                return
            time.sleep(0.05)
        raise AssertionError(f"weed (pid {pid}) still alive 60 s after SIGKILL")

    def stop(self) -> None:
        subprocess.run([str(ROOT / "scripts" / "s3_server.sh"), "stop"], env=self.env, capture_output=True,
                       timeout=60)


@pytest.fixture
def private_server(tmp_path_factory):
    server = PrivateServer(tmp_path_factory.mktemp("weed-fault"))
    yield server
    server.stop()


def test_server_killed_mid_upload_leaves_nothing_and_the_reconciler_cleans_up(
        private_server, settings, past_session, roles, clip, tmp_path):
    exported = private_server.start()
    settings.S3_ENDPOINT, settings.S3_ACCESS_KEY = exported["S3_ENDPOINT"], exported["S3_ACCESS_KEY"]
    settings.S3_SECRET_KEY, settings.S3_BUCKET = exported["S3_SECRET_KEY"], f"fault-{uuid.uuid4().hex[:10]}"
    store: S3Store = get_store()
    big = tmp_path / "big.bin"
    with open(big, "wb") as out:
        for _ in range(256):
            out.write(os.urandom(1024 * 1024))
    supervisor = roles["supervisor"]
    recording = services._pending_row(supervisor, past_session, f"user:{supervisor.pk}", "", None, "big.mp4",
                                      analyse(clip), None)
    cut: list[bool] = []

    def kill_once_a_multipart_upload_is_under_way() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if store.client._list_multipart_uploads(store.bucket).uploads:  # noqa: SLF001
                private_server.kill()
                cut.append(True)
                return
            time.sleep(0.02)

    killer = threading.Thread(target=kill_once_a_multipart_upload_is_under_way)
    killer.start()
    with pytest.raises(services.StorageUnavailable):
        services._put_original(supervisor, recording, big, big.stat().st_size)
    killer.join()

    assert cut, "the upload ended before the server could be stopped"
    recording.refresh_from_db()
    assert recording.status == Recording.Status.PENDING and recording.error  # unknown until the store is back

    private_server.start()
    out = io.StringIO()
    call_command("reconcile_recordings", "--quiet", "--older-than", "0", stdout=out)
    recording.refresh_from_db()
    assert recording.status == Recording.Status.FAILED
    assert "failed 1" in out.getvalue() and "aborted 0 " not in out.getvalue()
    assert not store.client._list_multipart_uploads(store.bucket).uploads  # noqa: SLF001
    with pytest.raises(ObjectNotFound):
        store.stat(recording.key)
