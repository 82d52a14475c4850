"""After the award: the contract and its signing deadline, bad-behaviour records and suspensions, follow-up by a
named officer, complaints (which freeze the award and hold the video) and referrals to discipline inspection."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.history import AuditedModel, audited
from core import clock
from trading.models.organisations import Organisation
from trading.models.projects import Project


class Contract(AuditedModel):
    """The contract offer to the winner (or, after a failure to sign, the next alternate). Written by services."""

    class State(models.TextChoices):
        OFFERED = "offered", _("待签订")
        SIGNED = "signed", _("已签订")
        LAPSED = "lapsed", _("逾期未签")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="contracts")
    enterprise = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="contracts")
    amount = models.DecimalField(_("合同金额（元）"), max_digits=16, decimal_places=2)
    offered_at = models.DateTimeField(_("发出时间"))
    sign_deadline = models.DateTimeField(_("签订期限"))
    signed_at = models.DateTimeField(_("签订时间"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.OFFERED)
    history = audited()

    class Meta:
        verbose_name = _("合同")
        verbose_name_plural = _("合同")
        ordering = ["offered_at"]

    def __str__(self) -> str:
        return f"{self.project.code} · {self.enterprise}"

    audit_project = "project"


class BadBehaviourRecord(AuditedModel):
    """不良行为记录. Written by services (failure to sign) or by administrators with a reason."""

    enterprise = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="bad_records")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="bad_records", null=True, blank=True)
    reason = models.TextField(_("事由"))
    recorded_at = models.DateTimeField(_("记录时间"))
    # set when an appeal is upheld (trading.services.notices); nullable for the audit migration guard
    annulled_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    history = audited()

    class Meta:
        verbose_name = _("不良行为记录")
        verbose_name_plural = _("不良行为记录")

    def __str__(self) -> str:
        return f"{self.enterprise}: {self.reason[:30]}"

    audit_project = "project"


class Suspension(AuditedModel):
    """An enterprise suspended from fixed-price selection until a date, or until it is lifted (an upheld appeal of
    its record: trading.services.notices); the original end stays on record."""

    enterprise = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="suspensions")
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    reason = models.TextField(_("事由"))
    record = models.ForeignKey(BadBehaviourRecord, on_delete=models.PROTECT, null=True, blank=True)
    lifted_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    history = audited()

    class Meta:
        verbose_name = _("暂停资格")
        verbose_name_plural = _("暂停资格")

    def __str__(self) -> str:
        return f"{self.enterprise} {self.starts_at:%Y-%m-%d}–{self.ends_at:%Y-%m-%d}"


class FollowUp(AuditedModel):
    """The named staff member following an awarded project (专人跟踪)."""

    project = models.OneToOneField(Project, on_delete=models.PROTECT, related_name="followup")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="followups",
                                verbose_name=_("跟踪责任人"))
    history = audited()

    class Meta:
        verbose_name = _("项目跟踪")
        verbose_name_plural = _("项目跟踪")

    def __str__(self) -> str:
        return f"{self.project.code} · {self.officer}"

    audit_project = "project"


class Milestone(AuditedModel):
    """A progress milestone of an awarded project, recorded by its follow-up officer."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="milestones")
    title = models.CharField(_("节点"), max_length=200)
    due = models.DateField(_("计划完成"))
    done_on = models.DateField(_("实际完成"), null=True, blank=True)
    note = models.TextField(_("情况说明"), blank=True, default="")
    # set when the project ends (acceptance or termination) with the milestone still open: no longer overdue
    closed_on = models.DateField(_("随项目结束关闭"), null=True, blank=True)
    history = audited()

    class Meta:
        verbose_name = _("进度节点")
        verbose_name_plural = _("进度节点")
        ordering = ["due"]

    def __str__(self) -> str:
        return self.title

    @property
    def overdue(self) -> bool:
        """Not done, not closed by the project's end, and past its due date, in the centre's time zone."""
        return self.done_on is None and self.closed_on is None and self.due < timezone.localdate(clock.now())

    audit_project = "project"


class Complaint(AuditedModel):
    """An objection (质疑/异议) to the agency, or a complaint (投诉) to the supervising department that follows one
    (trading.services.complaints; time limits in trading.complaint_rules). Filed by a party, answered by the
    project's agency (objection) or accepted and decided by a supervisor (complaint), withdrawn by its party; never
    edited otherwise. While pending it suspends the project's next step, freezes the award and holds the video."""

    class Kind(models.TextChoices):
        OBJECTION = "objection", _("质疑")
        COMPLAINT = "complaint", _("投诉")

    class Matter(models.TextChoices):
        DOCUMENTS = "documents", _("招标（采购）文件、公告")
        ONSITE = "onsite", _("开标、抽取、拍卖现场")
        RESULT = "result", _("评审、抽取、竞价结果")
        PROCESS = "process", _("其他交易活动")

    class State(models.TextChoices):
        OPEN = "open", _("处理中")
        RESOLVED = "resolved", _("已答复")
        ACCEPTED = "accepted", _("已受理")
        REFUSED = "refused", _("不予受理")
        DECIDED = "decided", _("已作出处理决定")
        WITHDRAWN = "withdrawn", _("已撤回")

    class Outcome(models.TextChoices):
        UPHELD = "upheld", _("成立")
        REJECTED = "rejected", _("不成立（驳回）")
        WITHDRAWN = "withdrawn", _("撤回")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="complaints")
    complainant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("内容"))
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.OPEN)
    answer = models.TextField(_("答复"), blank=True, default="")
    created_at = models.DateTimeField(_("提出时间"))
    # the statutory procedure (issue 16); nullable for the audit migration guard: a row without a kind is an objection
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices, null=True, blank=True)  # noqa: DJ001
    matter = models.CharField(_("事项"), max_length=20, choices=Matter.choices, null=True, blank=True)  # noqa: DJ001
    objection = models.ForeignKey("self", on_delete=models.PROTECT, related_name="escalations", null=True,
                                  blank=True, verbose_name=_("所涉质疑"))
    # filed by an enterprise before the registration deadline: never named to the agency before it, nor in public
    # (招标投标法 art. 22: the names of potential bidders are not disclosed)
    anonymous = models.BooleanField(_("截止前提出"), null=True, blank=True)
    answer_due = models.DateTimeField(_("答复期限"), null=True, blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    outcome = models.CharField(_("结果"), max_length=20, choices=Outcome.choices, null=True, blank=True)  # noqa: DJ001
    accept_due = models.DateTimeField(_("受理审查期限"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    decide_due = models.DateTimeField(_("处理决定期限"), null=True, blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decision = models.TextField(_("处理决定"), null=True, blank=True)  # noqa: DJ001 (audit.migration_guard)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   null=True, blank=True, verbose_name=_("承办人"))
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    history = audited()

    class Meta:
        verbose_name = _("质疑投诉")
        verbose_name_plural = _("质疑投诉")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.project.code}: {self.text[:30]}"

    audit_project = "project"

    @property
    def is_complaint(self) -> bool:
        return self.kind == self.Kind.COMPLAINT


class Referral(AuditedModel):
    """A problem referred to discipline inspection (纪委/监察局); inspectors see it in their inbox."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="referrals")
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("情况"))
    created_at = models.DateTimeField(_("移送时间"))
    history = audited()

    class Meta:
        verbose_name = _("移送纪检")
        verbose_name_plural = _("移送纪检")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.project.code}: {self.text[:30]}"

    audit_project = "project"
