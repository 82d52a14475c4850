"""Browser playback copies: H.264 in a fast-start MP4, next to the original."""

from __future__ import annotations

from fractions import Fraction

import av
import numpy as np
import pytest

from recordings.analysis import NotAVideo
from recordings.transcode import playback_path, probe, transcode_for_browser

from .videos import write_text, write_video


def write_with_audio(path, seconds=3):
    """A video with a sound track (OpenCV writes none), encoded with PyAV."""
    with av.open(str(path), "w") as out:
        video = out.add_stream("mpeg4", rate=25)
        video.width, video.height, video.pix_fmt = 321, 181, "yuv420p"  # odd sizes: the copy must even them
        audio = out.add_stream("aac", rate=48000)
        for index in range(seconds * 25):
            image = np.full((181, 321, 3), index % 255, np.uint8)
            out.mux(video.encode(av.VideoFrame.from_ndarray(image, format="rgb24")))
        tone = (np.sin(np.arange(seconds * 48000) * 2 * np.pi * 440 / 48000) * 0.3).astype(np.float32)
        for start in range(0, len(tone), 1024):
            frame = av.AudioFrame.from_ndarray(tone[None, start : start + 1024], format="fltp", layout="mono")
            frame.sample_rate, frame.pts, frame.time_base = 48000, start, Fraction(1, 48000)
            out.mux(audio.encode(frame))
        out.mux(video.encode(None))
        out.mux(audio.encode(None))
    return path


def test_the_playback_copy_is_h264_yuv420p_faststart_beside_the_original(tmp_path):
    original = write_video(tmp_path / "session.mp4", seconds=4)
    assert probe(original).codec == "mpeg4"

    info = transcode_for_browser(original)

    assert playback_path(original) == tmp_path / "session.h264.mp4" and playback_path(original).exists()
    assert probe(playback_path(original)) == info
    assert (info.codec, info.pix_fmt, info.faststart) == ("h264", "yuv420p", True)
    assert (info.width, info.height, info.frames) == (320, 180, 100)
    assert info.duration_s == pytest.approx(4.0, abs=0.1)
    assert original.exists()


def test_sound_is_kept_and_odd_picture_sizes_are_evened(tmp_path):
    original = write_with_audio(tmp_path / "draw.mp4")

    info = transcode_for_browser(original, tmp_path / "playback.mp4")

    assert (info.codec, info.width, info.height, info.has_audio) == ("h264", 320, 180, True)


def test_a_text_file_is_not_transcoded_and_leaves_no_file(tmp_path):
    text = write_text(tmp_path / "notes.mp4")

    with pytest.raises(NotAVideo):
        transcode_for_browser(text)

    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.mp4"]
