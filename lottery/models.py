"""Fixed-price draws: the committed secret, the supervisors' sealed inputs and the one draw per project round."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from audit.history import AuditedModel, audited
from trading.models import Project, Session


class DrawSecret(AuditedModel):
    """The 32-byte secret behind a round's published commitment. Created by the publish hook, never changed.
    Stored sealed (XOR with a keyed pad, see lottery.secrets) so that no page, API, admin screen, log, history
    row or database reader sees it before the draw; the draw unseals it and puts it in the public proof."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="draw_secrets")
    round = models.PositiveSmallIntegerField()
    sealed_secret = models.CharField(max_length=64)
    commitment = models.CharField(_("承诺值"), max_length=64)
    created_at = models.DateTimeField(_("生成时间"))
    history = audited()

    class Meta:
        verbose_name = _("抽取随机数承诺")
        verbose_name_plural = _("抽取随机数承诺")
        constraints = [models.UniqueConstraint(fields=["project", "round"], name="draw_secret_once_per_round")]

    def __str__(self) -> str:
        return f"{self.project.code}#{self.round} {self.commitment[:12]}…"

    def __repr__(self) -> str:  # never the sealed value, not even in a traceback
        return f"<DrawSecret {self.project_id}#{self.round}>"

    audit_project = "project"


class DrawInput(AuditedModel):
    """One supervisor's public input: sealed first (commitment only), revealed once every sealer has sealed.
    Written by that supervisor: created when sealing, changed once when revealing. The seal that completes the
    set of participants (every supervisor then signed in has sealed) is marked `closed_sealing`: no seal is
    taken after it, and a supervisor who signs in later is recorded as present without blocking the draw."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="draw_inputs")
    round = models.PositiveSmallIntegerField()
    position = models.PositiveSmallIntegerField(_("顺序"))
    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("来源"), max_length=100)
    commitment = models.CharField(_("密封值"), max_length=64)
    value = models.CharField(_("数值"), max_length=64, blank=True, default="")
    nonce = models.CharField(max_length=128, blank=True, default="")  # 32 hex characters since issue 13
    sealed_at = models.DateTimeField(_("密封时间"))
    revealed_at = models.DateTimeField(_("揭示时间"), null=True, blank=True)
    closed_sealing = models.BooleanField(_("密封截止"), null=True, blank=True)  # null: sealed before this was kept
    history = audited()

    class Meta:
        verbose_name = _("公开输入")
        verbose_name_plural = _("公开输入")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["project", "round", "supervisor"], name="draw_input_once_per_supervisor"),
            models.UniqueConstraint(fields=["project", "round", "position"], name="draw_input_position"),
        ]

    def __str__(self) -> str:
        return f"{self.source}: {self.commitment[:12]}…"

    audit_project = "project"


class Draw(AuditedModel):
    """The draw of one project round; the database allows one. Written once by the draw service."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="draws")
    round = models.PositiveSmallIntegerField()
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="draws", null=True, blank=True)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField(_("抽取时间"))
    seed = models.CharField(max_length=64)
    proof = models.JSONField(_("验证材料"))
    proof_sha256 = models.CharField(max_length=64)
    history = audited()

    class Meta:
        verbose_name = _("抽取结果")
        verbose_name_plural = _("抽取结果")
        constraints = [models.UniqueConstraint(fields=["project", "round"], name="one_draw_per_round")]

    def __str__(self) -> str:
        return f"{self.project.code}#{self.round}"

    audit_project = "project"
