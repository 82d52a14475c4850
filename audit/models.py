"""The one audit ledger. Entries are appended only through `audit.ledger` (in the same transaction as the change
they record) and never changed: on PostgreSQL, triggers refuse UPDATE, DELETE and TRUNCATE."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class HistoricalBase(models.Model):
    """The base every django-simple-history model shares (see `audit.history.audited`)."""

    history_ip = models.CharField(_("IP"), max_length=45, blank=True, default="")
    history_role = models.CharField(_("角色"), max_length=20, blank=True, default="")

    class Meta:
        abstract = True


class LedgerEntry(models.Model):
    """One link of the hash chain. Written by `audit.ledger.append` only; read-only for everyone."""

    seq = models.BigIntegerField(_("序号"), primary_key=True)
    at = models.DateTimeField(_("时间"))
    actor_id = models.BigIntegerField(_("操作人ID"), null=True, blank=True)
    actor = models.CharField(_("操作人"), max_length=150, blank=True, default="")
    role = models.CharField(_("角色"), max_length=20, blank=True, default="")
    ip = models.CharField(_("IP"), max_length=45, blank=True, default="")
    action = models.CharField(_("动作"), max_length=64)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True, default="")
    object_id = models.CharField(_("对象ID"), max_length=64, blank=True, default="")
    history_model = models.CharField(_("历史表"), max_length=100, blank=True, default="")
    history_id = models.BigIntegerField(_("历史记录ID"), null=True, blank=True)
    project = models.CharField(_("项目编号"), max_length=40, blank=True, default="")
    reason = models.TextField(_("理由"), blank=True, default="")
    data = models.JSONField(_("事件内容"), null=True, blank=True)
    digest = models.CharField(_("记录摘要"), max_length=64)
    prev_hash = models.CharField(_("前一哈希"), max_length=64)
    hash = models.CharField(_("哈希"), max_length=64)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-seq"]
        # every index slows every append, so each serves a query (audit.selectors) and none repeats another's
        # leading column; the hash is unique by a constraint (unique=True would add a second, LIKE index on
        # PostgreSQL)
        constraints = [models.UniqueConstraint(fields=["hash"], name="audit_hash_unique")]
        indexes = [
            models.Index(fields=["project", "-seq"], name="audit_project_seq"),
            models.Index(fields=["actor_id", "-seq"], name="audit_actor_seq"),
            models.Index(fields=["object_type", "-seq"], name="audit_model_seq"),
            models.Index(fields=["action", "-seq"], name="audit_action_seq"),
            models.Index(fields=["history_model", "history_id"], name="audit_history_row"),
            # a period's first entry (audit.selectors._period): the timeline then walks the primary key
            models.Index(fields=["at", "seq"], name="audit_at_seq"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"


class Checkpoint(models.Model):
    """A published head of the chain. The copy that counts is the one outside the database (object storage);
    this row is the index of publications. `chain_id` is the hash of entry 1, so checkpoints of two databases
    never mix."""

    chain_id = models.CharField(_("链标识"), max_length=64, db_index=True)
    seq = models.BigIntegerField(_("序号"))
    hash = models.CharField(_("哈希"), max_length=64)
    reason = models.CharField(_("原因"), max_length=200, blank=True, default="")
    published_at = models.DateTimeField(_("发布时间"))
    location = models.CharField(_("发布位置"), max_length=300, blank=True, default="")

    class Meta:
        verbose_name = _("审计检查点")
        verbose_name_plural = _("审计检查点")
        ordering = ["-seq"]

    def __str__(self) -> str:
        return f"checkpoint #{self.seq} {self.hash[:12]}"


class RebasedDigest(models.Model):
    """The digest a historical row has after a migration that changed its columns was re-based
    (audit.migration_guard.RebaseHistory). Append-only like the ledger; every row is vouched for by the
    `history_rebased` entry `rebase_seq`, whose data carries the count and SHA-256 of its batch."""

    rebase_seq = models.BigIntegerField(_("重算记录序号"))
    history_model = models.CharField(_("历史表"), max_length=100)
    history_id = models.BigIntegerField(_("历史记录ID"))
    digest = models.CharField(_("记录摘要"), max_length=64)

    class Meta:
        verbose_name = _("重算摘要")
        verbose_name_plural = _("重算摘要")
        indexes = [models.Index(fields=["history_model", "history_id"], name="audit_rebased_row")]

    def __str__(self) -> str:
        return f"{self.history_model} #{self.history_id} rebased at {self.rebase_seq}"
