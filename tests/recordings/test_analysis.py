"""OpenCV analysis of real video files written by tests/recordings/videos.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import cv2
import numpy as np
import pytest

from recordings.analysis import NotAVideo, analyse

from .videos import truncate, write_no_frames, write_text, write_video

STEP = 0.25  # analysis samples 4 frames a second: stretch edges are known to within one sample


@pytest.fixture(scope="module")
def videos(tmp_path_factory):
    folder = tmp_path_factory.mktemp("videos")
    normal = write_video(folder / "normal.mp4", seconds=25)
    return {
        "normal": normal,
        "black": write_video(folder / "black.mp4", seconds=10, black=(3, 6)),
        "short_black": write_video(folder / "short_black.mp4", seconds=8, black=(3, 4)),
        "frozen": write_video(folder / "frozen.mp4", seconds=12, frozen=(4, 8)),
        "avi": write_video(folder / "normal.avi", seconds=10, fourcc="MJPG"),
        "folder": folder,
    }


def decoded(jpeg: bytes) -> np.ndarray:
    image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert image is not None, "not a JPEG"
    return image


def assert_stretch(found, expected):
    assert len(found) == 1, found
    (start, end), (want_start, want_end) = found[0], expected
    assert abs(start - want_start) <= STEP and abs(end - want_end) <= STEP, found


def test_format_frame_count_and_duration_are_read(videos):
    result = analyse(videos["normal"])

    assert (result.fps, result.frames, result.width, result.height) == (25.0, 625, 320, 180)
    assert result.duration_s == pytest.approx(25.0)
    assert (result.black, result.frozen, result.truncated) == ([], [], False)


def test_a_thumbnail_is_taken_every_n_seconds_and_gathered_on_one_contact_sheet(videos):
    result = analyse(videos["normal"], thumb_every_s=10)

    assert [thumb.at_s for thumb in result.thumbnails] == [0.0, 10.0, 20.0]
    assert {decoded(thumb.jpeg).shape for thumb in result.thumbnails} == {(180, 320, 3)}
    assert decoded(result.contact_sheet).shape == (180, 3 * 320, 3)


def test_a_black_stretch_is_flagged_with_its_times(videos):
    result = analyse(videos["black"])

    assert_stretch(result.black, (3.0, 6.0))
    assert result.frozen == []


def test_a_black_stretch_shorter_than_the_minimum_is_not_flagged(videos):
    assert analyse(videos["short_black"], min_stretch_s=2.0).black == []


def test_a_frozen_picture_is_flagged_with_its_times(videos):
    result = analyse(videos["frozen"])

    assert_stretch(result.frozen, (4.0, 8.0))
    assert result.black == []


def test_gaps_between_the_schedule_and_the_recording_are_reported(videos):
    scheduled_start = datetime(2026, 5, 6, 1, 30, tzinfo=UTC)
    scheduled_end = scheduled_start + timedelta(minutes=1)
    recorded_start = scheduled_start + timedelta(seconds=20)

    result = analyse(videos["normal"], scheduled_start=scheduled_start, scheduled_end=scheduled_end,
                     recorded_start=recorded_start)

    assert result.coverage_gaps == [
        (scheduled_start, recorded_start),
        (recorded_start + timedelta(seconds=25), scheduled_end),
    ]


def test_a_recording_covering_the_whole_schedule_has_no_gaps(videos):
    start = datetime(2026, 5, 6, 1, 30, tzinfo=UTC)

    result = analyse(videos["normal"], scheduled_start=start + timedelta(seconds=5),
                     scheduled_end=start + timedelta(seconds=20), recorded_start=start)

    assert result.coverage_gaps == []


def test_a_truncated_mp4_is_not_a_video(videos):
    cut = truncate(videos["normal"], videos["folder"] / "cut.mp4", 0.6)

    with pytest.raises(NotAVideo, match="cut.mp4: .*damaged or truncated"):
        analyse(cut)


def test_a_truncated_avi_is_analysed_and_marked_truncated(videos):
    cut = truncate(videos["avi"], videos["folder"] / "cut.avi", 0.6)

    result = analyse(cut)

    assert result.truncated is True
    assert 0 < result.frames < result.declared_frames == 250


@pytest.mark.parametrize("writer", [write_no_frames, write_text], ids=["no_frames", "text_file"])
def test_a_file_without_decodable_frames_is_not_a_video(videos, writer):
    path = writer(videos["folder"] / f"{writer.__name__}.mp4")

    with pytest.raises(NotAVideo, match=f"{writer.__name__}.mp4: "):
        analyse(path)


def test_an_empty_file_is_not_a_video(tmp_path):
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")

    with pytest.raises(NotAVideo, match="empty"):
        analyse(empty)


def test_a_black_stretch_is_found_in_720p_video(tmp_path):
    # how fast analysis runs is bench/recordings.py's figure (times real time): a loaded machine must not fail this
    video = write_video(tmp_path / "hd.mp4", seconds=8, size=(1280, 720), black=(2, 5))

    result = analyse(video)

    assert (result.width, result.height) == (1280, 720)
    assert_stretch(result.black, (2.0, 5.0))
