"""Recordings of on-site sessions and the per-room recorder tokens that upload them unattended."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from audit.history import AuditedModel, audited
from trading.models import Room, Session


class Recording(AuditedModel):
    """One video of a session. Created pending by an upload (supervisor, administrator or the room's recorder),
    stored once its object is written and verified, failed when the object never arrived, purged after retention
    (the row stays as the tombstone's anchor). Its derived media follow the stored original: `derivation` says
    whether they exist yet. The object is evidence: nobody changes it, and nobody deletes it before
    `retention_until` or while the project is under legal hold."""

    class Status(models.TextChoices):
        PENDING = "pending", _("上传中")
        STORED = "stored", _("已存储")
        FAILED = "failed", _("上传失败")
        PURGED = "purged", _("已销毁")

    class Derivation(models.TextChoices):
        PENDING = "pending", _("待生成")
        DONE = "done", _("已生成")
        FAILED = "failed", _("无法生成")

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="recordings", verbose_name=_("场次"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    key = models.CharField(_("对象键"), max_length=300, unique=True)
    version_id = models.CharField(_("对象版本"), max_length=200, blank=True, default="")
    sha256 = models.CharField("SHA-256", max_length=64, blank=True, default="")
    size = models.BigIntegerField(_("字节数"), default=0)
    original_name = models.CharField(_("原文件名"), max_length=255, blank=True, default="")
    content_type = models.CharField(_("文件类型"), max_length=100, blank=True, default="")
    # who uploaded, as one string ("user:7" or "recorder:3") so that the idempotency key is unique per uploader
    uploader = models.CharField(_("上传方"), max_length=40)
    idempotency_key = models.CharField(_("幂等键"), max_length=200, blank=True, default="")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("上传人"))
    recorder = models.ForeignKey("RecorderToken", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="recordings", verbose_name=_("录像机"))
    fps = models.FloatField(_("帧率"), null=True, blank=True)
    frames = models.IntegerField(_("帧数"), null=True, blank=True)
    duration_s = models.FloatField(_("时长（秒）"), null=True, blank=True)
    width = models.IntegerField(_("宽"), null=True, blank=True)
    height = models.IntegerField(_("高"), null=True, blank=True)
    flags = models.JSONField(_("分析标记"), default=dict, blank=True)
    derived = models.JSONField(_("派生对象"), default=list, blank=True)  # [{"kind", "key", "version_id"}]
    # thumbnails, contact sheet and the playback copy (or its `playback_pending` flag) are made after the original is
    # stored: a process stopped in between leaves `pending` (set by the upload), which the reconciler finishes.
    # Null: a row written before this was tracked (a nullable column leaves older history rows' digests valid)
    derivation = models.CharField(_("派生媒体"), max_length=10, choices=Derivation.choices, null=True,  # noqa: DJ001
                                  blank=True)
    recorded_start = models.DateTimeField(_("录制开始时间"), null=True, blank=True)
    retention_until = models.DateTimeField(_("保存期限"))
    created_at = models.DateTimeField(_("上传时间"))
    stored_at = models.DateTimeField(_("存储时间"), null=True, blank=True)
    purged_at = models.DateTimeField(_("销毁时间"), null=True, blank=True)
    error = models.TextField(_("错误"), blank=True, default="")
    history = audited()

    class Meta:
        verbose_name = _("现场录像")
        verbose_name_plural = _("现场录像")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "uploader", "idempotency_key"], condition=~models.Q(idempotency_key=""),
                name="recording_idempotency_key_once_per_uploader",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="stored") | (models.Q(sha256__regex=r"^[0-9a-f]{64}$")
                                                       & ~models.Q(version_id="")),
                name="recording_stored_has_hash_and_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session} · #{self.pk}"

    audit_project = "session.project"

    @property
    def legal_hold(self) -> bool:
        return bool(self.session.project.legal_hold)

    def derived_of(self, kind: str) -> dict | None:
        return next((item for item in self.derived if item["kind"] == kind), None)


class RecorderToken(AuditedModel):
    """A room's recorder credential for unattended upload. Issued and revoked by centre administrators; the token
    itself is shown once and only its SHA-256 is kept."""

    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="recorder_tokens", verbose_name=_("场地"))
    token_hash = models.CharField(_("令牌摘要"), max_length=64, unique=True)
    label = models.CharField(_("说明"), max_length=100, blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("签发人"))
    created_at = models.DateTimeField(_("签发时间"))
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    history = audited()

    class Meta:
        verbose_name = _("录像机令牌")
        verbose_name_plural = _("录像机令牌")
        ordering = ["room", "-created_at"]

    def __str__(self) -> str:
        return f"{self.room} · {self.label or self.pk}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
