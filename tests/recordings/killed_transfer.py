"""Run as its own process by test_crash_recovery: receive a multipart upload through the upload handler the
recordings API installs, and die by SIGKILL part way through the body, as a server killed mid-upload does.

    python tests/recordings/killed_transfer.py SIZE KILL_AFTER

The spool lands in FILE_UPLOAD_TEMP_DIR (from the environment), where the test looks for what is left."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

BOUNDARY = "killed-transfer-boundary"


class DyingBody:
    """A WSGI input that sends the multipart head, then zeros, and kills its own process after `kill_after`
    bytes of the body have been handed out."""

    def __init__(self, size: int, kill_after: int):
        self.head = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"session.mp4\"\r\n"
                     "Content-Type: video/mp4\r\n\r\n").encode()
        self.size, self.kill_after, self.sent = size, kill_after, 0

    def length(self) -> int:
        return len(self.head) + self.size + len(f"\r\n--{BOUNDARY}--\r\n")

    def read(self, n: int = -1) -> bytes:
        if self.sent >= self.kill_after:
            os.kill(os.getpid(), signal.SIGKILL)
        n = 64 * 1024 if n is None or n < 0 else min(n, 64 * 1024)
        if self.sent < len(self.head):
            chunk = self.head[self.sent:self.sent + n]
        else:
            chunk = b"\0" * min(n, self.length() - self.sent)
        self.sent += len(chunk)
        return chunk

    readline = read  # the WSGI input interface; the multipart parser only reads


def main(size: int, kill_after: int) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIRequest

    from recordings.api import UploadSpool

    body = DyingBody(size, kill_after)
    request = WSGIRequest({
        "REQUEST_METHOD": "POST", "PATH_INFO": "/api/sessions/1/recordings", "SERVER_NAME": "testserver",
        "SERVER_PORT": "80", "wsgi.url_scheme": "http", "wsgi.input": body,
        "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}", "CONTENT_LENGTH": str(body.length()),
    })
    request.upload_handlers = [UploadSpool(request)]
    request.FILES  # noqa: B018 - reading the body is the point; the process dies inside
    sys.exit("the transfer finished: the process was meant to die part way through")


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
