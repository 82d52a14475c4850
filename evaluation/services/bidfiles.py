"""Bid files sealed at the bidder (`bidder` mode of a bid round, issue 20): the agency chooses the mode, the key
holders register their opening public keys, bidders submit ciphertext. The server never holds a bid's plaintext
or a key that opens it before the opening (the ceremony: docs/evaluation.md; the crypto: evaluation.bidfile).

Opening the files is `evaluation.services.opening`."""

from __future__ import annotations

import hashlib
import io
import logging
import re
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from audit import ledger, receipts
from core import clock, context
from core.errors import Conflict
from core.roles import can
from core.storage import get_store
from evaluation import bidfile
from evaluation.models import Bid, BidRound, OpeningKey
from evaluation.services.bids import _active, _box, _locked_open_project
from trading.models import Project, User
from trading.models.projects import Status
from trading.selectors import ensure_manages, manages

HEX64 = re.compile(r"^[0-9a-f]{64}$")

log = logging.getLogger(__name__)


def _bidder_box(project: Project, *, lock: bool = False) -> BidRound:
    box = _box(project)
    if lock:
        box = BidRound.objects.select_for_update().select_related("project").get(pk=box.pk)
    if box.mode != BidRound.Mode.BIDDER:
        raise Conflict(_("本轮为结构化报价（平台密封），不接受加密投标文件。"), {"mode": [_("须为 bidder")]})
    return box


@transaction.atomic
def bid_round_mode_set(*, actor: User, project: Project, mode: str) -> BidRound:
    """The agency picks how this round is bid, before any key or bid exists. `bidder` drops the server's opening
    key: from then on nothing the platform holds opens a bid."""
    ensure_manages(actor, project)
    if mode not in BidRound.Mode.values:
        raise ValidationError({"mode": [_("投标方式须为 server 或 bidder。")]})
    box = BidRound.objects.select_for_update().get(pk=_box(project).pk)
    if Bid.objects.filter(project=project, round=box.round).exists() or box.keys.exists():
        raise Conflict(_("已有投标或开标密钥，不能再改投标方式。"), {"mode": [_("已锁定")]})
    if project.status != Status.PUBLISHED:
        raise Conflict(_("项目不在投标期，不能改投标方式。"))
    if mode == box.mode:
        return box
    box.mode = mode
    if mode == BidRound.Mode.BIDDER:
        if not 2 <= settings.BID_KEY_THRESHOLD <= settings.BID_KEY_HOLDERS <= 255:
            raise Conflict(_("开标密钥门限设置有误（须 2 ≤ BID_KEY_THRESHOLD ≤ BID_KEY_HOLDERS ≤ 255）。"))
        box.public_key, box.fingerprint, box.sealed_shares = "", "", []
        box.holders, box.threshold = settings.BID_KEY_HOLDERS, settings.BID_KEY_THRESHOLD
    with context.acting(actor, reason=_("设定投标方式")):
        box.save()
    ledger.record_event("bid_round_mode_set", obj=project, actor=actor, data={
        "round": box.round, "mode": mode, "holders": box.holders, "threshold": box.threshold})
    return box


def _may_hold_key(actor: User, project: Project) -> bool:
    """A supervisor (现场监督), or the project's agency. Supervisors join a session only by signing in to it, which
    comes after the keys: the round's holders are those who register one."""
    return can(actor, "draw.input") or manages(actor, project)


@transaction.atomic
def opening_key_register(*, actor: User, project: Project, public_jwk: Any) -> OpeningKey:
    """A holder registers the public half of a key made in their browser; positions are given in order."""
    if not _may_hold_key(actor, project):
        raise PermissionDenied(_("只有现场监督人员或本项目代理机构可以登记开标密钥。"))
    box = _bidder_box(project, lock=True)
    if not project.sessions.filter(kind="opening").exists():
        raise Conflict(_("本项目尚未安排开标场次，不能登记开标密钥。"), {"session": [_("请先预约开标室")]})
    if project.status != Status.PUBLISHED or clock.now() >= project.registration_deadline:
        raise Conflict(_("投标已截止，不能再登记开标密钥。"))
    try:
        key = bidfile.public_key_from_jwk(public_jwk)
    except bidfile.BidFileError as error:
        raise ValidationError({"public_jwk": [_("须为 P-256 公钥（JWK），不含私钥。")]}) from error
    if box.keys.filter(holder=actor).exists():
        raise Conflict(_("您已为本轮登记过开标密钥。"), {"public_jwk": [_("重复登记")]})
    count = box.keys.count()
    if count >= box.holders:
        raise Conflict(_("本轮开标密钥已登记满%(n)d个。") % {"n": box.holders})
    fingerprint = bidfile.key_fingerprint(key)
    if OpeningKey.objects.filter(fingerprint=fingerprint).exists():
        raise Conflict(_("该公钥已登记过，每轮每人须生成新的密钥。"), {"public_jwk": [_("公钥重复")]})
    with context.acting(actor, reason=_("登记开标密钥")):
        row = OpeningKey.objects.create(bid_round=box, position=count + 1, holder=actor,
                                        public_jwk=bidfile.public_jwk(key), fingerprint=fingerprint,
                                        registered_at=clock.now())
    ledger.record_event("opening_key_registered", obj=project, actor=actor, data={
        "round": box.round, "position": row.position, "fingerprint": fingerprint})
    return row


def keys_complete(box: BidRound) -> bool:
    return box.keys.count() >= box.holders


def _hex64(value: Any, field: str) -> str:
    text = str(value or "").strip().lower()
    if not HEX64.match(text):
        raise ValidationError({field: [_("须为64位十六进制 SHA-256。")]})
    return text


def _clean_envelope(data: dict[str, Any], ciphertext: bytes) -> dict[str, Any]:
    if not ciphertext:
        raise ValidationError({"ciphertext": [_("必填：浏览器加密后的投标文件密文。")]})
    if len(ciphertext) > settings.BID_FILE_MAX_BYTES:
        raise ValidationError({"ciphertext": [_("密文超过 %(n)d 字节的上限。") % {"n": settings.BID_FILE_MAX_BYTES}]})
    digest = _hex64(data.get("ciphertext_sha256"), "ciphertext_sha256")
    if hashlib.sha256(ciphertext).hexdigest() != digest:
        raise ValidationError({"ciphertext_sha256": [_("与收到的密文的 SHA-256 不一致（传输中被改动）。")]})
    shares = data.get("shares")
    if not isinstance(shares, list):
        raise ValidationError({"shares": [_("须为加密分片的列表。")]})
    try:
        wrapped = [bidfile.WrappedShare.from_json(s) for s in shares]
    except bidfile.BidFileError as error:
        raise ValidationError({"shares": [_("加密分片格式不正确。")]}) from error
    return {"ciphertext_sha256": digest, "key_commitment": _hex64(data.get("key_commitment"), "key_commitment"),
            "shares": wrapped, "context": str(data.get("context") or "")}


def _check_against_round(clean: dict[str, Any], box: BidRound, project: Project, uscc: str) -> None:
    """The browser encrypted for exactly this project, round and bidder, to exactly these keys."""
    expected = bidfile.content_aad(project.code, project.round, uscc).decode()
    if clean["context"] != expected:
        raise ValidationError({"context": [_("加密时绑定的项目/轮次/投标人（%(got)s）与本项目（%(want)s）不符。")
                                           % {"got": clean["context"][:120], "want": expected}]})
    positions = sorted(s.position for s in clean["shares"])
    if positions != list(range(1, box.holders + 1)):
        raise ValidationError({"shares": [_("须为每位开标密钥持有人各一个分片（序号1至%(n)d）。") % {"n": box.holders}]})
    if len({s.digest for s in clean["shares"]}) != len(clean["shares"]):
        raise ValidationError({"shares": [_("分片摘要重复。")]})


def _object_key(project: Project, digest: str) -> str:
    return f"bids/{project.code}/round-{project.round}/{digest[:16]}-{secrets.token_hex(4)}/bid.sealed"


def bid_file_submit(*, actor: User, project: Project, data: dict[str, Any], ciphertext: bytes) -> tuple[Bid, dict]:
    """Store a bid file sealed in the bidder's browser (a second one replaces the first, which is kept).
    The ciphertext goes to the object store first (write-once, outside the transaction: slow I/O), then the row.
    A row refused after the object was stored (the deadline passed, the same ciphertext raced in) takes its object
    away again: nothing is left that no row names."""
    clean = _clean_envelope(data, ciphertext)
    _precheck(actor, project, clean)
    key, store = _object_key(project, clean["ciphertext_sha256"]), get_store()
    stored = store.put(key, io.BytesIO(ciphertext), size=len(ciphertext), content_type="application/octet-stream",
                       metadata={"project": project.code, "round": str(project.round)}, retention_until=None)
    try:
        return _bid_file_record(actor=actor, project=project, clean=clean, key=key,
                                version=stored.version_id or "", size=len(ciphertext))
    except (Conflict, ValidationError, PermissionDenied):  # refused: no row names the object (an error of the
        try:  # database itself may come after a commit, and then the row does); its own key, no retention
            store.delete(key, stored.version_id, now=clock.now())
        except Exception:  # the refusal is what the bidder must read; the object left is logged
            log.exception("bid file %s refused, and its ciphertext could not be removed", key)
        raise


def _duplicate() -> Conflict:
    return Conflict(_("该密文已被递交过（密文 SHA-256 重复），不能重复使用。"), {"ciphertext_sha256": [_("重复的密文")]})


def _precheck(actor: User, project: Project, clean: dict[str, Any]) -> None:
    """Every refusal before anything is stored (the transaction re-checks under the lock)."""
    with transaction.atomic():
        project = _locked_open_project(actor, project)
        box = _bidder_box(project)
        _ready(box, project, actor, clean)


def _ready(box: BidRound, project: Project, actor: User, clean: dict[str, Any]) -> None:
    if not keys_complete(box):
        raise Conflict(_("开标密钥尚未登记齐（%(c)d/%(n)d），暂不接受投标。") % {"c": box.keys.count(), "n": box.holders})
    _check_against_round(clean, box, project, actor.organisation.uscc)
    if Bid.objects.filter(envelope_sha256=clean["ciphertext_sha256"]).exists():
        raise _duplicate()


@transaction.atomic
def _bid_file_record(*, actor: User, project: Project, clean: dict[str, Any], key: str, version: str,
                     size: int) -> tuple[Bid, dict]:
    project = _locked_open_project(actor, project)
    box = _bidder_box(project)
    _ready(box, project, actor, clean)
    now = clock.now()
    with context.acting(actor, reason=_("递交加密投标文件")):
        previous = _active(project, actor.organisation_id)
        if previous is not None:
            previous.state, previous.ended_at = Bid.State.REPLACED, now
            previous._change_reason = _("投标截止前替换")
            previous.save()
        try:
            with transaction.atomic():
                bid = Bid.objects.create(
                    project=project, round=project.round, bidder_id=actor.organisation_id, submitted_by=actor,
                    envelope="", envelope_sha256=clean["ciphertext_sha256"], submitted_at=now, object_key=key,
                    object_version=version, ciphertext_size=size, key_commitment=clean["key_commitment"],
                    wrapped_shares=sorted((s.as_json() for s in clean["shares"]), key=lambda s: s["position"]))
        except IntegrityError as error:  # the same ciphertext raced in
            raise _duplicate() from error
    entry = ledger.record_event("bid_submitted", obj=bid, actor=actor, data={
        "round": project.round, "mode": "bidder", "envelope_sha256": bid.envelope_sha256,
        "key_commitment": bid.key_commitment, "size": size, "replaces": previous.pk if previous else None})
    receipt = {"bid": bid.pk, "project": project.code, "round": project.round, "submitted_at": now.isoformat(),
               "ciphertext_sha256": bid.envelope_sha256, "key_commitment": bid.key_commitment,
               "context": clean["context"], "log": receipts.issue(entry)}
    return bid, receipt


def holders_for_bidder(project: Project) -> list[dict[str, Any]]:
    """What a bidder's browser encrypts to: the round's context and every holder's public key, in position order."""
    box = _bidder_box(project)
    return [{"position": k.position, "public_jwk": k.public_jwk, "fingerprint": k.fingerprint}
            for k in box.keys.order_by("position")]
