"""The recordings pages as users see them: by session, the upload page, the detail page with its player and
contact sheet (opening it is a recorded playback), and role checks."""

from __future__ import annotations

import io

import pytest

from audit.models import LedgerEntry
from core import context
from recordings.models import Recording
from tests.recordings.uploads import as_user, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored(api, past_session, roles, clip):
    return Recording.objects.get(pk=upload(as_user(api, roles["supervisor"]), past_session, clip).json()["id"])


def test_detail_page_plays_and_shows_metadata_flags_and_contact_sheet(client, stored, roles):
    client.force_login(roles["inspector"])
    page = client.get(f"/recordings/{stored.pk}/").content.decode()

    assert stored.sha256 in page and "320×180" in page and "计划时段未覆盖" in page
    assert '<video id="player"' in page
    sheet_url = page.split('id="contact-sheet" src="')[1].split('"')[0].replace("&amp;", "&")
    sheet = client.get(sheet_url)
    assert sheet.status_code == 200 and b"".join(sheet.streaming_content)[:3] == b"\xff\xd8\xff"  # JPEG
    [played] = LedgerEntry.objects.filter(action="recording_played")
    assert played.actor == roles["inspector"].username


@pytest.mark.parametrize("role", ["agency", "enterprise", "expert"])
def test_detail_and_session_pages_are_refused_to_other_roles(client, stored, roles, role):
    client.force_login(roles[role])
    assert client.get(f"/recordings/{stored.pk}/").status_code == 403
    assert client.get(f"/sessions/{stored.session_id}/recordings/").status_code == 403
    assert not LedgerEntry.objects.filter(action="recording_played").exists()


def test_session_page_lists_recordings_and_offers_upload_to_supervisors(client, stored, roles):
    client.force_login(roles["supervisor"])
    page = client.get(f"/sessions/{stored.session_id}/recordings/").content.decode()
    assert f"/recordings/{stored.pk}/" in page and f"/sessions/{stored.session_id}/recordings/upload/" in page
    assert f"/sessions/{stored.session_id}/recordings/" in client.get("/recordings/").content.decode()


def test_upload_page_is_for_uploaders_and_loads_its_script(client, past_session, roles):
    client.force_login(roles["inspector"])
    assert client.get(f"/sessions/{past_session.pk}/recordings/upload/").status_code == 403
    client.force_login(roles["supervisor"])
    page = client.get(f"/sessions/{past_session.pk}/recordings/upload/").content.decode()
    assert 'id="upload-progress"' in page and "js/recording_upload.js" in page and "<script>" not in page


def test_nav_links_to_recordings_for_the_roles_that_may_play(client, roles):
    client.force_login(roles["supervisor"])
    assert 'href="/recordings/"' in client.get("/").content.decode()
    client.force_login(roles["enterprise"])
    assert 'href="/recordings/"' not in client.get("/").content.decode()


def test_demo_loads_a_recording_once(past_session, roles):
    from tests import factories

    factories.user("supervisor", username="supervisor")
    out = io.StringIO()
    from recordings import demo

    demo.load(out=out.write)
    demo.load(out=out.write)
    [recording] = Recording.objects.filter(session=past_session)
    assert recording.status == Recording.Status.STORED and recording.flags["black"]


def test_opening_the_detail_page_reads_no_video_and_runs_no_analysis(client, stored, roles, monkeypatch):
    """The page is metadata and links: the file is fetched by the player when the person presses play, and the
    analysis ran at upload (or runs in the background), never in the page's GET."""
    from core.storage import filestore
    from recordings import analysis, reconciler, tasks, transcode

    def refuse(*args, **kwargs):
        raise AssertionError("heavy work in the page's GET")

    monkeypatch.setattr(filestore.FileStore, "open", refuse)
    monkeypatch.setattr(analysis, "analyse", refuse)
    monkeypatch.setattr(reconciler, "analyse", refuse)
    monkeypatch.setattr(tasks, "analyse_recording", refuse)
    monkeypatch.setattr(transcode, "transcode_for_browser", refuse)
    client.force_login(roles["inspector"])

    page = client.get(f"/recordings/{stored.pk}/").content.decode()

    assert 'preload="none"' in page and 'id="video-status"' in page and "js/recording_detail.js" in page


def test_the_detail_page_says_what_is_still_being_made(client, stored, roles):
    client.force_login(roles["inspector"])
    with context.acting_as_system():
        stored.derivation = Recording.Derivation.PENDING
        stored.save()
    assert "正在后台生成" in client.get(f"/recordings/{stored.pk}/").content.decode()

    with context.acting_as_system():
        stored.status, stored.derivation = Recording.Status.PENDING, None
        stored.save()
    page = client.get(f"/recordings/{stored.pk}/").content.decode()
    assert 'id="recording-state"' in page and 'http-equiv="refresh"' in page and '<video' not in page


def test_a_file_that_is_not_a_video_is_refused_in_the_readers_language(api, past_session, roles, tmp_path):
    junk = tmp_path / "纪要.mp4"
    junk.write_text("不是视频\n" * 200, encoding="utf-8")
    client = as_user(api, roles["supervisor"])

    chinese = upload(client, past_session, junk).json()["errors"]["file"][0]
    with open(junk, "rb") as file:
        english = client.post(f"/api/sessions/{past_session.pk}/recordings", {"file": file}, format="multipart",
                              HTTP_ACCEPT_LANGUAGE="en").json()["errors"]["file"][0]

    assert "不是可解码的视频" in chinese and "未保存任何内容" in chinese and "stream" not in chinese
    assert "is not a video that can be decoded" in english and "不" not in english
    assert not Recording.objects.exists()
