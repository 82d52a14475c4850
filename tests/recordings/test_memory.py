"""A large upload through a real HTTP server stays bounded in memory: the request body goes to a temporary file
in parts and from there to the store in parts. The file (MJPEG frames of a noisy picture, a real video) is
RECORDING_MEMORY_TEST_MB large (48 by default; 300 gave the figures in docs/operators.md)."""

from __future__ import annotations

import http.client
import os
import resource
import tracemalloc
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import cv2
import numpy as np
import pytest

from recordings.models import Recording
from recordings.services import recorder_token_issue

pytestmark = pytest.mark.django_db(transaction=True)

MB = 1024 * 1024
SIZE_MB = int(os.environ.get("RECORDING_MEMORY_TEST_MB", "48"))
# the S3 SDK keeps a few 8 MB parts in memory while it sends them; the filesystem store copies 1 MB at a time
PEAK_LIMIT_MB = {"file": 40, "s3": 80}


def write_video_of_size(path: Path, megabytes: int) -> Path:
    rng = np.random.default_rng(7)
    base = rng.integers(40, 200, (720, 1280, 3), dtype=np.uint8)
    probe = path.with_suffix(".probe.avi")
    sample = cv2.VideoWriter(str(probe), cv2.VideoWriter_fourcc(*"MJPG"), 25, (1280, 720))
    for index in range(10):
        sample.write(np.roll(base, index * 8, axis=1))
    sample.release()
    frames = max(25, int(megabytes * MB / (probe.stat().st_size / 10)))
    probe.unlink()
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 25, (1280, 720))
    for index in range(frames):
        frame = np.roll(base, index * 8, axis=1)
        cv2.putText(frame, str(index), (40, 680), cv2.FONT_HERSHEY_SIMPLEX, 3, (255, 255, 255), 6)
        writer.write(frame)
    writer.release()
    return path


def stream_upload(url: str, path: Path, authorization: str) -> tuple[int, bytes]:
    """POST multipart/form-data with the file sent 1 MB at a time (http.client: nothing builds the body whole)."""
    boundary = uuid.uuid4().hex
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{path.name}\"\r\n"
            "Content-Type: video/x-msvideo\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=600)
    connection.putrequest("POST", parts.path)
    connection.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    connection.putheader("Content-Length", str(len(head) + path.stat().st_size + len(tail)))
    connection.putheader("Authorization", authorization)
    connection.endheaders()
    connection.send(head)
    with open(path, "rb") as file:
        while chunk := file.read(MB):
            connection.send(chunk)
    connection.send(tail)
    response = connection.getresponse()
    return response.status, response.read()


@pytest.mark.parametrize("store", ["file", pytest.param("s3", marks=pytest.mark.s3)])
def test_a_large_upload_is_streamed_with_bounded_memory(live_server, past_session, roles, tmp_path, settings,
                                                        request, store):
    settings.RECORDING_THUMB_EVERY_S = 60
    if store == "s3":
        server = request.getfixturevalue("s3_server")
        settings.S3_ENDPOINT, settings.S3_ACCESS_KEY = server["endpoint"], server["access_key"]
        settings.S3_SECRET_KEY, settings.S3_BUCKET = server["secret_key"], f"jiaoyi-mem-{uuid.uuid4().hex[:10]}"
    video = write_video_of_size(tmp_path / "large.avi", SIZE_MB)
    _, token = recorder_token_issue(actor=roles["admin"], room=past_session.room)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    tracemalloc.start()
    try:
        status, body = stream_upload(f"{live_server.url}/api/sessions/{past_session.pk}/recordings", video,
                                     f"Recorder {token}")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    rss_growth_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    size_mb = video.stat().st_size / MB
    print(f"\n{store} store, upload of {size_mb:.0f} MB: Python peak {peak / MB:.1f} MB (tracemalloc), "
          f"max RSS growth {rss_growth_mb:.0f} MB")
    assert status == 201, body[:500]
    assert Recording.objects.get().size == video.stat().st_size
    assert peak < PEAK_LIMIT_MB[store] * MB
