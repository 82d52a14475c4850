"""Recordings: analysis speed on a 10-minute 720p video, upload throughput of both object stores against a
plain file copy of the same bytes, and the purge of many expired objects.

    .venv/bin/python bench/recordings.py [--upload-mb 256] [--purge 10000] [--s3-purge 1000] [--no-s3]

The test video (MPEG-4 Part 2 from OpenCV's writer, 25 fps, with a black and a frozen stretch) and the upload
file are generated once into var/bench and reused. The S3 numbers use the SeaweedFS server that
scripts/s3_server.sh starts on this machine.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.storage import FileStore  # noqa: E402
from recordings.analysis import analyse  # noqa: E402
from tests.recordings.videos import write_video  # noqa: E402

BENCH = ROOT / "var" / "bench"
MB = 1024 * 1024


def bench_video() -> Path:
    path = BENCH / "recording-720p-10min-25fps.mp4"
    if not path.exists():
        started = time.perf_counter()
        partial = path.with_suffix(".part.mp4")
        write_video(partial, seconds=600, fps=25, size=(1280, 720), black=(120, 125), frozen=(300, 310))
        partial.rename(path)
        print(f"generated {path.name} in {time.perf_counter() - started:.0f} s")
    return path


def upload_file(megabytes: int) -> Path:
    path = BENCH / f"upload-{megabytes}mb.bin"
    if not path.exists() or path.stat().st_size != megabytes * MB:
        with open(path, "wb") as out:
            for _ in range(megabytes):
                out.write(os.urandom(MB))
    return path


def copy_and_sync(source: Path, target: Path) -> None:
    shutil.copyfile(source, target)
    descriptor = os.open(target, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def bench_analysis(video: Path) -> None:
    seconds = timed(lambda: analyse(video))
    result = analyse(video)
    print(f"analysis: {result.duration_s:.0f} s of {result.width}x{result.height} at {result.fps:g} fps "
          f"({result.frames} frames) in {seconds:.1f} s = {result.duration_s / seconds:.1f}x real time; "
          f"black {result.black}, frozen {result.frozen}, {len(result.thumbnails)} thumbnails")


def bench_upload(name: str, store, source: Path, copy_seconds: float) -> None:
    size = source.stat().st_size
    key = f"bench/{uuid.uuid4().hex}.bin"

    def put():
        with open(source, "rb") as stream:
            store.put(key, stream, size=size, content_type="application/octet-stream", metadata={},
                      retention_until=None)

    seconds = timed(put)
    print(f"upload {name}: {size / MB / seconds:.0f} MB/s ({seconds:.2f} s) = "
          f"{copy_seconds / seconds:.2f}x the speed of copyfile + fsync")
    store.delete(key, store.stat(key).version_id, now=datetime.now(UTC))


def bench_purge(name: str, store, count: int, retention_until: datetime) -> None:
    prefix = f"purge-{uuid.uuid4().hex[:8]}/"
    for n in range(count):
        store.put(f"{prefix}{n // 100:03d}/{n:05d}.bin", io.BytesIO(b"x" * 64), content_type="application/octet-stream",
                  metadata={}, retention_until=retention_until)
    time.sleep(max(0.0, (retention_until - datetime.now(UTC)).total_seconds()) + 0.5)

    def purge():
        now = datetime.now(UTC)
        for info in list(store.list(prefix)):
            store.delete(info.key, info.version_id, now=now)

    seconds = timed(purge)
    assert not list(store.list(prefix))
    print(f"purge {name}: {count} expired objects listed and deleted in {seconds:.2f} s "
          f"({count / seconds:.0f} objects/s)")


def s3_store():
    from core.storage import S3Store

    started = subprocess.run([str(ROOT / "scripts" / "s3_server.sh"), "start"], capture_output=True, text=True,
                             check=True)
    env = dict(line.removeprefix("export ").split("=", 1) for line in started.stdout.splitlines() if "=" in line)
    return S3Store(env["S3_ENDPOINT"], env["S3_ACCESS_KEY"], env["S3_SECRET_KEY"],
                   f"jiaoyi-bench-{uuid.uuid4().hex[:8]}", False)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--upload-mb", type=int, default=256)
    parser.add_argument("--purge", type=int, default=10_000)
    parser.add_argument("--s3-purge", type=int, default=1_000)
    parser.add_argument("--no-s3", action="store_true")
    args = parser.parse_args()
    BENCH.mkdir(parents=True, exist_ok=True)

    bench_analysis(bench_video())

    source = upload_file(args.upload_mb)
    with tempfile.TemporaryDirectory(dir=BENCH) as scratch:
        plain_seconds = timed(lambda: shutil.copyfile(source, Path(scratch) / "plain.bin"))
        print(f"shutil.copyfile: {args.upload_mb / plain_seconds:.0f} MB/s ({plain_seconds:.2f} s; no fsync, and "
              "copy_file_range may share blocks instead of writing them)")
        copy_seconds = timed(lambda: copy_and_sync(source, Path(scratch) / "copy.bin"))
        print(f"shutil.copyfile + fsync: {args.upload_mb / copy_seconds:.0f} MB/s ({copy_seconds:.2f} s) "
              "= the baseline below")
        bench_upload("FileStore (hash while writing, fsync)", FileStore(Path(scratch) / "store"), source,
                     copy_seconds)
        past = datetime.now(UTC) - timedelta(days=1)
        bench_purge("FileStore", FileStore(Path(scratch) / "purge", fsync=False), args.purge, past)
    if not args.no_s3:
        store = s3_store()
        bench_upload("S3Store (hash pass + multipart upload, SeaweedFS on localhost)", store, source,
                     copy_seconds)
        bench_purge("S3Store (objects locked for 3 s, then expired)", store, args.s3_purge,
                    datetime.now(UTC) + timedelta(seconds=3))


if __name__ == "__main__":
    main()
