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
    """One entry of the log, written by `audit.ledger.append` only, in the transaction of the change it records,
    and read-only for everyone from then on. `seq` numbers entries in the order they were written (a database
    sequence: a rolled-back write leaves a gap); `hash` is the entry's RFC 9162 leaf hash. Its position in the
    Merkle tree is given by the sequencer shortly after (`Leaf`); until then it waits in `PendingEntry`."""

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
    hash = models.CharField(_("叶哈希"), max_length=64)

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


class PendingEntry(models.Model):
    """An entry written but not yet given its tree position. Inserted with the entry; the sequencer deletes it in
    the transaction that appends the entry's leaf, so every entry is always either pending or a leaf."""

    entry_seq = models.BigIntegerField(_("记录序号"), primary_key=True)

    class Meta:
        verbose_name = _("待排序记录")
        verbose_name_plural = _("待排序记录")

    def __str__(self) -> str:
        return f"entry #{self.entry_seq} (pending)"


class Leaf(models.Model):
    """Position `index` of the Merkle tree: the entry there and its leaf hash. Append-only, like the ledger."""

    index = models.BigIntegerField(_("叶序号"), primary_key=True)
    entry_seq = models.BigIntegerField(_("记录序号"), unique=True)
    hash = models.CharField(_("叶哈希"), max_length=64, db_index=True)  # receipts ask for proofs by it
    sequenced_at = models.DateTimeField(_("排序时间"))

    class Meta:
        verbose_name = _("日志树叶")
        verbose_name_plural = _("日志树叶")

    def __str__(self) -> str:
        return f"leaf {self.index}: entry #{self.entry_seq}"


class TreeNode(models.Model):
    """The hash of a complete (perfect) subtree of height `level` ≥ 1, the `position`-th from the left:
    key = level << 48 | position. Written once, when its last leaf arrives; what proofs are made of."""

    key = models.BigIntegerField(_("节点"), primary_key=True)
    hash = models.CharField(_("哈希"), max_length=64)

    class Meta:
        verbose_name = _("日志树节点")
        verbose_name_plural = _("日志树节点")

    def __str__(self) -> str:
        return f"node {self.key >> 48}/{self.key & (1 << 48) - 1}"


class Checkpoint(models.Model):
    """A signed tree head: the log's origin, its size, root hash and time, signed by the centre's key as a C2SP
    note. The copy that counts is the one outside the database (object storage, witnesses); this row indexes
    the publications."""

    origin = models.CharField(_("日志名"), max_length=200)
    tree_size = models.BigIntegerField(_("树大小"))
    root_hash = models.CharField(_("根哈希"), max_length=64)
    timestamp = models.DateTimeField(_("时间"))
    key_id = models.CharField(_("密钥标识"), max_length=8)
    note = models.TextField(_("签名检查点"))
    reason = models.CharField(_("原因"), max_length=200, blank=True, default="")
    location = models.CharField(_("发布位置"), max_length=300, blank=True, default="")

    class Meta:
        verbose_name = _("审计检查点")
        verbose_name_plural = _("审计检查点")
        ordering = ["-tree_size", "-id"]

    def __str__(self) -> str:
        return f"checkpoint {self.tree_size} {self.root_hash[:12]}"


class Cosignature(models.Model):
    """A witness's cosignature of a checkpoint (C2SP tlog-cosignature): the witness checked that the checkpoint
    is consistent with every earlier one it saw."""

    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="cosignatures",
                                   verbose_name=_("检查点"))
    witness = models.CharField(_("见证方"), max_length=200)
    key_id = models.CharField(_("密钥标识"), max_length=8)
    signed_at = models.DateTimeField(_("签署时间"))
    signature_line = models.TextField(_("签名行"))
    received_at = models.DateTimeField(_("收到时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("见证签名")
        verbose_name_plural = _("见证签名")
        constraints = [models.UniqueConstraint(fields=["checkpoint", "key_id"], name="audit_cosignature_once")]

    def __str__(self) -> str:
        return f"{self.witness} on {self.checkpoint}"


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
