"""The recordings pages as users see them: by session, the upload page, the detail page with its player and
contact sheet (opening it is a recorded playback), and role checks."""

from __future__ import annotations

import io

import pytest

from audit.models import LedgerEntry
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
