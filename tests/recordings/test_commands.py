"""purge_recordings and reconcile_recordings on real videos in the embedded store: only expired, unheld
recordings go, each with one tombstone; a refusal by the store fails the command; pending rows are resolved."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.models import LedgerEntry
from core import clock
from core.storage import ObjectNotFound, get_store
from recordings import services
from recordings.models import Recording
from tests import factories
from tests.recordings.uploads import as_user, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored(api, past_session, roles, clip):
    body = upload(as_user(api, roles["supervisor"]), past_session, clip).json()
    return Recording.objects.get(pk=body["id"])


def purge(*args: str) -> str:
    out = io.StringIO()
    call_command("purge_recordings", "--quiet", *args, stdout=out)
    return out.getvalue()


def test_purge_leaves_retained_recordings_alone(stored):
    assert "purged 0" in purge()
    stored.refresh_from_db()
    assert stored.status == Recording.Status.STORED


def test_dry_run_lists_expired_recordings_and_changes_nothing(stored):
    with clock.travel(dt.timedelta(days=61)):
        assert f"would purge 1: #{stored.pk}" in purge("--dry-run")
    stored.refresh_from_db()
    assert stored.status == Recording.Status.STORED
    assert get_store().stat(stored.key, stored.version_id)


def test_purge_deletes_every_object_of_an_expired_recording_once(stored):
    with clock.travel(dt.timedelta(days=61)):
        assert f"purged 1: #{stored.pk}" in purge()
        assert "purged 0" in purge()  # a second run finds nothing left to do

    stored.refresh_from_db()
    assert stored.status == Recording.Status.PURGED
    for key, version in [(stored.key, stored.version_id)] + [(i["key"], i["version_id"]) for i in stored.derived]:
        with pytest.raises(ObjectNotFound):
            get_store().stat(key, version)
    [tombstone] = LedgerEntry.objects.filter(action="recording_purged")
    assert tombstone.actor == "system" and tombstone.data["sha256"] == stored.sha256


def test_purge_skips_recordings_under_legal_hold(stored, roles, django_capture_on_commit_callbacks):
    from trading.services.aftercare import complaint_open

    with django_capture_on_commit_callbacks(execute=True):
        complaint_open(actor=factories.tenderer_user(stored.session.project), project=stored.session.project,
                       text="质疑")
    with clock.travel(dt.timedelta(days=61)):
        assert "purged 0" in purge()
    stored.refresh_from_db()
    assert stored.status == Recording.Status.STORED


def test_purge_fails_when_the_store_refuses_and_keeps_the_row(stored):
    store = get_store()
    store.extend_retention(stored.key, stored.version_id, stored.retention_until + dt.timedelta(days=365))

    with clock.travel(dt.timedelta(days=61)), pytest.raises(CommandError, match="1 failed"):
        purge()
    stored.refresh_from_db()
    assert stored.status == Recording.Status.STORED
    assert not LedgerEntry.objects.filter(action="recording_purged").exists()


def _pending(session, actor, clip, *, with_object: bool) -> Recording:
    """A row left pending as by a process stopped after (or before) its object was written."""
    from recordings.analysis import analyse

    recording = services._pending_row(actor, session, f"user:{actor.pk}", "", None, "clip.mp4", analyse(clip),
                                      None)
    if with_object:
        with open(clip, "rb") as stream:
            get_store().put(recording.key, stream, content_type="video/mp4", metadata={},
                            retention_until=recording.retention_until)
    return recording


def test_reconcile_finalises_pending_rows_with_an_object_and_fails_the_others(past_session, roles, clip):
    arrived = _pending(past_session, roles["supervisor"], clip, with_object=True)
    lost = _pending(past_session, roles["supervisor"], clip, with_object=False)
    out = io.StringIO()

    call_command("reconcile_recordings", "--quiet", "--older-than", "0", stdout=out)

    arrived.refresh_from_db()
    lost.refresh_from_db()
    assert "finalised 1, failed 1" in out.getvalue()
    assert arrived.status == Recording.Status.STORED and arrived.sha256 == get_store().stat(arrived.key).sha256
    assert lost.status == Recording.Status.FAILED


def test_reconcile_leaves_recent_pending_rows_for_their_upload(past_session, roles, clip):
    recent = _pending(past_session, roles["supervisor"], clip, with_object=False)
    call_command("reconcile_recordings", "--quiet", stdout=io.StringIO())
    recent.refresh_from_db()
    assert recent.status == Recording.Status.PENDING


def test_recorder_token_command_prints_a_token_once_and_keeps_its_hash(past_session, roles):
    out = io.StringIO()
    call_command("recorder_token", past_session.room.name, "--by", roles["admin"].username, stdout=out)
    token = out.getvalue().strip()
    [issued] = past_session.room.recorder_tokens.all()
    assert issued.token_hash == services.token_digest(token) != token
    with pytest.raises(CommandError):
        call_command("recorder_token", past_session.room.name, "--by", roles["supervisor"].username)


def test_a_long_recordings_playback_copy_is_left_to_the_command(api, past_session, roles, clip, settings):
    from recordings.transcode import probe

    settings.RECORDING_INLINE_TRANSCODE_MAX_S = 1
    recording = Recording.objects.get(pk=upload(as_user(api, roles["supervisor"]), past_session, clip).json()["id"])
    assert recording.derived_of("playback") is None and recording.flags["playback_pending"] is True
    out = io.StringIO()

    call_command("make_playback_copies", "--quiet", stdout=out)

    recording.refresh_from_db()
    assert "made 1 playback copy" in out.getvalue() and recording.flags["playback_pending"] is False
    item = recording.derived_of("playback")
    copy = get_store().root / "copy.mp4"
    with get_store().open(item["key"], item["version_id"]) as source:
        copy.write_bytes(source.read())
    assert probe(copy).codec == "h264"
