"""Sealed bids and their opening, expert pool and panels, scores, winning candidates, auction bid logs.

Every row is written by `evaluation.services` only, with an explicit actor; the docstrings say who and when."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from audit.history import AuditedModel, audited
from trading.models import Organisation, Project, Session

MONEY = {"max_digits": 16, "decimal_places": 2}
SCORE = {"max_digits": 7, "decimal_places": 2}


class _ProjectScoped(AuditedModel):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+")
    round = models.PositiveSmallIntegerField(_("轮次"))

    class Meta:
        abstract = True

    audit_project = "project"


class BidRound(_ProjectScoped):
    """One round's sealed-bid box. Created at publication (hook) in `server` mode with the opening public key;
    the private key exists only as shares, each sealed under a key derived from the platform key *and* the
    opening time, so the database alone opens nothing and moving `opens_at` in the database breaks the shares.
    The agency may switch a round to `bidder` mode before any bid (bid files sealed in the bidder's browser to
    the key holders' keys; the server key is dropped). Written again only at the close (outcome) and the
    opening (opened_at)."""

    class Mode(models.TextChoices):
        SERVER = "server", _("结构化报价（平台密封）")
        BIDDER = "bidder", _("投标文件（投标人浏览器加密，不见面开标）")

    mode = models.CharField(_("投标方式"), max_length=10, choices=Mode.choices, default=Mode.SERVER)
    holders = models.PositiveSmallIntegerField(_("开标密钥持有人数"), default=3)
    public_key = models.CharField(_("开标公钥"), max_length=64, blank=True, default="")
    fingerprint = models.CharField(_("公钥指纹"), max_length=64, blank=True, default="")
    threshold = models.PositiveSmallIntegerField(_("门限"))
    sealed_shares = models.JSONField(_("密封的密钥分片"), default=list, blank=True)
    opens_at = models.DateTimeField(_("开标时间"))
    closed_at = models.DateTimeField(_("投标截止处理时间"), null=True, blank=True)
    bid_count = models.PositiveSmallIntegerField(_("截止时有效投标数"), null=True, blank=True)
    opened_at = models.DateTimeField(_("开标时间（实际）"), null=True, blank=True)
    opening_session = models.ForeignKey(Session, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    history = audited()

    class Meta:
        verbose_name = _("投标箱")
        verbose_name_plural = _("投标箱")
        constraints = [models.UniqueConstraint(fields=["project", "round"], name="bid_round_once")]

    def __str__(self) -> str:
        return f"{self.project.code}#{self.round}"

    def __repr__(self) -> str:  # never the shares, not even in a traceback
        return f"<BidRound {self.project_id}#{self.round}>"


class Bid(_ProjectScoped):
    """A bidder's sealed bid. Submitted, replaced (the old row kept as `replaced`) or withdrawn by the bidder
    before the deadline; before the opening the row holds only the envelope (ciphertext) and its digest. The
    opening writes the decrypted price, terms and validity."""

    class State(models.TextChoices):
        ACTIVE = "active", _("有效")
        REPLACED = "replaced", _("已替换")
        WITHDRAWN = "withdrawn", _("已撤回")

    bidder = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="bids", verbose_name=_("投标人"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.ACTIVE)
    envelope = models.TextField(_("密文（base64）"))
    envelope_sha256 = models.CharField(_("密文 SHA-256"), max_length=64)
    submitted_at = models.DateTimeField(_("递交时间"))
    ended_at = models.DateTimeField(_("替换/撤回时间"), null=True, blank=True)
    plaintext_sha256 = models.CharField(_("明文 SHA-256"), max_length=64, blank=True, default="")
    price = models.DecimalField(_("投标报价（元）"), null=True, blank=True, **MONEY)
    duration = models.CharField(_("工期/交货期"), max_length=100, blank=True, default="")
    terms = models.TextField(_("其他承诺"), blank=True, default="")
    valid = models.BooleanField(_("有效"), null=True, blank=True)
    invalid_reason = models.TextField(_("无效原因"), blank=True, default="")
    # bidder mode (bidfile-v1): the ciphertext is an object in the store; these say how to check and open it
    object_key = models.CharField(_("密文对象"), max_length=300, blank=True, default="")
    object_version = models.CharField(max_length=200, blank=True, default="")
    ciphertext_size = models.PositiveBigIntegerField(_("密文字节数"), null=True, blank=True)
    key_commitment = models.CharField(_("内容密钥承诺 SHA-256"), max_length=64, blank=True, default="")
    wrapped_shares = models.JSONField(_("加密的密钥分片"), default=list, blank=True)
    document_key = models.CharField(_("开标后的投标文件对象"), max_length=300, blank=True, default="")
    document_sha256 = models.CharField(_("投标文件（PDF）SHA-256"), max_length=64, blank=True, default="")
    decrypted_at = models.DateTimeField(_("解密时间"), null=True, blank=True)
    history = audited()

    class Meta:
        verbose_name = _("投标文件")
        verbose_name_plural = _("投标文件")
        ordering = ["submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "round", "bidder"], condition=models.Q(state="active"),
                                    name="one_active_bid_per_bidder"),
            # a ciphertext is submitted once, by one bidder, to one project: a copy is a replay
            models.UniqueConstraint(fields=["envelope_sha256"], name="bid_ciphertext_once"),
        ]

    def __str__(self) -> str:
        return f"{self.project.code}#{self.round} · {self.bidder}"


class OpeningKey(AuditedModel):
    """A key holder's opening public key (ECDH P-256, made in their browser; the private key never reaches us)
    for a bidder-mode round: position `x` of every bid's key shares. Registered by a supervisor (or the agency)
    before bidding starts; never changed."""

    bid_round = models.ForeignKey(BidRound, on_delete=models.PROTECT, related_name="keys")
    position = models.PositiveSmallIntegerField(_("分片序号"))
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("持有人"))
    public_jwk = models.JSONField(_("公钥（JWK）"))
    fingerprint = models.CharField(_("公钥指纹"), max_length=64)
    registered_at = models.DateTimeField(_("登记时间"))
    history = audited()

    class Meta:
        verbose_name = _("开标密钥")
        verbose_name_plural = _("开标密钥")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["bid_round", "holder"], name="opening_key_once_per_holder"),
            models.UniqueConstraint(fields=["bid_round", "position"], name="opening_key_position"),
            models.UniqueConstraint(fields=["fingerprint"], name="opening_key_fingerprint_once"),
        ]

    def __str__(self) -> str:
        return f"{self.bid_round} · {self.position}"

    audit_project = "bid_round.project"


class OpeningShare(AuditedModel):
    """A key holder's share of one bid's content key, decrypted in their browser and posted at the opening;
    checked against the digest the bidder committed to. Written once."""

    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="opening_shares")
    key = models.ForeignKey(OpeningKey, on_delete=models.PROTECT, related_name="shares")
    value = models.CharField(_("分片"), max_length=64)
    posted_at = models.DateTimeField(_("提交时间"))
    history = audited()

    class Meta:
        verbose_name = _("开标密钥分片")
        verbose_name_plural = _("开标密钥分片")
        ordering = ["posted_at", "id"]
        constraints = [models.UniqueConstraint(fields=["bid", "key"], name="opening_share_once")]

    def __str__(self) -> str:
        return f"{self.bid_id} · {self.key.position}"

    def __repr__(self) -> str:  # never the value
        return f"<OpeningShare bid={self.bid_id} key={self.key_id}>"

    audit_project = "bid.project"


class OpeningConfirmation(_ProjectScoped):
    """A bidder's confirmation of the opening record online (不见面开标), naming the SHA-256 of the record it saw.
    Written once by the bidder after the opening."""

    bidder = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("投标人"))
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    record_sha256 = models.CharField(_("开标记录 SHA-256"), max_length=64)
    confirmed_at = models.DateTimeField(_("确认时间"))
    history = audited()

    class Meta:
        verbose_name = _("开标记录确认")
        verbose_name_plural = _("开标记录确认")
        ordering = ["confirmed_at", "id"]
        constraints = [models.UniqueConstraint(fields=["project", "round", "bidder"], name="opening_confirmed_once")]

    def __str__(self) -> str:
        return f"{self.project.code}#{self.round} · {self.bidder}"


class Objection(_ProjectScoped):
    """An objection raised on site at the opening (recorded by the host) or during publicity (by a bidder), and
    its answer. Raised once; answered once by the project's agency."""

    class Stage(models.TextChoices):
        OPENING = "opening", _("开标现场")
        PUBLICITY = "publicity", _("中标候选人公示")

    stage = models.CharField(_("阶段"), max_length=20, choices=Stage.choices)
    raised_by = models.CharField(_("提出人"), max_length=200)
    raised_by_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    content = models.TextField(_("异议内容"))
    raised_at = models.DateTimeField(_("提出时间"))
    answer = models.TextField(_("答复"), blank=True, default="")
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    history = audited()

    class Meta:
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        ordering = ["raised_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} · {self.raised_by}"


class Expert(AuditedModel):
    """An expert of the pool. Kept by centre administrators; never deleted (set unavailable instead).
    `relations` are declared ties: a list of {"uscc", "relation"}."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="expert")
    name = models.CharField(_("姓名"), max_length=50)
    specialty = models.CharField(_("专业"), max_length=100, db_index=True)
    employer = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("工作单位"))
    relations = models.JSONField(_("申报的利害关系"), default=list, blank=True)
    available = models.BooleanField(_("可抽取"), default=True)
    history = audited()

    class Meta:
        verbose_name = _("评标专家")
        verbose_name_plural = _("评标专家库")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.specialty}）"

    @property
    def identifier(self) -> str:
        return f"E{self.pk:06d}"


class EvaluationPlan(_ProjectScoped):
    """The evaluation method of the tender documents. Set by the agency before the panel is drawn."""

    class Method(models.TextChoices):
        COMPREHENSIVE = "comprehensive", _("综合评估法")
        LOWEST_PRICE = "lowest_price", _("经评审的最低投标价法")

    method = models.CharField(_("评标办法"), max_length=20, choices=Method.choices)
    price_weight = models.DecimalField(_("价格分权重"), default=0, **SCORE)
    criteria = models.JSONField(_("评分因素"), default=list, blank=True)  # [{code,name,kind,weight,max_score}]
    outlier_share = models.DecimalField(_("偏离提示比例"), max_digits=4, decimal_places=2, default="0.20")
    history = audited()

    class Meta:
        verbose_name = _("评标办法")
        verbose_name_plural = _("评标办法")
        constraints = [models.UniqueConstraint(fields=["project", "round"], name="evaluation_plan_once")]

    def __str__(self) -> str:
        return f"{self.project.code}#{self.round} {self.get_method_display()}"


class Panel(_ProjectScoped):
    """An evaluation panel (评标委员会). Requested by the agency (commitment published, the conflict-free pool
    frozen with its digest), drawn once by a supervisor with public inputs, ended when the evaluation ends."""

    specialty = models.CharField(_("专业"), max_length=100)
    size = models.PositiveSmallIntegerField(_("人数"))
    sealed_secret = models.CharField(max_length=64)
    commitment = models.CharField(_("承诺值"), max_length=64)
    candidates_digest = models.CharField(_("候选专家摘要"), max_length=64)
    candidates = models.JSONField(_("候选专家"))  # identifiers, sorted
    excluded = models.JSONField(_("回避"), default=list)  # [{"expert", "reasons"}]
    requested_at = models.DateTimeField(_("申请时间"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField(_("抽取时间"), null=True, blank=True)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")
    proof = models.JSONField(_("验证材料"), null=True, blank=True)
    proof_sha256 = models.CharField(max_length=64, blank=True, default="")
    ended_at = models.DateTimeField(_("评标结束"), null=True, blank=True)
    history = audited()

    class Meta:
        verbose_name = _("评标委员会")
        verbose_name_plural = _("评标委员会")
        constraints = [models.UniqueConstraint(fields=["project", "round"], name="panel_once_per_round")]

    def __str__(self) -> str:
        return f"{self.project.code}#{self.round} · {self.size}"

    def __repr__(self) -> str:
        return f"<Panel {self.project_id}#{self.round}>"


class PanelInput(AuditedModel):
    """One supervisor's public input to a panel draw (step 3 of the draw protocol): sealed first as SHA-256(nonce + value),
    revealed once every supervisor present has sealed. Written by that supervisor only. The seal that completes
    the set of participants is marked `closed_sealing` (see lottery.models.DrawInput)."""

    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="inputs")
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
        verbose_name = _("专家抽取公开输入")
        verbose_name_plural = _("专家抽取公开输入")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["panel", "supervisor"], name="panel_input_once_per_supervisor"),
            models.UniqueConstraint(fields=["panel", "position"], name="panel_input_position"),
        ]

    def __str__(self) -> str:
        return f"{self.source}: {self.commitment[:12]}…"

    audit_project = "panel.project"


class PanelMember(AuditedModel):
    """An expert taken from the ranking of a panel's draw: seated, or declined (with the reason) and replaced by
    the next in the ranking. `submitted_at` locks the member's scores."""

    class State(models.TextChoices):
        SEATED = "seated", _("在席")
        DECLINED = "declined", _("已谢绝")

    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="members")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="seats")
    rank = models.PositiveSmallIntegerField(_("抽取顺位"))
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.SEATED)
    replaces = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    declined_reason = models.TextField(_("谢绝原因"), blank=True, default="")
    submitted_at = models.DateTimeField(_("评分提交时间"), null=True, blank=True)
    history = audited()

    class Meta:
        verbose_name = _("评委")
        verbose_name_plural = _("评委")
        ordering = ["rank"]
        constraints = [models.UniqueConstraint(fields=["panel", "expert"], name="panel_member_once")]

    def __str__(self) -> str:
        return f"{self.panel} · {self.rank}"

    audit_project = "panel.project"


class Score(AuditedModel):
    """One expert's score of one bid on one criterion. Written once, with the member's whole sheet, on
    submission; never changed."""

    member = models.ForeignKey(PanelMember, on_delete=models.PROTECT, related_name="scores")
    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="scores")
    criterion = models.CharField(_("评分因素"), max_length=40)
    value = models.DecimalField(_("分值"), **SCORE)
    history = audited()

    class Meta:
        verbose_name = _("评分")
        verbose_name_plural = _("评分")
        constraints = [models.UniqueConstraint(fields=["member", "bid", "criterion"], name="score_once")]

    def __str__(self) -> str:
        return f"{self.member} · {self.bid_id} · {self.criterion}"

    audit_project = "bid.project"


class Candidate(_ProjectScoped):
    """A winning candidate (中标候选人) in order, written when the evaluation ends. Its state changes when the
    candidate withdraws or fails (§55) or is awarded."""

    class State(models.TextChoices):
        CANDIDATE = "candidate", _("中标候选人")
        WITHDRAWN = "withdrawn", _("放弃/不合格")
        AWARDED = "awarded", _("中标人")

    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveSmallIntegerField(_("排名"))
    total = models.DecimalField(_("得分/评审价"), **MONEY)
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.CANDIDATE)
    reason = models.TextField(_("原因"), blank=True, default="")
    history = audited()

    class Meta:
        verbose_name = _("中标候选人")
        verbose_name_plural = _("中标候选人")
        ordering = ["rank"]
        constraints = [models.UniqueConstraint(fields=["project", "round", "rank"], name="candidate_rank_once")]

    def __str__(self) -> str:
        return f"{self.rank} · {self.bid.bidder}"


class EvaluationResult(_ProjectScoped):
    """The computed ranking (full figures, for the report and for recomputation). Written once at the end."""

    method = models.CharField(_("评标办法"), max_length=20, choices=EvaluationPlan.Method.choices)
    computed_at = models.DateTimeField(_("评标完成时间"))
    figures = models.JSONField(_("评审结果"))
    history = audited()

    class Meta:
        verbose_name = _("评标结果")
        verbose_name_plural = _("评标结果")
        constraints = [models.UniqueConstraint(fields=["project", "round"], name="evaluation_result_once")]

    def __str__(self) -> str:
        return f"{self.project.code}#{self.round}"


class Auction(_ProjectScoped):
    """An auction of a land or asset project: rules set by the agency before the start; the hammer writes the
    outcome once. The reserve price is shown to nobody but the agency before the hammer."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    starting_price = models.DecimalField(_("起拍价（元）"), **MONEY)
    increment = models.DecimalField(_("加价幅度（元）"), **MONEY)
    reserve_price = models.DecimalField(_("保留价（元）"), null=True, blank=True, **MONEY)
    started_at = models.DateTimeField(_("开拍时间"), null=True, blank=True)
    hammered_at = models.DateTimeField(_("落槌时间"), null=True, blank=True)
    sold = models.BooleanField(_("成交"), null=True, blank=True)
    hammer_price = models.DecimalField(_("成交价（元）"), null=True, blank=True, **MONEY)
    winner = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("买受人"))
    outcome = models.CharField(_("结果说明"), max_length=100, blank=True, default="")
    history = audited()

    class Meta:
        verbose_name = _("拍卖会")
        verbose_name_plural = _("拍卖会")
        constraints = [models.UniqueConstraint(fields=["project", "round"], name="auction_once_per_round")]

    def __str__(self) -> str:
        return f"{self.project.code}#{self.round}"


class AuctionBidder(AuditedModel):
    """A registered bidder of an auction with its bidder number (竞买号牌). Registered by the agency."""

    auction = models.ForeignKey(Auction, on_delete=models.PROTECT, related_name="bidders")
    bidder = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("竞买人"))
    number = models.CharField(_("竞买号牌"), max_length=20)
    history = audited()

    class Meta:
        verbose_name = _("竞买人")
        verbose_name_plural = _("竞买人")
        constraints = [
            models.UniqueConstraint(fields=["auction", "number"], name="auction_number_once"),
            models.UniqueConstraint(fields=["auction", "bidder"], name="auction_bidder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.number} · {self.bidder}"

    audit_project = "auction.project"


class AuctionBid(AuditedModel):
    """One entry of the append-only bid log: numbered 1, 2, 3 … by the database constraint, never changed."""

    auction = models.ForeignKey(Auction, on_delete=models.PROTECT, related_name="log")
    seq = models.PositiveIntegerField(_("序号"))
    bidder_number = models.CharField(_("竞买号牌"), max_length=20)
    amount = models.DecimalField(_("应价（元）"), **MONEY)
    at = models.DateTimeField(_("应价时间"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = audited()

    class Meta:
        verbose_name = _("应价记录")
        verbose_name_plural = _("应价记录")
        ordering = ["seq"]
        constraints = [models.UniqueConstraint(fields=["auction", "seq"], name="auction_log_seq_once")]

    def __str__(self) -> str:
        return f"{self.seq} · {self.bidder_number} · {self.amount}"

    audit_project = "auction.project"
