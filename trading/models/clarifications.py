"""Change notices (变更公告) and clarifications (答疑/澄清) of a published project, while registration is open."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from audit.history import AuditedModel, audited
from trading.models.projects import Project


class Amendment(AuditedModel):
    """A public change notice. Published by the project's agency while registration is open, never edited or
    deleted afterwards: each notice is one version, numbered from 1, and the earlier ones stay public."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="amendments")
    number = models.PositiveSmallIntegerField(_("变更序号"))
    text = models.TextField(_("变更内容"))
    substantive = models.BooleanField(_("实质性变更"), default=False)
    deadline_before = models.DateTimeField(_("原报名截止时间"))
    deadline_after = models.DateTimeField(_("变更后报名截止时间"))
    published_at = models.DateTimeField(_("发布时间"))
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = audited()

    class Meta:
        verbose_name = _("变更公告")
        verbose_name_plural = _("变更公告")
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="amendment_number_once")]

    def __str__(self) -> str:
        return f"{self.project.code} #{self.number}"

    audit_project = "project"


class Question(AuditedModel):
    """An enterprise's question before the deadline. The asker is kept for the record and the inspectors (the
    audit history) and never shown to the public or the agency; the agency's answer is published to all."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="questions")
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("问题"))
    asked_at = models.DateTimeField(_("提问时间"))
    answer = models.TextField(_("答复"), blank=True, default="")
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    null=True, blank=True)
    history = audited()

    class Meta:
        verbose_name = _("答疑")
        verbose_name_plural = _("答疑")
        ordering = ["asked_at", "id"]

    def __str__(self) -> str:
        return f"{self.project.code}: {self.text[:30]}"

    audit_project = "project"
