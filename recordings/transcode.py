"""A browser-playable copy of a recording (H.264 in MP4, yuv420p, moov atom first so playback starts before
the download ends), written beside the original with PyAV: OpenCV's pip build cannot encode H.264. The
original stays the evidence; this copy is only for playback. Pure: no Django."""

from __future__ import annotations

import os
import struct
import uuid
from dataclasses import dataclass
from pathlib import Path

import av

from .analysis import NotAVideo


@dataclass(frozen=True)
class PlaybackInfo:
    codec: str
    pix_fmt: str
    width: int
    height: int
    frames: int
    duration_s: float
    has_audio: bool
    faststart: bool


def playback_path(source: Path) -> Path:
    return source.with_name(f"{source.stem}.h264.mp4")


def transcode_for_browser(
    source: str | Path, target: str | Path | None = None, *, crf: int = 23, preset: str = "veryfast"
) -> PlaybackInfo:
    """Encode `source` to H.264/AAC MP4 at `target` (default: beside it, `<stem>.h264.mp4`) and check the
    result opens as H.264; the target appears only complete (written under a temporary name, then renamed)."""
    source = Path(source)
    target = Path(target) if target else playback_path(source)
    partial = target.with_name(f".{target.name}.{uuid.uuid4().hex}.part")
    try:
        _encode(source, partial, crf=crf, preset=preset)
        info = probe(partial)
        if info.codec != "h264" or info.pix_fmt != "yuv420p" or info.frames == 0:
            raise RuntimeError(f"transcode of {source.name} produced {info.codec}/{info.pix_fmt}, {info.frames} frames")
        os.replace(partial, target)
        return info
    finally:
        partial.unlink(missing_ok=True)


def _encode(source: Path, target: Path, *, crf: int, preset: str) -> None:
    try:
        inp = av.open(str(source))
    except (av.error.FFmpegError, UnicodeDecodeError) as error:
        raise NotAVideo("unreadable", f"{source.name}: cannot be opened as a video ({error})") from error
    with inp, av.open(str(target), "w", format="mp4", options={"movflags": "+faststart"}) as out:
        if not inp.streams.video:
            raise NotAVideo("unreadable", f"{source.name}: has no video stream")
        vin = inp.streams.video[0]
        vin.thread_type = "AUTO"
        width, height = vin.codec_context.width // 2 * 2, vin.codec_context.height // 2 * 2  # 4:2:0 needs even
        vout = out.add_stream("libx264", rate=vin.average_rate or 25, options={"crf": str(crf), "preset": preset})
        vout.width, vout.height, vout.pix_fmt = width, height, "yuv420p"
        ain = inp.streams.audio[0] if inp.streams.audio else None
        aout = out.add_stream("aac", rate=ain.codec_context.sample_rate) if ain else None
        streams = [s for s in (vin, ain) if s is not None]
        for packet in inp.demux(*streams):
            for frame in _decode(packet):
                if packet.stream is vin:
                    frame = frame.reformat(width=width, height=height, format="yuv420p")
                    out.mux(vout.encode(frame))
                else:
                    out.mux(aout.encode(frame))
        out.mux(vout.encode(None))
        if aout is not None:
            out.mux(aout.encode(None))


def _decode(packet):
    """A damaged packet in a long recording costs its frames, not the whole playback copy."""
    try:
        return packet.decode()
    except av.error.InvalidDataError:
        return []


def probe(path: str | Path) -> PlaybackInfo:
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        frames = sum(1 for _ in container.demux(video) if _.size)
        duration = float(container.duration / av.time_base) if container.duration else 0.0
        return PlaybackInfo(
            codec=video.codec_context.name, pix_fmt=video.codec_context.pix_fmt or "",
            width=video.codec_context.width, height=video.codec_context.height, frames=frames,
            duration_s=duration, has_audio=bool(container.streams.audio), faststart=moov_before_mdat(path),
        )


def moov_before_mdat(path: str | Path) -> bool:
    """MP4 top-level boxes in order: a browser can start playing when the index (moov) precedes the data."""
    with open(path, "rb") as file:
        while header := file.read(8):
            if len(header) < 8:
                return False
            size, kind = struct.unpack(">I4s", header)
            if kind in (b"moov", b"mdat"):
                return kind == b"moov"
            if size == 1:
                size = struct.unpack(">Q", file.read(8))[0] - 8
            elif size == 0:
                return False
            file.seek(size - 8, os.SEEK_CUR)
    return False
