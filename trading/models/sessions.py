"""Rooms of the centre, sessions booked in them, and the on-site attendance sheet."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from audit.history import AuditedModel, audited
from core.timefmt import local_time
from trading.models.projects import Project


class RoomKind(models.TextChoices):
    OPENING = "opening", _("开标室")
    EVALUATION = "evaluation", _("评标室")
    DRAW = "draw", _("抽取室")
    AUCTION = "auction", _("拍卖室")


class Room(AuditedModel):
    """A room with video surveillance. Changed by centre administrators."""

    kind = models.CharField(_("类型"), max_length=20, choices=RoomKind.choices)
    name = models.CharField(_("名称"), max_length=100, unique=True)
    is_active = models.BooleanField(_("启用"), default=True)
    history = audited()

    class Meta:
        verbose_name = _("场地")
        verbose_name_plural = _("场地")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class Session(AuditedModel):
    """A bid opening, evaluation, draw or auction of a project in a room. Booked by the owning agency; the database
    refuses two overlapping sessions in one room."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="sessions")
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("场地"))
    kind = models.CharField(_("类型"), max_length=20, choices=RoomKind.choices)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = audited()

    class Meta:
        verbose_name = _("场次")
        verbose_name_plural = _("场次")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"),
        ]  # no double booking: a database trigger / exclusion constraint (migration 0003)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.room} · {local_time(self.starts_at)}"

    audit_project = "project"


class Attendance(AuditedModel):
    """One person signed in to a session under a role badge. Written by that person; never changed."""

    class Badge(models.TextChoices):
        SUPERVISOR = "supervisor", _("现场监督")
        TENDERER = "tenderer", _("招标人代表")
        AGENCY = "agency", _("招标代理")
        BIDDER = "bidder", _("投标人代表")
        EXPERT = "expert", _("评标专家")

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="attendance")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="attendance")
    badge = models.CharField(_("身份"), max_length=20, choices=Badge.choices)
    signed_at = models.DateTimeField(_("签到时间"), db_default=Now())
    history = audited()

    class Meta:
        verbose_name = _("签到")
        verbose_name_plural = _("签到表")
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="attendance_once_per_session")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_badge_display()}"

    audit_project = "session.project"
