"""Projects, their announcements and registrations."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from audit.history import AuditedModel, audited
from trading.models.organisations import Certificate, Organisation, ProjectManager

MONEY = {"max_digits": 16, "decimal_places": 2}


class ProjectType(models.TextChoices):
    PROCUREMENT = "procurement", _("政府采购")
    LAND_AUCTION = "land_auction", _("经营性土地拍卖")
    ASSET_TRANSFER = "asset_transfer", _("国有资产转让")
    FIXED_PRICE = "fixed_price", _("固定价比选")


class Status(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("报名中")
    REGISTRATION_CLOSED = "registration_closed", _("报名截止")
    QUALIFIED = "qualified", _("资格审查通过")
    FAILED = "failed", _("流标")
    DRAWN = "drawn", _("已抽取")
    OPENED = "opened", _("已开标")
    EVALUATED = "evaluated", _("已评标")
    PUBLICITY = "publicity", _("公示中")
    AWARDED = "awarded", _("已定标")
    CONTRACTED = "contracted", _("已签约")
    IN_PROGRESS = "in_progress", _("实施中")
    COMPLETED = "completed", _("已完工")
    TERMINATED = "terminated", _("已终止")


class DrawProtocol(models.TextChoices):
    """How a fixed-price project's draw is made (DESIGN §3): the centre's committed secret with sealed supervisor
    inputs, or IETF RFC 3797 from public numeric sources named in the announcement (no secret)."""

    FPS = "fps-draw-v1", _("承诺随机数 + 现场监督密封输入（fps-draw-v1）")
    RFC3797 = "rfc3797", _("公告指定的公开数值来源（RFC 3797）")


class Project(AuditedModel):
    """A trading project. The owning agency edits it while a draft; every later change goes through
    `trading.lifecycle.project_transition` (status) or a service that records who and why."""

    code = models.CharField(_("项目编号"), max_length=40, unique=True)
    round = models.PositiveSmallIntegerField(_("轮次"), default=1)
    type = models.CharField(_("交易类型"), max_length=20, choices=ProjectType.choices)
    title = models.CharField(_("项目名称"), max_length=200)
    agency = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="agency_projects",
                               verbose_name=_("招标代理"))
    tenderer = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="tenderer_projects",
                                 verbose_name=_("招标人"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("创建人"))
    budget = models.DecimalField(_("预算金额（元）"), **MONEY)
    fixed_price = models.DecimalField(_("固定合同价（元）"), null=True, blank=True, **MONEY)
    ceiling_price = models.DecimalField(_("最高投标限价（元）"), null=True, blank=True, **MONEY)
    government_invested = models.BooleanField(_("政府投资"), default=True)
    construction = models.BooleanField(_("建设工程"), default=True)
    qualification_kind = models.CharField(_("资质要求类别"), max_length=20, choices=Certificate.Kind.choices,
                                          blank=True, default="")
    qualification_grade = models.PositiveSmallIntegerField(_("资质最低等级"), choices=Certificate.Grade.choices,
                                                           default=Certificate.Grade.NONE)
    registration_deadline = models.DateTimeField(_("报名截止时间"))
    announcement = models.TextField(_("公告正文"), blank=True, default="")
    notice = models.TextField(_("随机抽取企业须知"), blank=True, default="")
    # the version of the centre's 随机抽取企业须知 the notice was built from at publication (trading.notices)
    notice_version = models.PositiveIntegerField(_("须知版本"), null=True, blank=True)
    external_input_source = models.CharField(_("外部公开随机数来源"), max_length=200, blank=True, default="")
    # null: fps-draw-v1, the default (nullable so that history rows written before this column stay verifiable)
    draw_protocol = models.CharField(_("抽取方式"), max_length=20, choices=DrawProtocol.choices,  # noqa: DJ001
                                     null=True, blank=True)
    # rfc3797: the public sources named in the announcement, in announced order (their values come after the close)
    draw_sources = models.JSONField(_("公开数值来源"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT,
                              db_index=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    commitment = models.CharField(_("随机数承诺值"), max_length=64, blank=True, default="")
    candidates_digest = models.CharField(_("候选名单摘要"), max_length=64, blank=True, default="")
    candidates_frozen_at = models.DateTimeField(_("名单冻结时间"), null=True, blank=True)
    publicity_until = models.DateTimeField(_("公示截止"), null=True, blank=True)
    legal_hold = models.BooleanField(_("法律保全"), default=False)
    # the end of the life cycle (nullable: history rows written before these columns stay verifiable)
    accepted_on = models.DateField(_("竣工验收日期"), null=True, blank=True)
    acceptance_note = models.TextField(_("验收意见"), null=True, blank=True)  # noqa: DJ001 (audit.migration_guard)
    termination_reason = models.TextField(_("终止理由"), null=True, blank=True)  # noqa: DJ001 (audit.migration_guard)
    history = audited()

    class Meta:
        verbose_name = _("交易项目")
        verbose_name_plural = _("交易项目")
        ordering = ["-registration_deadline", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(budget__gte=0), name="project_budget_not_negative"),
            models.CheckConstraint(
                condition=models.Q(fixed_price__isnull=True) | models.Q(fixed_price__lte=models.F("budget")),
                name="project_fixed_price_within_budget",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    audit_project = ""  # a project files its own entries

    @property
    def is_fixed_price(self) -> bool:
        return self.type == ProjectType.FIXED_PRICE

    @property
    def acceptance_label(self) -> str:
        """What the acceptance is called: goods and services are accepted on performance (履约验收, 政府采购法
        §41), works on completion (竣工验收)."""
        return str(_("履约验收") if self.type == ProjectType.PROCUREMENT else _("竣工验收"))

    @property
    def award_label(self) -> str:
        """What winning is called: 中选 in a fixed-price selection, 中标 in a tender (招标投标法 §45, 政府采购法 §46),
        成交 in an auction; the notices, the reasons in the history and the pages say it so."""
        if self.is_fixed_price:
            return str(pgettext("award", "中选"))
        return str(pgettext("award", "中标") if self.type == ProjectType.PROCUREMENT else pgettext("award", "成交"))

    @property
    def uses_rfc3797(self) -> bool:
        return self.is_fixed_price and self.draw_protocol == DrawProtocol.RFC3797


class Attachment(AuditedModel):
    """A file attached to an announcement, checked by content on upload. Added by the owning agency."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="attachments")
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    key = models.CharField(_("存储键"), max_length=300, unique=True)
    version_id = models.CharField(_("存储版本"), max_length=200, blank=True, default="")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    history = audited()

    class Meta:
        verbose_name = _("公告附件")
        verbose_name_plural = _("公告附件")

    def __str__(self) -> str:
        return self.name

    audit_project = "project"


RANDOM_ID_LOW, RANDOM_ID_HIGH = 2**32, 2**53


def random_registration_id() -> int:
    """A registration's key, drawn at random. An enterprise sees its own (API answers, pages, forms); a counter
    would tell it how many registered before it (招标投标法 art. 22). Above 2^32, so never one the former
    counter gave; below 2^53, so a JavaScript client reads it exactly. A collision is as likely as guessing one
    in 9×10^15, and the primary key refuses it."""
    return RANDOM_ID_LOW + secrets.randbelow(RANDOM_ID_HIGH - RANDOM_ID_LOW)


class Registration(AuditedModel):
    """An enterprise's registration for one round of a fixed-price project. Created by the enterprise before the
    deadline (the database compares its own clock with the deadline); eligibility written at close; the review
    by the agency or an administrator."""

    class Review(models.TextChoices):
        PENDING = "pending", _("待复核")
        CONFIRMED = "confirmed", _("已确认")
        OVERRIDDEN = "overridden", _("已改判")

    id = models.BigIntegerField(primary_key=True, default=random_registration_id, editable=False, verbose_name="ID")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="registrations")
    round = models.PositiveSmallIntegerField(_("轮次"))
    enterprise = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="registrations",
                                   verbose_name=_("企业"))
    manager = models.ForeignKey(ProjectManager, on_delete=models.PROTECT, related_name="registrations",
                                verbose_name=_("项目经理"))
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    acknowledged_notice = models.BooleanField(_("已阅读并承诺遵守须知"))
    # which version of 随机抽取企业须知 was acknowledged, and the SHA-256 of its text (nullable: rows before them)
    notice_version = models.PositiveIntegerField(_("须知版本"), null=True, blank=True)
    notice_sha256 = models.CharField(_("须知摘要"), max_length=64, null=True, blank=True)  # noqa: DJ001
    deadline = models.DateTimeField(_("报名截止时间"))
    registered_at = models.DateTimeField(_("报名时间"), db_default=Now())
    eligible = models.BooleanField(_("符合条件"), null=True, blank=True)
    exclusion_reasons = models.JSONField(_("不符合原因"), default=list, blank=True)
    review = models.CharField(_("复核"), max_length=20, choices=Review.choices, default=Review.PENDING)
    review_reason = models.TextField(_("复核意见"), blank=True, default="")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    null=True, blank=True)
    rank = models.PositiveIntegerField(_("抽取顺位"), null=True, blank=True)
    history = audited()

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        ordering = ["registered_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "round", "enterprise"], name="registration_once_per_round"),
            # the database, not only the form, refuses a late registration: its own clock against the deadline
            models.CheckConstraint(condition=models.Q(registered_at__lt=models.F("deadline")),
                                   name="registration_before_deadline"),
            models.CheckConstraint(condition=models.Q(acknowledged_notice=True), name="registration_acknowledged"),
        ]

    def __str__(self) -> str:
        return f"{self.project.code} · {self.enterprise}"

    audit_project = "project"
