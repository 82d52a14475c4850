"""Demo: a short recording of every past session (uploaded by the demo supervisor, with a black stretch to
flag), so the session list, the detail page, the contact sheet and the player can be tried at once; and a
recorder token for the first draw room, printed once. Idempotent: the upload carries a fixed idempotency key."""

from __future__ import annotations

import tempfile
from pathlib import Path

import cv2
import numpy as np
from django.core.files.uploadedfile import SimpleUploadedFile

from core import clock
from recordings import services
from recordings.models import RecorderToken
from trading.models import Room, Session, User

DEMO_KEY = "demo-recording-1"


def _demo_video(path: Path, seconds: int = 20, fps: int = 25, size: tuple[int, int] = (480, 270)) -> bytes:
    width, height = size
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    ramp = np.dstack([np.tile(np.linspace(60, 180, width, dtype=np.uint8), (height, 1))] * 3)
    for index in range(seconds * fps):
        if 8 * fps <= index < 11 * fps:  # a covered camera, for the black-stretch flag
            frame = np.zeros((height, width, 3), np.uint8)
        else:
            frame = ramp.copy()
            x = (index * 6) % (width - 60)
            cv2.rectangle(frame, (x, height // 3), (x + 60, height * 2 // 3), (0, 180, 255), -1)
            cv2.putText(frame, f"{index // fps:02d}s", (12, height - 14), cv2.FONT_HERSHEY_SIMPLEX, 0.8,
                        (255, 255, 255), 2)
        writer.write(frame)
    writer.release()
    return path.read_bytes()


def load(out=print) -> None:
    supervisor = User.objects.filter(username="supervisor").first()
    sessions = Session.objects.filter(ends_at__lt=clock.now()).select_related("project", "room")
    if supervisor is None:
        return
    data = b""
    for session in sessions:
        if session.recordings.exists():
            continue
        if not data:
            with tempfile.TemporaryDirectory() as directory:
                data = _demo_video(Path(directory) / "demo.mp4")
        result = services.recording_upload(actor=supervisor, session=session, idempotency_key=DEMO_KEY,
                                           upload=SimpleUploadedFile("现场录像.mp4", data, "video/mp4"))
        out(f"recording #{result.recording.pk} of session {session.pk}: sha256 {result.recording.sha256}")
    admin = User.objects.filter(username="admin").first()
    room = Room.objects.filter(kind="draw").order_by("name").first()
    if admin is not None and room is not None and not RecorderToken.objects.filter(room=room).exists():
        _token, secret = services.recorder_token_issue(actor=admin, room=room, label="demo recorder")
        out(f"recorder token for {room.name} (shown once): {secret}")
