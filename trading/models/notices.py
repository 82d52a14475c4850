"""The centre's notice texts with their versions, and appeals of bad-behaviour records."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from audit.history import AuditedModel, audited
from trading.models.aftercare import BadBehaviourRecord
from trading.models.organisations import Organisation


class NoticeKind(models.TextChoices):
    DRAWN_ENTERPRISES = "drawn_enterprises", _("随机抽取企业须知")
    MEETING_DISCIPLINE = "meeting_discipline", _("会议纪律")
    EXPERTS = "experts", _("评标专家须知")
    SUPERVISORS = "supervisors", _("监督管理人员须知")


class NoticeText(AuditedModel):
    """One version of a notice text. Published by the centre's administrator (trading.services.notices), never
    edited afterwards: a change is a new version, numbered from 1 per kind, and every earlier one stays readable.
    The current version of a kind is the one with the highest number."""

    kind = models.CharField(_("须知类别"), max_length=30, choices=NoticeKind.choices)
    version = models.PositiveIntegerField(_("版本"))
    text = models.TextField(_("正文"))
    sha256 = models.CharField(_("正文摘要（SHA-256）"), max_length=64)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("发布人"))
    published_at = models.DateTimeField(_("发布时间"))
    change_note = models.TextField(_("修改说明"), blank=True, default="")
    history = audited()

    class Meta:
        verbose_name = _("须知文本")
        verbose_name_plural = _("须知文本")
        ordering = ["kind", "-version"]
        constraints = [models.UniqueConstraint(fields=["kind", "version"], name="notice_text_one_per_version")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"


class Appeal(AuditedModel):
    """申诉 of a bad-behaviour record, filed by the enterprise concerned with a reason; decided once by the
    centre's administrator with a written reason (upheld: the record is annulled and its suspension lifted from
    the decision on; rejected: both stand). One open appeal per record at a time; never changed after its
    decision (trading.services.notices)."""

    class State(models.TextChoices):
        OPEN = "open", _("待处理")
        UPHELD = "upheld", _("申诉成立")
        REJECTED = "rejected", _("申诉驳回")

    record = models.ForeignKey(BadBehaviourRecord, on_delete=models.PROTECT, related_name="appeals",
                               verbose_name=_("不良行为记录"))
    enterprise = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="appeals",
                                   verbose_name=_("企业"))
    reason = models.TextField(_("申诉理由"))
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("申诉人"))
    filed_at = models.DateTimeField(_("申诉时间"))
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.OPEN)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
                                   blank=True, verbose_name=_("处理人"))
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decision_reason = models.TextField(_("处理理由"), blank=True, default="")
    history = audited()

    class Meta:
        verbose_name = _("不良行为记录申诉")
        verbose_name_plural = _("不良行为记录申诉")
        ordering = ["-filed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["record"], condition=models.Q(state="open"),
                                    name="one_open_appeal_per_record"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.get_state_display()}"

    audit_project = "record.project"
