"""A process stopped in the middle of an upload, on real videos and the filesystem store: the recording says its
derived media are missing, `reconcile_recordings` finishes them (or marks them failed), a purge takes every object
the recording ever had, and the temporary files of a killed transfer are removed once stale, never left by a
refused or cut-off upload. The kill itself is the only thing simulated in-process (an exception no handler of the
code catches); the killed transfer is a real process killed by SIGKILL."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIRequest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory
from rest_framework.test import force_authenticate

from audit.models import LedgerEntry
from core import clock, context
from core.storage import get_store
from recordings import services
from recordings.api import SessionRecordingsView
from recordings.models import Recording
from tests.recordings.uploads import as_user, upload
from tests.recordings.videos import write_text

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


class Killed(BaseException):
    """The process dying: nothing after this point runs, and no `except Exception` of the code catches it."""


def upload_killed_after_derived(supervisor, session, clip, *, written: int) -> Recording:
    """An upload whose process dies once `written` derived objects (contact sheet first) are in the store."""
    real, names = services._put_derived, []

    def dying(recording, kind, name, *args):
        if len(names) == written:
            raise Killed
        names.append(name)
        return real(recording, kind, name, *args)

    with mock.patch.object(services, "_put_derived", dying), pytest.raises(Killed):
        services.recording_upload(actor=supervisor, session=session,
                                  upload=SimpleUploadedFile("clip.mp4", clip.read_bytes(), "video/mp4"))
    return Recording.objects.latest("pk")


def objects_under(recording: Recording) -> set[str]:
    return {info.key for info in get_store().list(recording.key.rsplit("/", 1)[0] + "/")}


def reconcile(*args: str) -> str:
    out = io.StringIO()
    call_command("reconcile_recordings", "--quiet", *args, stdout=out)
    return out.getvalue()


def test_a_recording_stored_before_its_process_died_says_its_derived_media_are_missing(
        api, past_session, roles, clip):
    recording = upload_killed_after_derived(roles["supervisor"], past_session, clip, written=1)

    body = as_user(api, roles["inspector"]).get(f"/api/recordings/{recording.pk}").json()
    assert body["status"] == "stored" and body["derivation"] == "pending"
    assert recording.derived == [] and "playback_pending" not in recording.flags
    assert objects_under(recording) == {recording.key, services.derived_key(recording, "contact-sheet.jpg")}


def test_reconcile_makes_the_missing_derived_media_and_adopts_what_the_dead_run_wrote(
        api, past_session, roles, clip):
    recording = upload_killed_after_derived(roles["supervisor"], past_session, clip, written=1)
    orphan = get_store().stat(services.derived_key(recording, "contact-sheet.jpg"))

    assert "derived media made for 0" in reconcile()  # stored a moment ago: its upload may still be running
    with clock.travel(dt.timedelta(hours=2)):
        out = reconcile()

    recording.refresh_from_db()
    assert "derived media made for 1, failed for 0" in out
    assert recording.derivation == Recording.Derivation.DONE
    assert {item["kind"] for item in recording.derived} == {"contact_sheet", "thumbnail", "playback"}
    assert recording.derived_of("contact_sheet")["version_id"] == orphan.version_id  # adopted, not rewritten
    assert recording.flags["playback_pending"] is False and "derived_errors" not in recording.flags
    assert objects_under(recording) == {recording.key} | {item["key"] for item in recording.derived}
    entry = LedgerEntry.objects.filter(object_type="recordings.Recording", object_id=str(recording.pk)).order_by("seq").last()
    assert (entry.actor, entry.reason) == ("system", "核对：补全缩略图与回放副本")
    body = as_user(api, roles["inspector"]).get(f"/api/recordings/{recording.pk}").json()
    assert body["derivation"] == "done"


def test_reconcile_finishes_the_derived_media_of_a_row_it_finalises(past_session, roles, clip):
    supervisor = roles["supervisor"]
    recording = upload_killed_after_derived(supervisor, past_session, clip, written=0)
    with context.acting(supervisor):  # as a process stopped between writing the original and finalising it
        recording.status, recording.version_id, recording.sha256, recording.stored_at = "pending", "", "", None
        recording.save()

    out = reconcile("--older-than", "0")

    recording.refresh_from_db()
    assert "finalised 1, failed 0, derived media made for 1" in out
    assert recording.status == "stored" and recording.derivation == "done"
    assert {item["kind"] for item in recording.derived} == {"contact_sheet", "thumbnail", "playback"}


def test_an_original_that_no_longer_matches_its_hash_leaves_the_derivation_failed_and_recorded(
        api, past_session, roles, clip):
    recording = upload_killed_after_derived(roles["supervisor"], past_session, clip, written=0)
    data = get_store().objects / recording.key / "@data"
    data.chmod(0o644)
    data.write_bytes(data.read_bytes()[:-10] + b"0123456789")  # bit rot on the disk, or a hand on it

    with clock.travel(dt.timedelta(hours=2)), pytest.raises(CommandError, match="SHA-256"):
        reconcile()

    recording.refresh_from_db()
    assert recording.status == "stored" and recording.derivation == Recording.Derivation.FAILED
    assert "SHA-256" in recording.flags["derived_errors"][0]
    [event] = LedgerEntry.objects.filter(action="recording_derivation_failed")
    assert event.actor == "system" and event.data["key"] == recording.key and "SHA-256" in event.data["reason"]
    body = as_user(api, roles["inspector"]).get(f"/api/recordings/{recording.pk}").json()
    assert body["derivation"] == "failed"
    with clock.travel(dt.timedelta(hours=3)):
        assert "derived media made for 0, failed for 0" in reconcile()  # settled: not retried every hour


def test_a_row_stored_before_derivation_was_tracked_is_settled_by_reconcile(past_session, roles, clip):
    complete = services.recording_upload(actor=roles["supervisor"], session=past_session, upload=SimpleUploadedFile(
        "clip.mp4", clip.read_bytes(), "video/mp4")).recording
    crashed = upload_killed_after_derived(roles["supervisor"], past_session, clip, written=1)
    with context.acting(roles["supervisor"]):  # as the rows were before the column existed
        for row in (complete, crashed):
            row.derivation = None
            row.save()
    assert complete.derived and not crashed.derived

    with clock.travel(dt.timedelta(hours=2)):
        assert "derived media made for 2" in reconcile()

    complete.refresh_from_db()
    crashed.refresh_from_db()
    assert complete.derivation == crashed.derivation == Recording.Derivation.DONE
    assert {item["kind"] for item in crashed.derived} == {"contact_sheet", "thumbnail", "playback"}


def test_purge_deletes_derived_objects_the_row_never_recorded_and_names_them_in_the_tombstone(
        past_session, roles, clip):
    recording = upload_killed_after_derived(roles["supervisor"], past_session, clip, written=1)
    sheet = services.derived_key(recording, "contact-sheet.jpg")

    with clock.travel(dt.timedelta(days=61)):
        call_command("purge_recordings", "--quiet", stdout=io.StringIO())

    recording.refresh_from_db()
    assert recording.status == Recording.Status.PURGED
    assert objects_under(recording) == set()
    [tombstone] = LedgerEntry.objects.filter(action="recording_purged")
    assert tombstone.data["derived"] == [sheet] and tombstone.data["derived_unrecorded"] == [sheet]


def test_purge_after_a_complete_upload_leaves_nothing_of_the_recording_in_the_store(api, past_session, roles, clip):
    recording = Recording.objects.get(pk=upload(as_user(api, roles["supervisor"]), past_session, clip).json()["id"])
    assert recording.derivation == Recording.Derivation.DONE
    derived = sorted(item["key"] for item in recording.derived)

    with clock.travel(dt.timedelta(days=61)):
        call_command("purge_recordings", "--quiet", stdout=io.StringIO())

    assert objects_under(recording) == set()
    [tombstone] = LedgerEntry.objects.filter(action="recording_purged")
    assert tombstone.data["derived"] == derived and tombstone.data["derived_unrecorded"] == []


# --- temporary files of transfers ---

def spooled(settings) -> list[Path]:
    return sorted(Path(settings.FILE_UPLOAD_TEMP_DIR).iterdir())


def test_a_transfer_killed_mid_upload_leaves_a_spool_that_reconcile_removes_once_stale(db, settings, tmp_path):
    size, kill_after = 24 * 1024 * 1024, 15 * 1024 * 1024
    env = {**os.environ, "FILE_UPLOAD_TEMP_DIR": settings.FILE_UPLOAD_TEMP_DIR, "VAR_DIR": str(tmp_path / "var")}
    env.pop("DATABASE_URL", None)
    killed = subprocess.run([sys.executable, str(ROOT / "tests/recordings/killed_transfer.py"), str(size),
                             str(kill_after)], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert killed.returncode == -9, killed.stderr
    [left] = spooled(settings)
    assert left.name.endswith(".upload.mp4") and left.stat().st_size >= kill_after - 1024 * 1024

    assert "removed 0 temporary file(s)" in reconcile()  # it could be a live transfer's: too young to judge
    with clock.travel(dt.timedelta(hours=settings.UPLOAD_TEMP_MAX_AGE_HOURS, minutes=1)):
        assert "removed 1 temporary file(s)" in reconcile()
    assert spooled(settings) == []


def test_reconcile_removes_a_stale_transcode_folder_and_keeps_a_fresh_one(db, settings):
    base = Path(settings.FILE_UPLOAD_TEMP_DIR)
    (base / "tmpdead").mkdir()
    (base / "tmpdead" / "playback.mp4").write_bytes(b"\0" * 1024)
    old = (clock.now() - dt.timedelta(hours=settings.UPLOAD_TEMP_MAX_AGE_HOURS + 1)).timestamp()
    for path in (base / "tmpdead" / "playback.mp4", base / "tmpdead"):
        os.utime(path, (old, old))
    (base / "tmplive").mkdir()
    (base / "tmplive" / "playback.mp4").write_bytes(b"\0" * 1024)

    assert "removed 1 temporary file(s)" in reconcile()
    assert [p.name for p in spooled(settings)] == ["tmplive"]


def test_a_refused_upload_leaves_no_spool(api, past_session, roles, tmp_path, settings):
    junk = write_text(tmp_path / "minutes.mp4")
    assert upload(as_user(api, roles["supervisor"]), past_session, junk).status_code == 400
    assert spooled(settings) == []


class CutBody:
    """A client that goes away part way through its upload: the server's read fails."""

    def __init__(self, body: bytes, cut_at: int):
        self.stream, self.left = io.BytesIO(body), cut_at

    def read(self, n: int = -1) -> bytes:
        if self.left <= 0:
            raise OSError("connection reset by peer")
        chunk = self.stream.read(min(n if n and n > 0 else self.left, self.left))
        self.left -= len(chunk)
        return chunk

    readline = read  # the WSGI input interface; the multipart parser only reads


def test_an_upload_cut_off_mid_body_leaves_no_spool(past_session, roles, clip, settings):
    boundary = "cut-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"clip.mp4\"\r\n"
            "Content-Type: video/mp4\r\n\r\n").encode() + clip.read_bytes() * 40 + f"\r\n--{boundary}--\r\n".encode()
    environ = RequestFactory()._base_environ(
        PATH_INFO=f"/api/sessions/{past_session.pk}/recordings", REQUEST_METHOD="POST",
        CONTENT_TYPE=f"multipart/form-data; boundary={boundary}", CONTENT_LENGTH=str(len(body)))
    environ["wsgi.input"] = CutBody(body, len(body) // 2)
    request = WSGIRequest(environ)
    force_authenticate(request, user=roles["supervisor"])

    with contextlib.suppress(Exception):
        SessionRecordingsView.as_view()(request, pk=past_session.pk)

    assert spooled(settings) == []  # while the request object is still alive: not left to the garbage collector
    assert not Recording.objects.exists()
