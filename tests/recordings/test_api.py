"""The recordings rows of the API on real videos: upload, junk refused, idempotent retry, who may
read and delete, retention and legal hold, expiry and the tombstone, playback links."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest

from audit.models import LedgerEntry
from core import clock
from core.storage import get_store
from recordings.models import Recording
from tests import factories
from tests.recordings.uploads import as_user, upload
from tests.recordings.videos import truncate, write_no_frames, write_text, write_video
from trading.services.aftercare import complaint_open, legal_hold_release

pytestmark = pytest.mark.django_db

RETAINED_ROLES = [("agency", 403), ("supervisor", 403), ("inspector", 403), ("enterprise", 403), ("expert", 403),
                  ("admin", 409)]


@pytest.fixture
def stored(api, past_session, roles, clip):
    response = upload(as_user(api, roles["supervisor"]), past_session, clip, key="first")
    assert response.status_code == 201, response.json()
    return Recording.objects.get(pk=response.json()["id"])


def events(action: str) -> list[LedgerEntry]:
    return list(LedgerEntry.objects.filter(action=action).order_by("seq"))


def test_upload_answers_metadata_and_the_files_sha256(api, past_session, roles, clip):
    response = upload(as_user(api, roles["supervisor"]), past_session, clip)

    assert response.status_code == 201
    body = response.json()
    assert body["sha256"] == hashlib.sha256(clip.read_bytes()).hexdigest()
    assert (body["fps"], body["frames"], body["duration"], body["width"], body["height"]) == (25.0, 100, 4.0, 320, 180)
    expected_until = past_session.ends_at + dt.timedelta(days=60)
    assert dt.datetime.fromisoformat(body["retention_until"]) == expected_until
    recording = Recording.objects.get(pk=body["id"])
    info = get_store().stat(recording.key, recording.version_id)
    assert (info.sha256, info.size, info.retention_until) == (body["sha256"], clip.stat().st_size, expected_until)
    assert {item["kind"] for item in recording.derived} >= {"contact_sheet", "thumbnail", "playback"}
    [stored_event] = events("recording_stored")
    assert stored_event.actor == roles["supervisor"].username
    assert stored_event.data["sha256"] == body["sha256"] and stored_event.data["session"] == past_session.pk


def test_black_stretch_and_early_end_are_flagged(api, past_session, roles, tmp_path):
    video = write_video(tmp_path / "dark.mp4", seconds=8, black=(2, 5.5))
    body = upload(as_user(api, roles["admin"]), past_session, video).json()

    [(start, end)] = body["flags"]["black"]
    assert 1.7 <= start <= 2.3 and 5.2 <= end <= 5.8
    [(gap_start, gap_end)] = body["flags"]["coverage_gaps"]
    assert dt.datetime.fromisoformat(gap_end) == past_session.ends_at


@pytest.mark.parametrize("junk", ["text", "empty", "truncated", "no_frames"])
def test_junk_is_refused_with_a_clear_error_and_nothing_is_stored(api, past_session, roles, clip, tmp_path, junk):
    path = {
        "text": lambda: write_text(tmp_path / "minutes.mp4"),
        "empty": lambda: (tmp_path / "empty.mp4").write_bytes(b"") or tmp_path / "empty.mp4",
        "truncated": lambda: truncate(clip, tmp_path / "cut.mp4", 0.5),
        "no_frames": lambda: write_no_frames(tmp_path / "none.mp4"),
    }[junk]()

    response = upload(as_user(api, roles["supervisor"]), past_session, path)

    assert response.status_code == 400
    assert path.name in response.json()["errors"]["file"][0]
    assert not Recording.objects.exists()
    assert list(get_store().list("recordings/")) == []
    [refused] = events("recording_refused")
    assert refused.data["file"] == path.name and refused.actor == roles["supervisor"].username


def test_retried_upload_with_the_same_key_answers_the_first_result(api, past_session, roles, clip):
    client = as_user(api, roles["supervisor"])
    first = upload(client, past_session, clip, key="retry-1")
    second = upload(client, past_session, clip, key="retry-1")

    assert second.status_code == 201 and second["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    assert Recording.objects.count() == 1 and len(events("recording_stored")) == 1
    third = upload(client, past_session, clip, key="retry-2")
    assert third.json()["id"] != first.json()["id"]


def test_path_like_filename_never_reaches_the_object_key(api, past_session, roles, clip):
    body = upload(as_user(api, roles["supervisor"]), past_session, clip, name="../../x.mp4").json()

    recording = Recording.objects.get(pk=body["id"])
    assert recording.original_name == "x.mp4"
    assert ".." not in recording.key and re.search(rf"/{recording.pk}-[0-9a-f]{{8}}/original\.mp4$", recording.key)


def test_file_over_the_size_limit_is_refused(api, past_session, roles, clip, settings):
    settings.RECORDING_MAX_BYTES = 1000
    response = upload(as_user(api, roles["supervisor"]), past_session, clip)

    assert response.status_code == 400
    assert "RECORDING_MAX_BYTES" in response.json()["errors"]["file"][0]
    assert not Recording.objects.exists()


@pytest.mark.parametrize(("role", "expected"), [("supervisor", 201), ("admin", 201), ("agency", 403),
                                                ("inspector", 403), ("enterprise", 403), ("expert", 403)])
def test_upload_is_for_supervisors_and_administrators(api, past_session, roles, clip, role, expected):
    response = upload(as_user(api, roles[role]), past_session, clip)

    assert response.status_code == expected
    assert Recording.objects.count() == (1 if expected == 201 else 0)


def test_anonymous_upload_is_refused(api, past_session, clip):
    assert upload(as_user(api, None), past_session, clip).status_code in (401, 403)
    assert not Recording.objects.exists()


def test_recorder_token_uploads_to_sessions_in_its_own_room_only(api, past_session, roles, clip):
    from recordings.services import recorder_token_issue, recorder_token_revoke
    from tests import factories
    from trading.services.sessions import session_book

    token, secret = recorder_token_issue(actor=roles["admin"], room=past_session.room, label="cam 1")
    assert token.token_hash != secret and secret not in str(token.__dict__)
    client = as_user(api, None)
    client.credentials(HTTP_AUTHORIZATION=f"Recorder {secret}")

    body = upload(client, past_session, clip).json()
    recording = Recording.objects.get(pk=body["id"])
    assert recording.recorder == token and recording.uploaded_by is None

    other = session_book(actor=past_session.booked_by, project=past_session.project, room=factories.room("draw"),
                         kind="draw", starts_at=clock.now() + dt.timedelta(days=3),
                         ends_at=clock.now() + dt.timedelta(days=3, hours=1))
    assert upload(client, other, clip).status_code == 403
    assert client.get(f"/api/recordings/{recording.pk}").status_code == 403  # a token uploads, never reads
    recorder_token_revoke(actor=roles["admin"], token=token)
    assert upload(client, past_session, clip).status_code == 401


@pytest.mark.parametrize(("role", "expected"), [("supervisor", 200), ("inspector", 200), ("admin", 200),
                                                ("agency", 403), ("enterprise", 403), ("expert", 403)])
def test_metadata_is_for_supervisors_inspectors_and_administrators(api, stored, roles, role, expected):
    response = as_user(api, roles[role]).get(f"/api/recordings/{stored.pk}")

    assert response.status_code == expected
    if expected == 200:
        assert response.json()["legal_hold"] is False and "black" in response.json()["flags"]


@pytest.mark.parametrize(("role", "expected"), RETAINED_ROLES)
def test_delete_inside_retention_is_refused_for_every_role(api, stored, roles, role, expected):
    response = as_user(api, roles[role]).delete(f"/api/recordings/{stored.pk}")

    assert response.status_code == expected
    stored.refresh_from_db()
    assert stored.status == Recording.Status.STORED
    assert get_store().stat(stored.key, stored.version_id).sha256 == stored.sha256
    if expected == 409:
        assert "保存期至" in response.json()["detail"]
        assert events("recording_delete_refused")[0].actor == roles["admin"].username


def test_after_expiry_the_administrators_delete_leaves_a_tombstone(api, stored, roles):
    with clock.travel(dt.timedelta(days=61)):
        response = as_user(api, roles["admin"]).delete(f"/api/recordings/{stored.pk}")

    assert response.status_code == 204
    stored.refresh_from_db()
    assert stored.status == Recording.Status.PURGED
    assert list(get_store().list("recordings/")) == []
    [tombstone] = events("recording_purged")
    assert tombstone.actor == roles["admin"].username
    assert (tombstone.data["key"], tombstone.data["version_id"], tombstone.data["sha256"]) == (
        stored.key, stored.version_id, stored.sha256)
    assert tombstone.data["retention_until"] == stored.retention_until.isoformat()
    assert as_user(api, roles["admin"]).delete(f"/api/recordings/{stored.pk}").status_code == 409


def test_with_zero_retention_days_an_ended_sessions_recording_may_be_deleted(api, past_session, roles, clip,
                                                                            settings):
    settings.RECORDING_RETENTION_DAYS = 0
    body = upload(as_user(api, roles["supervisor"]), past_session, clip).json()

    assert as_user(api, roles["admin"]).delete(f"/api/recordings/{body['id']}").status_code == 204
    assert len(events("recording_purged")) == 1


def test_legal_hold_keeps_a_recording_past_expiry_until_an_inspector_releases_it(
        api, stored, roles, django_capture_on_commit_callbacks):
    project = stored.session.project
    complainant = factories.tenderer_user(project)
    with django_capture_on_commit_callbacks(execute=True):
        complaint = complaint_open(actor=complainant, project=project, text="对抽取过程有异议")
    store = get_store()
    assert all(store.stat(key, version).legal_hold for key, version in _objects(stored))
    assert as_user(api, roles["inspector"]).get(f"/api/recordings/{stored.pk}").json()["legal_hold"] is True
    assert events("recording_legal_hold_set")[0].actor == complainant.username

    with clock.travel(dt.timedelta(days=61)):
        refused = as_user(api, roles["admin"]).delete(f"/api/recordings/{stored.pk}")
        assert refused.status_code == 409 and "法律保全" in refused.json()["detail"]
        complaint.state = complaint.State.RESOLVED
        complaint.save()
        with django_capture_on_commit_callbacks(execute=True):
            legal_hold_release(actor=roles["inspector"], project=project, reason="投诉已办结")
        assert not any(store.stat(key, version).legal_hold for key, version in _objects(stored))
        assert as_user(api, roles["admin"]).delete(f"/api/recordings/{stored.pk}").status_code == 204


def _objects(recording):
    recording.refresh_from_db()
    return [(recording.key, recording.version_id)] + [(i["key"], i["version_id"]) for i in recording.derived]


def test_playback_link_is_short_lived_audited_and_plays_the_h264_copy(api, stored, roles):
    from recordings.transcode import probe

    client = as_user(api, roles["inspector"])
    link = client.post(f"/api/recordings/{stored.pk}/playback").json()
    [played] = events("recording_played")
    assert played.actor == roles["inspector"].username and played.object_id == str(stored.pk)

    served = as_user(api, None).get(link["url"])
    assert served.status_code == 200 and served["Content-Type"] == "video/mp4"
    path = get_store().root / "played.mp4"
    path.write_bytes(b"".join(served.streaming_content))
    info = probe(path)
    assert (info.codec, info.pix_fmt, info.faststart) == ("h264", "yuv420p", True)
    with clock.travel(dt.timedelta(minutes=16)):
        assert as_user(api, None).get(link["url"]).status_code == 403
    assert as_user(api, roles["agency"]).post(f"/api/recordings/{stored.pk}/playback").status_code == 403


def test_the_rows_are_in_the_openapi_schema(api):
    paths = api.get("/api/openapi.json").json()["paths"]

    assert {"post", "get"} <= set(paths["/api/sessions/{id}/recordings"])
    assert {"get", "delete"} <= set(paths["/api/recordings/{id}"])
    body = paths["/api/sessions/{id}/recordings"]["post"]["requestBody"]["content"]["multipart/form-data"]
    assert body["schema"]["properties"]["file"]["format"] == "binary"


def test_an_upload_to_a_project_under_hold_is_stored_on_hold(api, past_session, roles, clip):
    complaint_open(actor=factories.tenderer_user(past_session.project), project=past_session.project, text="质疑")
    body = upload(as_user(api, roles["supervisor"]), past_session, clip).json()

    recording = Recording.objects.get(pk=body["id"])
    assert body["legal_hold"] is True
    assert all(get_store().stat(key, version).legal_hold for key, version in _objects(recording))


def test_recorded_start_after_the_scheduled_start_is_flagged_as_a_gap(api, past_session, roles, clip):
    late = past_session.starts_at + dt.timedelta(minutes=10)
    body = upload(as_user(api, roles["supervisor"]), past_session, clip, recorded_start=late.isoformat()).json()

    first_gap = body["flags"]["coverage_gaps"][0]
    assert [dt.datetime.fromisoformat(t) for t in first_gap] == [past_session.starts_at, late]


def test_the_session_manifest_cites_each_stored_files_sha256(stored):
    from recordings.selectors import session_manifest

    [entry] = session_manifest(stored.session)
    assert (entry["sha256"], entry["key"], entry["version_id"]) == (stored.sha256, stored.key, stored.version_id)
