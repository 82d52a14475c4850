"""Organisations and people. Users and organisations are deactivated, never deleted: history points at them."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from audit.history import AuditedModel, AuditedQuerySet, audited
from core.context import SYSTEM_USERNAME
from core.roles import Role
from trading.validators import normalise_uscc, validate_uscc


class Organisation(AuditedModel):
    """An agency, a tenderer or an enterprise. Changed by administrators; enterprises edit their own profile."""

    class Kind(models.TextChoices):
        AGENCY = "agency", _("招标代理机构")
        TENDERER = "tenderer", _("招标人")
        ENTERPRISE = "enterprise", _("投标企业")
        CENTRE = "centre", _("交易中心")

    name = models.CharField(_("名称"), max_length=200)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True, validators=[validate_uscc])
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    is_active = models.BooleanField(_("有效"), default=True)
    history = audited()

    class Meta:
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.uscc = normalise_uscc(self.uscc)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(_("机构只能停用，不能删除：审计历史指向该机构。"))


class AuditedUserManager(UserManager.from_queryset(AuditedQuerySet)):
    def create_superuser(self, username: str, email: str | None = None, password: str | None = None,
                         **extra_fields) -> User:
        # `createsuperuser` makes the centre's administrator (DESIGN §5), never a superuser of another role
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser, AuditedModel):
    """A person with one role. Created by administrators (or enterprise self-registration); never deleted."""

    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.ENTERPRISE)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("所属机构"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="users",
    )
    history = audited(excluded_fields=["last_login", "password"])
    objects = AuditedUserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            # the system role belongs to the one inactive system account: no person's account can become it
            models.CheckConstraint(
                condition=~models.Q(role=Role.SYSTEM) | models.Q(username=SYSTEM_USERNAME, is_active=False),
                name="system_role_only_for_the_system_account",
                violation_error_message=_("“系统”角色只属于系统账号，不能授予任何人。"),
            ),
            # a Django superuser is the centre's administrator: the flag never rides on another role
            models.CheckConstraint(
                condition=models.Q(is_superuser=False) | models.Q(role=Role.ADMIN),
                name="superuser_only_for_administrators",
                violation_error_message=_("只有中心管理员账号可以是超级用户。"),
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        # history rows and ledger entries point at the account; deleting it would null their actor
        raise TypeError(_("用户只能停用，不能删除：审计历史指向该账号。"))


class RoleGrant(AuditedModel):
    """A change of a person's role, filed by an administrator (trading.services.accounts, the only way a role
    changes). One that gives or takes a sensitive role (inspector, supervisor) waits for an inspector who is neither
    the requester nor the account concerned; any other applies at once. The first inspector of a fresh centre is
    granted by the `grant_first_inspector` command (state `bootstrap`). Never changed after its decision."""

    class State(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已驳回")
        APPLIED = "applied", _("已生效（无需审批）")
        BOOTSTRAP = "bootstrap", _("首位纪检监察（系统命令）")

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="role_grants", verbose_name=_("账号"))
    old_role = models.CharField(_("原角色"), max_length=20, choices=Role.choices)
    role = models.CharField(_("申请角色"), max_length=20, choices=Role.choices)
    sensitive = models.BooleanField(_("需审批"), default=False)
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.PENDING)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("申请人"))
    request_reason = models.TextField(_("申请理由"), blank=True)
    requested_at = models.DateTimeField(_("申请时间"))
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", null=True, blank=True,
                                   verbose_name=_("审批人"))
    decision_reason = models.TextField(_("审批意见"), blank=True)
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    history = audited()

    class Meta:
        verbose_name = _("角色授予")
        verbose_name_plural = _("角色授予")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=models.Q(state="pending"),
                                    name="one_pending_role_grant_per_user"),
            # four eyes: whoever decides is neither the requester nor the account concerned
            models.CheckConstraint(
                condition=models.Q(decided_by__isnull=True)
                | (~models.Q(decided_by=models.F("requested_by")) & ~models.Q(decided_by=models.F("user"))),
                name="role_grant_decided_by_a_second_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.get_role_display()} ({self.get_state_display()})"


class Certificate(AuditedModel):
    """A qualification certificate or the safety production licence of an enterprise. Changed by administrators
    (from the competent authority's data); kept with history when renewed."""

    class Kind(models.TextChoices):
        CONSTRUCTION = "construction", _("施工总承包")
        MUNICIPAL = "municipal", _("市政公用工程")
        DECORATION = "decoration", _("建筑装修装饰工程")
        SAFETY = "safety", _("安全生产许可证")

    class Grade(models.IntegerChoices):
        # higher is better; 以上 in requirements compares on this number
        NONE = 0, _("无等级")
        GRADE_3 = 3, _("三级")
        GRADE_2 = 4, _("二级")
        GRADE_1 = 5, _("一级")
        SPECIAL = 6, _("特级")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="certificates",
                                     verbose_name=_("企业"))
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    grade = models.PositiveSmallIntegerField(_("等级"), choices=Grade.choices, default=Grade.NONE)
    number = models.CharField(_("证书编号"), max_length=64)
    valid_until = models.DateField(_("有效期至"))
    history = audited()

    class Meta:
        verbose_name = _("资质证书")
        verbose_name_plural = _("资质证书")
        constraints = [models.UniqueConstraint(fields=["kind", "number"], name="certificate_unique_number")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.get_grade_display()} {self.number}"


class ProjectManager(AuditedModel):
    """A registered constructor (注册建造师) employed by an enterprise; the enterprise names one per registration.
    Entered by administrators or the enterprise itself (trading.services.reference), or on file from a registration."""

    class Grade(models.TextChoices):
        FIRST = "1", _("一级注册建造师")
        SECOND = "2", _("二级注册建造师")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="managers",
                                     verbose_name=_("企业"))
    name = models.CharField(_("姓名"), max_length=50)
    certificate_number = models.CharField(_("注册建造师证书编号"), max_length=64, unique=True)
    # nullable: the audit migration guard refuses a NOT NULL column on a history table that has rows (README)
    grade = models.CharField(_("建造师等级"), max_length=2, choices=Grade.choices, null=True,  # noqa: DJ001
                             blank=True)
    history = audited()

    class Meta:
        verbose_name = _("项目经理")
        verbose_name_plural = _("项目经理")

    def __str__(self) -> str:
        return f"{self.name}（{self.certificate_number}）"
