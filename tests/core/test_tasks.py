"""The task API: in-process on commit by default, as the system account; jobs followed by who started them; a task
that keeps failing kept for administrators; a message can name only our own functions; the beat schedule names
tasks that exist."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings

from audit.models import LedgerEntry
from core import tasks
from core.models import Job, TaskFailure
from core.roles import Role
from inspection.tasks import verify_chain_for
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_message_can_name_only_a_function_of_the_platforms_apps():
    for name in ("os:system", "subprocess:run", "core.tasks:run_now.__call__", "tests.factories:user",
                 "trading.services.accounts:role_grant_request", "core.tasks:run_now", "trading.nowhere:x"):
        with pytest.raises(LookupError):
            tasks.spec_for(name)
    assert tasks.spec_for("audit.checkpoints:publish").retries == tasks.DEFAULT_RETRIES


def test_every_periodic_task_in_the_beat_schedule_exists():
    for entry in django_settings.CELERY_BEAT_SCHEDULE.values():
        name, args, kwargs = entry["args"]
        assert entry["task"] == "core.run" and callable(tasks.spec_for(name).fn)


def test_a_job_runs_on_commit_as_the_system_account_and_keeps_its_result():
    inspector = factories.user(Role.INSPECTOR)
    job = tasks.job_start(kind="chain_verify", subject="audit-chain", actor=inspector, fn=verify_chain_for,
                          args=(inspector.pk,))

    job.refresh_from_db()
    assert (job.state, job.progress, job.attempts) == ("done", 100, 1)
    assert job.result["ok"] is True and job.result["url"] == "/inspect/chain/"
    event = LedgerEntry.objects.get(action="audit_verified")
    assert event.actor == inspector.username and event.reason == "inspection.tasks:verify_chain_for"


def test_a_job_delivered_again_after_it_finished_is_not_run_again():
    inspector = factories.user(Role.INSPECTOR)
    job = tasks.job_start(kind="chain_verify", subject="audit-chain", actor=inspector, fn=verify_chain_for,
                          args=(inspector.pk,))
    tasks.execute(tasks.name_of(verify_chain_for), [inspector.pk], {}, job_id=job.pk, attempt=2, final=False)
    assert LedgerEntry.objects.filter(action="audit_verified").count() == 1


def test_a_job_that_fails_for_good_is_failed_and_kept_for_the_administrators():
    from archive.tasks import build_dossier

    admin = factories.user(Role.ADMIN)
    project = factories.fixed_price_project()  # not finished: no dossier
    job = tasks.job_start(kind="dossier_build", subject=f"project:{project.code}", actor=admin, fn=build_dossier,
                          args=(project.code, admin.pk))

    job.refresh_from_db()
    assert job.state == "failed" and "DossierRefused" in job.error
    [failure] = TaskFailure.objects.all()
    assert (failure.task, failure.job, failure.attempts) == ("archive.tasks:build_dossier", job, 1)
    assert failure.arguments == {"args": [project.code, admin.pk], "kwargs": {}} and "Traceback" in failure.traceback


def test_a_job_is_followed_by_who_started_it_and_the_administrators_only(api, client):
    inspector = factories.user(Role.INSPECTOR)
    job = tasks.job_start(kind="chain_verify", subject="audit-chain", actor=inspector, fn=verify_chain_for,
                          args=(inspector.pk,))
    api.force_login(factories.user(Role.INSPECTOR))
    assert api.get(f"/api/jobs/{job.pk}").status_code == 404
    api.force_login(factories.user(Role.ADMIN))
    assert api.get(f"/api/jobs/{job.pk}").json()["state"] == "done"
    api.force_login(inspector)
    answer = api.get(f"/api/jobs/{job.pk}").json()
    assert (answer["kind"], answer["state"], answer["progress"]) == ("chain_verify", "done", 100)
    client.force_login(inspector)
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "已完成" in page and 'href="/inspect/chain/"' in page and 'http-equiv="refresh"' not in page


def test_a_queued_jobs_page_refreshes_itself(client):
    inspector = factories.user(Role.INSPECTOR)
    job = Job.objects.create(kind="chain_verify", started_by=inspector, created_at=django_now())
    client.force_login(inspector)
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert 'http-equiv="refresh"' in page and "排队中" in page


def test_the_verify_button_answers_with_the_job_page(client):
    inspector = factories.user(Role.INSPECTOR)
    client.force_login(inspector)
    answer = client.post("/inspect/chain/verify/")
    job = Job.objects.get(kind="chain_verify")
    assert answer.status_code == 302 and answer["Location"] == f"/jobs/{job.pk}/"


def test_the_periodic_commands_still_run_by_hand():
    from django.core.management import call_command

    for command in ("run_deadlines", "purge_recordings", "reconcile_recordings", "make_playback_copies"):
        call_command(command, "--quiet")


def django_now():
    from core import clock

    return clock.now()


def test_a_broker_that_cannot_be_reached_leaves_the_task_for_the_administrators(settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    inspector = factories.user(Role.INSPECTOR)
    job = tasks.job_start(kind="chain_verify", subject="audit-chain", actor=inspector, fn=verify_chain_for,
                          args=(inspector.pk,))

    job.refresh_from_db()
    [failure] = TaskFailure.objects.all()
    assert job.state == "failed" and (failure.job, failure.attempts) == (job, 0)
