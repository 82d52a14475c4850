"""A project's dossier: one row per stored version. The ZIP itself lives in object storage (write-once, kept
DOSSIER_RETENTION_YEARS, 政府采购法 art. 42); the row is written only after the object is stored, so a row always
points at a complete ZIP. Created by `archive.services.dossier_build` only; never changed."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from audit.history import AuditedModel, audited
from core.errors import Conflict
from trading.models import Project


class Dossier(AuditedModel):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="dossiers",
                                verbose_name=_("项目"))
    version = models.PositiveIntegerField(_("版本"))
    key = models.CharField(_("存储键"), max_length=300, unique=True)
    version_id = models.CharField(_("对象版本"), max_length=200, blank=True, default="")
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    files = models.PositiveIntegerField(_("文件数"))
    built_at = models.DateTimeField(_("生成时间"))
    built_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("生成人"))
    retention_until = models.DateTimeField(_("保存期限"))
    history = audited()

    class Meta:
        verbose_name = _("项目档案")
        verbose_name_plural = _("项目档案")
        ordering = ["project", "-version"]
        constraints = [models.UniqueConstraint(fields=["project", "version"], name="dossier_version_once")]

    def __str__(self) -> str:
        return f"{self.project.code} v{self.version}"

    audit_project = "project"


class Release(AuditedModel):
    """One OCDS release as it was released: its JSON as served and the SHA-256 of that JSON. Append-only — a new
    row whenever what the project discloses changes (archive.services.release_record), never an update, so the
    release package serves every stage of the contracting process, oldest first (DESIGN §5)."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="ocds_releases",
                                verbose_name=_("项目"))
    round = models.PositiveSmallIntegerField(_("轮次"))
    ocid = models.CharField("ocid", max_length=120, db_index=True)
    release_id = models.CharField(_("发布编号"), max_length=160, unique=True)
    date = models.DateTimeField(_("发布时间"))
    data = models.JSONField(_("发布内容"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    history = audited()

    class Meta:
        verbose_name = _("OCDS 发布")
        verbose_name_plural = _("OCDS 发布")
        ordering = ["project", "date", "id"]

    def __str__(self) -> str:
        return self.release_id

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise Conflict(_("OCDS 发布一经发布不可更改。"))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise Conflict(_("OCDS 发布一经发布不可更改。"))

    audit_project = "project"


class RecordNumber(AuditedModel):
    """A PDF record's document number (文号): RECORD_NUMBER_PREFIX〔year〕serial号, the serial counting the numbers
    of that prefix and year. Assigned once, by archive.services.record_number, when the record is first issued
    (downloaded or put in a dossier), and never changed: the same record always carries the same number."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="record_numbers",
                                verbose_name=_("项目"))
    round = models.PositiveSmallIntegerField(_("轮次"))
    kind = models.CharField(_("记录类型"), max_length=40)
    prefix = models.CharField(_("文号前缀"), max_length=40)
    year = models.PositiveSmallIntegerField(_("年份"))
    serial = models.PositiveIntegerField(_("序号"))
    number = models.CharField(_("文号"), max_length=80, unique=True)
    assigned_at = models.DateTimeField(_("编号时间"))
    history = audited()

    class Meta:
        verbose_name = _("文号")
        verbose_name_plural = _("文号")
        ordering = ["prefix", "year", "serial"]
        constraints = [
            models.UniqueConstraint(fields=["project", "round", "kind"], name="record_number_once"),
            models.UniqueConstraint(fields=["prefix", "year", "serial"], name="record_number_serial_once"),
        ]

    def __str__(self) -> str:
        return self.number

    audit_project = "project"


class RecordSignature(AuditedModel):
    """A person's signature of one version of a record (archive.selectors.Record): the record's `digest` (SHA-256
    of its canonical JSON, the document number left out) signed with the signer's bound key over
    core.personal_keys.record_message. Written only by archive.signatures.record_sign after the server verified it;
    never changed or deleted. `standing` is why the signer may sign this record (supervisor of its session, the
    project's agency, a bidder of the opening, an expert of the panel)."""

    class Standing(models.TextChoices):
        SUPERVISOR = "supervisor", _("现场监督")
        AGENCY = "agency", _("招标代理")
        BIDDER = "bidder", _("投标人")
        EXPERT = "expert", _("评标专家")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="record_signatures",
                                verbose_name=_("项目"))
    round = models.PositiveSmallIntegerField(_("轮次"))
    kind = models.CharField(_("记录类型"), max_length=40)
    digest = models.CharField(_("记录摘要（SHA-256）"), max_length=64)
    key = models.ForeignKey("trading.SigningKey", on_delete=models.PROTECT, related_name="signatures",
                            verbose_name=_("签名密钥"))
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("签名人"))
    standing = models.CharField(_("签名身份"), max_length=20, choices=Standing.choices)
    signature = models.TextField(_("签名（base64，r‖s）"))
    signed_at = models.DateTimeField(_("签名时间"))
    history = audited()

    class Meta:
        verbose_name = _("记录电子签名")
        verbose_name_plural = _("记录电子签名")
        ordering = ["project", "kind", "signed_at", "id"]
        constraints = [models.UniqueConstraint(fields=["project", "round", "kind", "digest", "signer"],
                                               name="record_signature_once_per_signer")]

    def __str__(self) -> str:
        return f"{self.project.code} {self.kind} · {self.signer}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise Conflict(_("电子签名一经提交不可更改。"))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise Conflict(_("电子签名一经提交不可更改。"))

    audit_project = "project"
