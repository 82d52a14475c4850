"""Personal signing keys: the public half of a key a person made in their browser (core.personal_keys), bound to
their account by the centre's administrator so that what the key signs is theirs."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from audit.history import AuditedModel, audited
from core.personal_keys import SUITE_P256


class SigningKey(AuditedModel):
    """One public key of one person. Registered by its holder (pending); approved once by an administrator, which
    binds it to the account; revoked by an administrator with a reason, for good. Written only by
    trading.services.signing_keys; never deleted, and its key never changes: a signature made while it was bound
    stays valid after a revocation, one made after is not (`valid_at`)."""

    class Suite(models.TextChoices):
        ECDSA_P256 = SUITE_P256, _("ECDSA P-256 / SHA-256")

    class State(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已绑定")
        REVOKED = "revoked", _("已吊销")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="signing_keys",
                             verbose_name=_("持有人"))
    suite = models.CharField(_("算法"), max_length=30, choices=Suite.choices, default=Suite.ECDSA_P256)
    label = models.CharField(_("名称"), max_length=80, blank=True, default="")
    public_key = models.TextField(_("公钥（SPKI，base64）"))
    fingerprint = models.CharField(_("指纹（SHA-256）"), max_length=64, unique=True)
    registered_at = models.DateTimeField(_("提交时间"))
    approved_at = models.DateTimeField(_("绑定时间"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("审核人"))
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("吊销人"))
    revocation_reason = models.TextField(_("吊销原因"), blank=True, default="")
    history = audited()

    class Meta:
        verbose_name = _("签名密钥")
        verbose_name_plural = _("签名密钥")
        ordering = ["-registered_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(revoked_at__isnull=True) | ~models.Q(revocation_reason=""),
                                   name="signing_key_revoked_with_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.fingerprint[:16]}"

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return self.State.REVOKED
        return self.State.APPROVED if self.approved_at is not None else self.State.PENDING

    def get_state_display(self) -> str:
        return str(self.State(self.state).label)

    def valid_at(self, moment: dt.datetime) -> bool:
        """Bound at `moment`: approved at or before it, and not revoked at or before it."""
        return (self.approved_at is not None and self.approved_at <= moment
                and (self.revoked_at is None or moment < self.revoked_at))
