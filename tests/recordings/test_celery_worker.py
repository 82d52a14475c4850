"""The upload → analysis → playback path on real Celery workers over the machine's Redis: the request answers with
the queued job, a worker makes the analysis and the playback copy; a worker killed (SIGKILL) in the middle of a task
leaves it to a new worker, which finishes it once. Skipped when no Redis answers (make test runs on a machine with
one)."""

from __future__ import annotations

import pytest

from audit.models import LedgerEntry
from core.models import Job, TaskFailure
from recordings.models import Recording
from tests.recordings.celery_worker import Workers, redis_or_skip, wait_for
from tests.recordings.uploads import as_user, upload
from tests.recordings.videos import write_video

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def workers(settings, tmp_path):
    settings.CELERY_BROKER_URL = redis_or_skip()
    pool = Workers(tmp_path / "workers", visibility_timeout=4)
    (tmp_path / "workers").mkdir()
    settings.CELERY_TASK_DEFAULT_QUEUE = pool.queue
    yield pool
    pool.stop_all()
    import redis

    redis.Redis.from_url(settings.CELERY_BROKER_URL).delete(pool.queue)


def _job(recording_id: int) -> Job:
    return Job.objects.get(subject=f"recording:{recording_id}", kind="recording_analysis")


def test_upload_answers_with_the_queued_job_and_a_worker_makes_analysis_and_playback_copy(
        api, past_session, roles, clip, workers):
    workers.start()
    response = upload(as_user(api, roles["supervisor"]), past_session, clip)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "stored" and body["job"]["state"] == "queued"
    assert body["derivation"] == "pending" and body["flags"] == {"analysis_pending": True}
    job = wait_for(lambda: Job.objects.filter(pk=body["job"]["id"], state__in=["done", "failed"]).first(),
                   timeout=120, what="the analysis job", workers=workers)
    assert job.state == "done", job.error
    recording = Recording.objects.get(pk=body["id"])
    assert recording.derivation == "done" and recording.frames == 100
    assert {item["kind"] for item in recording.derived} >= {"contact_sheet", "thumbnail", "playback"}
    assert job.result["recording"] == recording.pk and job.result["playback_pending"] is False
    # the worker acted as the system account, and the page-follower sees the job through the API
    assert LedgerEntry.objects.filter(object_id=str(recording.pk), actor="system").exists()
    followed = api.get(f"/api/jobs/{job.pk}").json()
    assert (followed["state"], followed["progress"]) == ("done", 100)


def test_a_worker_killed_mid_task_leaves_the_task_to_a_new_worker_which_finishes_it_once(
        api, past_session, roles, tmp_path, workers):
    # long enough to be caught running: every frame of 40 s of 640x360 is read
    video = write_video(tmp_path / "long.mp4", seconds=40, size=(640, 360))
    first = workers.start()
    body = upload(as_user(api, roles["supervisor"]), past_session, video).json()
    wait_for(lambda: Job.objects.filter(pk=body["job"]["id"], state="running").exists(), timeout=120,
             what="the job to start", workers=workers)

    workers.kill(first)
    assert Job.objects.get(pk=body["job"]["id"]).state == "running"  # nobody finished it
    workers.start()

    job = wait_for(lambda: Job.objects.filter(pk=body["job"]["id"], state__in=["done", "failed"]).first(),
                   timeout=180, what="the redelivered job", workers=workers)
    assert job.state == "done", job.error
    assert job.attempts >= 2 and not TaskFailure.objects.exists()
    recording = Recording.objects.get(pk=body["id"])
    assert recording.derivation == "done" and recording.frames == 1000
    kinds = [item["kind"] for item in recording.derived]
    assert kinds.count("contact_sheet") == 1 and kinds.count("playback") <= 1  # adopted, never written twice
