"""Organisations and people. Users and organisations are deactivated, never deleted: history points at them."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from audit.history import AuditedManager, AuditedQuerySet, audited
from config.roles import Role
from trading.validators import normalise_uscc, validate_uscc


class Organisation(models.Model):
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
    objects = AuditedManager()

    class Meta:
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.uscc = normalise_uscc(self.uscc)


class User(AbstractUser):
    """A person with one role. Created by administrators (or enterprise self-registration); never deleted."""

    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.ENTERPRISE)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("所属机构"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="users",
    )
    history = audited(excluded_fields=["last_login", "password"])
    objects = UserManager.from_queryset(AuditedQuerySet)()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.get_full_name() or self.username
