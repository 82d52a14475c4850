"""Real test videos written with OpenCV: a moving picture, optionally with a black or a frozen stretch, and
the broken kinds an upload must refuse (truncated, no frames, not a video at all)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np


def moving_frame(index: int, size: tuple[int, int]) -> np.ndarray:
    """A lit room with something moving across it and a frame counter: every frame differs from the last."""
    width, height = size
    ramp = np.linspace(60, 180, width, dtype=np.uint8)
    frame = np.dstack([np.tile(ramp, (height, 1))] * 3)
    x = (index * max(2, width // 60)) % max(1, width - width // 8)
    cv2.rectangle(frame, (x, height // 4), (x + width // 8, height * 3 // 4), (0, 200, 255), -1)
    cv2.putText(frame, str(index), (width // 20, height - height // 10), cv2.FONT_HERSHEY_SIMPLEX,
                height / 240, (255, 255, 255), max(1, height // 120))
    return frame


def write_video(
    path: Path,
    *,
    seconds: float,
    fps: float = 25,
    size: tuple[int, int] = (320, 180),
    black: tuple[float, float] | None = None,
    frozen: tuple[float, float] | None = None,
    fourcc: str = "mp4v",
) -> Path:
    """`black` and `frozen` are (start_s, end_s) stretches: frames of zeros, or the frame at start_s repeated."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), fps, size)
    assert writer.isOpened(), f"OpenCV cannot write {fourcc} to {path}"
    held = None
    for index in range(round(seconds * fps)):
        at = index / fps
        if black and black[0] <= at < black[1]:
            frame = np.zeros((size[1], size[0], 3), np.uint8)
        elif frozen and frozen[0] <= at < frozen[1]:
            held = moving_frame(index, size) if held is None else held
            frame = held
        else:
            frame = moving_frame(index, size)
        writer.write(frame)
    writer.release()
    return path


def truncate(source: Path, target: Path, fraction: float) -> Path:
    """The first `fraction` of the file's bytes: an upload cut off part way."""
    data = source.read_bytes()
    target.write_bytes(data[: int(len(data) * fraction)])
    return target


def write_no_frames(path: Path) -> Path:
    """A container opened and closed with no frame written."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 25, (320, 180))
    writer.release()
    if not path.exists():
        path.write_bytes(b"")
    return path


def write_text(path: Path) -> Path:
    path.write_text("会议纪要: not a video\n" * 200, encoding="utf-8")
    return path
