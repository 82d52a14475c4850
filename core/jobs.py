"""Reading jobs: the person who started one (and the centre's administrators) may follow it; to anyone else it
does not exist. The API answer and the page show the same fields."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import serializers

from core.models import Job
from core.roles import can


def job_for(user: Any, pk: int) -> Job:
    job = Job.objects.filter(pk=pk).first()
    mine = job is not None and job.started_by_id is not None and job.started_by_id == getattr(user, "pk", None)
    if not (mine or (job is not None and can(user, "centre.admin"))):
        raise Http404(_("后台任务不存在。"))
    return job


def latest_job(subject: str, kind: str) -> Job | None:
    return Job.objects.filter(subject=subject, kind=kind).order_by("-created_at", "-id").first()


class JobSerializer(serializers.ModelSerializer):
    class Meta:
        model = Job
        fields = ["id", "kind", "subject", "state", "progress", "result", "error", "attempts", "created_at",
                  "started_at", "finished_at"]
        read_only_fields = fields
