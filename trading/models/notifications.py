"""What the platform tells people: one row per event and recipient, shown in the recipient's inbox and mailed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from audit.history import AuditedModel, audited
from trading.models.projects import Project


class Notification(AuditedModel):
    """A message to one person about one event. Written only by trading.services.notifications (created by a task
    after the event's transaction committed; the recipient marks it read; the mail task records the send). The
    `event` key is unique per recipient, so a task delivered twice never tells anyone twice. One that names a
    registrant to its own people (a receipt, a change notice to those registered) is sealed like the registration
    itself: its ledger entries are masked until the project's registration deadline (trading.selectors)."""

    class Kind(models.TextChoices):
        REGISTRATION_RECEIPT = "registration_receipt", _("报名回执")
        RESULT = "result", _("结果通知")
        AWARD = "award", _("中选通知")
        CONTRACT_OFFER = "contract_offer", _("合同签订要约")
        MILESTONE_OVERDUE = "milestone_overdue", _("进度逾期")
        EXPERT_CALLED = "expert_called", _("专家抽取通知")
        AMENDMENT = "amendment", _("变更公告")
        ANSWER = "answer", _("答疑答复")
        COMPLAINT = "complaint", _("质疑投诉")
        REFERRAL = "referral", _("移送纪检监察")
        FINDING = "finding", _("风险提示")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications",
                                  verbose_name=_("收件人"))
    kind = models.CharField(_("类别"), max_length=30, choices=Kind.choices)
    event = models.CharField(_("事件"), max_length=200)  # "registration:12", "contract:3:offer", …
    project = models.ForeignKey(Project, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                verbose_name=_("项目"))
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    names_registrant = models.BooleanField(_("涉及报名企业"), default=False)
    created_at = models.DateTimeField(_("时间"))
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    email_to = models.CharField(_("邮件地址"), max_length=254, blank=True, default="")
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)
    history = audited()

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["event", "recipient"], name="notification_once_per_event")]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return f"{self.recipient} · {self.title}"
    audit_project = "project"
