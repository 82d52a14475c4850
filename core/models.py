"""The task queue's own records: jobs a person started and follows on a page, and tasks that kept failing. They are
operational state, not domain records (what a job changes is audited by the service it calls), and live in core/
beside the task API because every app starts jobs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    """A piece of background work a person started (a video's analysis, a dossier, the chain's verification) and
    watches: written by core.tasks only, read by the person who started it and administrators."""

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("类别"), max_length=40)
    subject = models.CharField(_("对象"), max_length=100, blank=True, default="")  # "recording:12", "project:FP-1"
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    result = models.JSONField(_("结果"), null=True, blank=True)
    error = models.TextField(_("错误"), blank=True, default="")
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("发起人"))
    created_at = models.DateTimeField(_("创建时间"))
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(progress__lte=100), name="job_progress_percent")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)


class TaskFailure(models.Model):
    """A task that failed on its last allowed attempt: kept for administrators (the admin lists them), who resolve
    it (re-run the command by hand, or fix the cause) and mark it resolved."""

    task = models.CharField(_("任务"), max_length=200)
    arguments = models.JSONField(_("参数"), default=dict)
    job = models.ForeignKey(Job, on_delete=models.PROTECT, null=True, blank=True, related_name="failures",
                            verbose_name=_("后台任务"))
    attempts = models.PositiveSmallIntegerField(_("尝试次数"))
    error = models.TextField(_("错误"))
    traceback = models.TextField(_("调用栈"), blank=True, default="")
    failed_at = models.DateTimeField(_("失败时间"))
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("失败的后台任务")
        verbose_name_plural = _("失败的后台任务")
        ordering = ["-failed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.task} @ {self.failed_at:%Y-%m-%d %H:%M}"
