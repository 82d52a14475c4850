"""What OpenCV can tell about a recording: format, black and frozen stretches, gaps against the session's
schedule, thumbnails and a contact sheet. Pure: a path in, an `Analysis` out; no Django.

Speed: every frame is grabbed (decoded, which inter-coded video needs anyway) but only a few per second are
converted to pixels and looked at, downscaled to a small grey image; a stretch of `min_stretch_s` is still
seen with a resolution of 1/`samples_per_s` seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import cv2
import numpy as np

PROBE_SIZE = (64, 36)
THUMB_WIDTH = 320
SHEET_COLUMNS = 6
SHEET_MAX_TILES = 48


class NotAVideo(ValueError):
    """The file is not a video OpenCV can decode (or has no frames); nothing should be stored. `reason` names the
    case (empty, unreadable, no_frames, no_format) for the caller's words; the text says it in English."""

    def __init__(self, reason: str, message: str) -> None:
        self.reason = reason
        super().__init__(message)


@dataclass(frozen=True)
class Thumbnail:
    at_s: float
    jpeg: bytes


@dataclass
class Analysis:
    fps: float
    frames: int
    duration_s: float
    width: int
    height: int
    declared_frames: int
    black: list[tuple[float, float]] = field(default_factory=list)
    frozen: list[tuple[float, float]] = field(default_factory=list)
    coverage_gaps: list[tuple[datetime, datetime]] = field(default_factory=list)
    thumbnails: list[Thumbnail] = field(default_factory=list)
    contact_sheet: bytes = b""

    @property
    def truncated(self) -> bool:
        """Fewer frames decoded than the container announced: the file was cut short."""
        return self.declared_frames > 0 and self.frames < self.declared_frames - 1


def analyse(
    path: str | Path,
    *,
    thumb_every_s: float = 10,
    black_threshold: float = 16.0,
    frozen_threshold: float = 0.6,
    min_stretch_s: float = 2.0,
    samples_per_s: float = 4.0,
    scheduled_start: datetime | None = None,
    scheduled_end: datetime | None = None,
    recorded_start: datetime | None = None,
) -> Analysis:
    """`black_threshold`: mean grey level (0-255) under which a frame is black; `frozen_threshold`: mean
    absolute change between samples under which the picture is not moving."""
    capture = _open(Path(path))
    try:
        fps, width, height, declared = _properties(capture, path)
        result = _scan(capture, fps, thumb_every_s, samples_per_s, black_threshold, frozen_threshold)
    finally:
        capture.release()
    frames, times, black_flags, frozen_flags, thumbnails = result
    if frames == 0:
        raise NotAVideo("no_frames", f"{Path(path).name}: the video has no decodable frames")
    duration = frames / fps
    step = _sample_every(fps, samples_per_s) / fps
    analysis = Analysis(
        fps=fps, frames=frames, duration_s=duration, width=width, height=height, declared_frames=declared,
        black=stretches(times, black_flags, step=step, min_length=min_stretch_s, duration=duration),
        frozen=stretches(times, frozen_flags, step=step, min_length=min_stretch_s, duration=duration, lead=step),
        thumbnails=thumbnails,
    )
    analysis.coverage_gaps = coverage_gaps(scheduled_start, scheduled_end, recorded_start, duration)
    analysis.contact_sheet = contact_sheet(thumbnails)
    return analysis


def probe(path: str | Path) -> Analysis:
    """What the container says (frame rate, size, announced frames), and one decoded frame to show it is a video:
    fast enough for the upload request; `analyse` (a background task) reads every frame afterwards."""
    capture = _open(Path(path))
    try:
        fps, width, height, declared = _properties(capture, path)
        if not capture.grab() or not capture.retrieve()[0]:
            raise NotAVideo(f"{Path(path).name}: the video has no decodable frames")
    finally:
        capture.release()
    return Analysis(fps=fps, frames=declared, duration_s=declared / fps, width=width, height=height,
                    declared_frames=declared)


def _open(path: Path) -> cv2.VideoCapture:
    if not path.is_file() or path.stat().st_size == 0:
        raise NotAVideo("empty", f"{path.name}: the file is empty or missing")
    capture = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
    if not capture.isOpened():
        capture.release()
        raise NotAVideo("unreadable",
                        f"{path.name}: no video stream could be opened (not a video file, or damaged or truncated)")
    return capture


def _properties(capture: cv2.VideoCapture, path) -> tuple[float, int, int, int]:
    fps = capture.get(cv2.CAP_PROP_FPS)
    width, height = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)), int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
    if not fps or fps <= 0 or fps > 1000 or width <= 0 or height <= 0:
        raise NotAVideo("no_format",
                        f"{Path(path).name}: no usable frame rate or picture size (fps {fps}, {width}x{height})")
    return fps, width, height, max(0, int(capture.get(cv2.CAP_PROP_FRAME_COUNT)))


def _scan(capture, fps, thumb_every_s, samples_per_s, black_threshold, frozen_threshold):
    sample_every = _sample_every(fps, samples_per_s)
    thumb_every = max(1, round(fps * thumb_every_s))
    frames, previous = 0, None
    times: list[float] = []
    black: list[bool] = []
    frozen: list[bool] = []
    thumbnails: list[Thumbnail] = []
    while capture.grab():
        index, frames = frames, frames + 1
        is_sample, is_thumb = index % sample_every == 0, index % thumb_every == 0
        if not (is_sample or is_thumb):
            continue
        ok, image = capture.retrieve()
        if not ok:
            continue
        if is_thumb:
            thumbnails.append(Thumbnail(index / fps, _thumbnail(image)))
        if is_sample:
            probe = cv2.resize(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), PROBE_SIZE, interpolation=cv2.INTER_AREA)
            probe = probe.astype(np.float32)
            is_black = float(probe.mean()) < black_threshold
            moved = float(np.abs(probe - previous).mean()) if previous is not None else None
            times.append(index / fps)
            black.append(is_black)
            frozen.append(moved is not None and moved < frozen_threshold and not is_black)
            previous = probe
    return frames, times, black, frozen, thumbnails


def _sample_every(fps: float, samples_per_s: float) -> int:
    return max(1, round(fps / samples_per_s))


def _thumbnail(image: np.ndarray) -> bytes:
    height, width = image.shape[:2]
    small = cv2.resize(image, (THUMB_WIDTH, max(1, round(height * THUMB_WIDTH / width))), interpolation=cv2.INTER_AREA)
    ok, encoded = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, 80])
    return encoded.tobytes()


def stretches(
    times: list[float], flags: list[bool], *, step: float, min_length: float, duration: float, lead: float = 0.0
) -> list[tuple[float, float]]:
    """Runs of flagged samples lasting at least `min_length` seconds, as (start_s, end_s), each end known to
    within one sampling `step`. A run ends at the first unflagged sample; `lead` moves starts earlier (a
    frozen run begins at the sample its first unchanged sample repeats)."""
    found: list[tuple[float, float]] = []
    start = None
    for at, flag in zip([*times, duration], [*flags, False], strict=True):
        if flag and start is None:
            start = max(0.0, at - lead)
        elif not flag and start is not None:
            end = min(duration, at)
            if end - start >= min_length - step:
                found.append((round(start, 3), round(end, 3)))
            start = None
    return found


def coverage_gaps(
    scheduled_start: datetime | None, scheduled_end: datetime | None, recorded_start: datetime | None,
    duration_s: float,
) -> list[tuple[datetime, datetime]]:
    """Parts of the scheduled session the recording does not cover: a late start and an early end."""
    if scheduled_start is None or scheduled_end is None or recorded_start is None:
        return []
    recorded_end = recorded_start + timedelta(seconds=duration_s)
    gaps = []
    if recorded_start > scheduled_start:
        gaps.append((scheduled_start, min(recorded_start, scheduled_end)))
    if recorded_end < scheduled_end:
        gaps.append((max(recorded_end, scheduled_start), scheduled_end))
    return [(start, end) for start, end in gaps if end > start]


def contact_sheet(thumbnails: list[Thumbnail]) -> bytes:
    """One JPEG grid of up to SHEET_MAX_TILES thumbnails spread over the video, each stamped with its time."""
    if not thumbnails:
        return b""
    picks = thumbnails
    if len(thumbnails) > SHEET_MAX_TILES:
        picks = [thumbnails[i * len(thumbnails) // SHEET_MAX_TILES] for i in range(SHEET_MAX_TILES)]
    tiles = [_stamped(thumb) for thumb in picks]
    tile_h, tile_w = tiles[0].shape[:2]
    rows = -(-len(tiles) // SHEET_COLUMNS)
    sheet = np.zeros((rows * tile_h, min(len(tiles), SHEET_COLUMNS) * tile_w, 3), np.uint8)
    for n, tile in enumerate(tiles):
        row, column = divmod(n, SHEET_COLUMNS)
        tile = cv2.resize(tile, (tile_w, tile_h)) if tile.shape[:2] != (tile_h, tile_w) else tile
        sheet[row * tile_h : (row + 1) * tile_h, column * tile_w : (column + 1) * tile_w] = tile
    ok, encoded = cv2.imencode(".jpg", sheet, [cv2.IMWRITE_JPEG_QUALITY, 80])
    return encoded.tobytes()


def _stamped(thumb: Thumbnail) -> np.ndarray:
    image = cv2.imdecode(np.frombuffer(thumb.jpeg, np.uint8), cv2.IMREAD_COLOR)
    minutes, seconds = divmod(int(thumb.at_s), 60)
    label = f"{minutes // 60:02d}:{minutes % 60:02d}:{seconds:02d}"
    cv2.putText(image, label, (6, image.shape[0] - 8), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 3, cv2.LINE_AA)
    cv2.putText(image, label, (6, image.shape[0] - 8), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (255, 255, 255), 1, cv2.LINE_AA)
    return image
