"""The recordings API on a real S3 server with object lock (SeaweedFS from scripts/s3_server.sh): COMPLIANCE
retention and legal hold on the stored versions, the server itself refusing an early version delete, and an
upload while the store is down resolved by the reconciler once it is back."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import socket
import uuid

import pytest
from django.core.management import call_command
from minio.error import S3Error

from core.storage import get_store
from recordings.models import Recording
from tests import factories
from tests.recordings.uploads import as_user, upload

pytestmark = [pytest.mark.django_db, pytest.mark.s3]


@pytest.fixture
def s3_settings(settings, s3_server):
    settings.S3_ENDPOINT = s3_server["endpoint"]
    settings.S3_ACCESS_KEY = s3_server["access_key"]
    settings.S3_SECRET_KEY = s3_server["secret_key"]
    settings.S3_BUCKET = f"jiaoyi-rec-{uuid.uuid4().hex[:12]}"
    settings.S3_SECURE = False
    return settings


def test_s3_upload_is_locked_and_the_server_refuses_an_early_version_delete(api, s3_settings, past_session,
                                                                            roles, clip):
    body = upload(as_user(api, roles["supervisor"]), past_session, clip).json()
    recording = Recording.objects.get(pk=body["id"])
    store = get_store()
    assert store.supports_object_lock()

    info = store.stat(recording.key, recording.version_id)
    assert info.sha256 == hashlib.sha256(clip.read_bytes()).hexdigest() == body["sha256"]
    assert abs((info.retention_until - recording.retention_until).total_seconds()) < 1
    with pytest.raises(S3Error) as refused:
        store.client.remove_object(store.bucket, recording.key, version_id=recording.version_id)
    assert refused.value.code == "AccessDenied"
    assert as_user(api, roles["admin"]).delete(f"/api/recordings/{recording.pk}").status_code == 409
    assert store.stat(recording.key, recording.version_id).size == clip.stat().st_size


def test_s3_complaint_puts_every_object_version_on_legal_hold(api, s3_settings, past_session, roles, clip,
                                                              django_capture_on_commit_callbacks):
    from trading.services.aftercare import complaint_open

    recording = Recording.objects.get(pk=upload(as_user(api, roles["admin"]), past_session, clip).json()["id"])
    with django_capture_on_commit_callbacks(execute=True):
        complaint_open(actor=factories.tenderer_user(past_session.project), project=past_session.project,
                       text="质疑抽取过程")

    store = get_store()
    objects = [(recording.key, recording.version_id)] + [(i["key"], i["version_id"]) for i in recording.derived]
    assert all(store.stat(key, version).legal_hold for key, version in objects)


def test_s3_after_zero_day_retention_delete_removes_the_version(api, s3_settings, past_session, roles, clip):
    s3_settings.RECORDING_RETENTION_DAYS = 0
    recording = Recording.objects.get(pk=upload(as_user(api, roles["admin"]), past_session, clip).json()["id"])

    assert as_user(api, roles["admin"]).delete(f"/api/recordings/{recording.pk}").status_code == 204
    store = get_store()
    versions = list(store.client.list_objects(store.bucket, prefix=f"recordings/{past_session.project.code}/",
                                              recursive=True, include_version=True))
    assert versions == []


def test_s3_a_crashed_uploads_derived_media_are_finished_and_purged_with_every_version(
        s3_settings, past_session, roles, clip):
    from core import clock
    from tests.recordings.test_crash_recovery import upload_killed_after_derived

    s3_settings.RECORDING_RETENTION_DAYS = 0
    recording = upload_killed_after_derived(roles["supervisor"], past_session, clip, written=1)
    with clock.travel(dt.timedelta(hours=2)):
        call_command("reconcile_recordings", "--quiet", stdout=io.StringIO())
    recording.refresh_from_db()
    assert recording.derivation == "done" and recording.derived_of("thumbnail") is not None

    call_command("purge_recordings", "--quiet", stdout=io.StringIO())

    store = get_store()
    versions = list(store.client.list_objects(store.bucket, prefix=recording.key.rsplit("/", 1)[0] + "/",
                                              recursive=True, include_version=True))
    assert versions == []


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_s3_down_during_upload_leaves_no_stored_row_and_the_reconciler_resolves_it(api, s3_settings, past_session,
                                                                                   roles, clip):
    endpoint = s3_settings.S3_ENDPOINT
    s3_settings.S3_ENDPOINT = f"127.0.0.1:{_closed_port()}"
    client = as_user(api, roles["supervisor"])

    down = upload(client, past_session, clip, key="cam-1")
    assert down.status_code == 503 and "存储" in down.json()["detail"]
    [pending] = Recording.objects.all()
    assert pending.status == Recording.Status.PENDING and pending.error
    assert upload(client, past_session, clip, key="cam-1").status_code == 409  # not resolved yet

    s3_settings.S3_ENDPOINT = endpoint
    call_command("reconcile_recordings", "--quiet", "--older-than", "0", stdout=io.StringIO())
    pending.refresh_from_db()
    assert pending.status == Recording.Status.FAILED
    retried = upload(client, past_session, clip, key="cam-1")
    assert retried.status_code == 201 and retried.json()["id"] == pending.pk
    assert Recording.objects.get().status == Recording.Status.STORED
