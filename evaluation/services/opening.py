"""The remote opening of bid files sealed at the bidder (不见面开标, bidder mode): key holders post the shares
their browsers decrypted, each checked against the digest the bidder committed to; a bid with k shares is opened
at once (commitment, receipt hash, decryption, schedule, PDF); the agency ends the opening, after which a bid not
decrypted is invalid with the reason. Bidders then confirm the record or object (objections: services.objections).
"""

from __future__ import annotations

import hashlib
import io
import re
import secrets
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from audit import checkpoints, ledger
from core import clock, context
from core.errors import Conflict
from core.roles import Role, require
from core.storage import ObjectStoreError, get_store
from core.timefmt import local_time
from evaluation import bidfile
from evaluation.models import Bid, BidRound, OpeningConfirmation, OpeningKey, OpeningShare, PanelMember
from evaluation.services.bids import _box, _clean_bid, active_bids, opening_session
from trading.lifecycle import project_transition
from trading.models import Project, Session, User
from trading.models.projects import Status
from trading.selectors import ensure_manages, manages

SHARE = re.compile(r"^[0-9a-f]{64}$")


def _holder_key(actor: User, project: Project) -> OpeningKey:
    """Who may, before anything about the round: only a holder of this round's opening keys."""
    key = OpeningKey.objects.filter(bid_round__project=project, bid_round__round=project.round,
                                    holder_id=getattr(actor, "pk", None)).first()
    if key is None:
        raise PermissionDenied(_("您不是本轮开标密钥的持有人。"))
    return key


def _opening_box(project: Project) -> BidRound:
    box = _box(project)
    if box.mode != BidRound.Mode.BIDDER:
        raise Conflict(_("本轮为结构化报价（平台密封），没有开标密钥分片。"))
    return box


def wrapped_shares_for(*, actor: User, project: Project) -> dict[str, Any]:
    """A holder's own wrapped share of every bid, with the context it is bound to: what their browser decrypts.
    After the close only (before it, who bid is nobody's business)."""
    key = _holder_key(actor, project)
    box = _opening_box(project)
    if box.closed_at is None:
        raise Conflict(_("投标尚未截止，没有可解密的分片。"))
    items = []
    for bid in active_bids(project).order_by("submitted_at", "pk"):
        wrapped = next(s for s in bid.wrapped_shares if s["position"] == key.position)
        aad = bidfile.share_aad(project.code, project.round, bid.bidder.uscc, key.position, key.fingerprint)
        items.append({"bid": bid.pk, "bidder": bid.bidder.name, "uscc": bid.bidder.uscc,
                      "share_aad": aad.decode(), "wrapped": wrapped,
                      "posted": bid.opening_shares.filter(key=key).exists()})
    return {"position": key.position, "fingerprint": key.fingerprint, "opens_at": box.opens_at,
            "threshold": box.threshold, "items": items}


def _check_share_time(box: BidRound, project: Project) -> Session:
    if clock.now() < box.opens_at:
        raise Conflict(_("未到开标时间（%(t)s），不接受密钥分片。") % {"t": local_time(box.opens_at)},
                       {"shares": [_("开标前提交")]})
    if box.closed_at is None or project.status != Status.QUALIFIED or box.opened_at:
        raise Conflict(_("项目当前状态为“%(s)s”，不在开标中。") % {"s": project.get_status_display()})
    session = opening_session(project)
    if session is None:
        raise Conflict(_("本项目没有正在进行的开标场次。"), {"session": [_("请在开标场次时间内提交分片")]})
    return session


def _clean_shares(shares: Any, box: BidRound, key: OpeningKey) -> list[tuple[Bid, str]]:
    """Every posted share checked before any is kept: a wrong one refuses the whole post, naming the bid."""
    if not isinstance(shares, list) or not shares:
        raise ValidationError({"shares": [_("须为 {bid, share} 的非空列表。")]})
    bids = {b.pk: b for b in active_bids(box.project)}
    clean = []
    for item in shares:
        bid = bids.get(item.get("bid") if isinstance(item, dict) else None)
        value = str(item.get("share") or "").lower() if isinstance(item, dict) else ""
        if bid is None:
            raise ValidationError({"shares": [_("分片所指的投标文件不在本项目本轮。")]})
        if not SHARE.match(value):
            raise ValidationError({"shares": [_("投标文件 %(id)s 的分片须为64位十六进制。") % {"id": bid.pk}]})
        wrapped = next(s for s in bid.wrapped_shares if s["position"] == key.position)
        if bidfile.share_digest(key.position, bytes.fromhex(value)) != wrapped["share_sha256"]:
            raise ValidationError({"shares": [_("投标文件 %(id)s 的第%(p)d号分片与投标人加密时承诺的摘要不符，拒收（未开启任何投标文件）。")
                                              % {"id": bid.pk, "p": key.position}]})
        clean.append((bid, value))
    return clean


@transaction.atomic
def opening_shares_post(*, actor: User, project: Project, shares: Any) -> list[Bid]:
    """A holder's decrypted shares; every bid that now has k shares is opened. Answers the bids opened now."""
    key = _holder_key(actor, project)
    project = Project.objects.select_for_update().get(pk=project.pk)
    box = BidRound.objects.select_for_update().get(pk=_opening_box(project).pk)
    _check_share_time(box, project)
    clean = _clean_shares(shares, box, key)
    now, touched = clock.now(), []
    with context.acting(actor, reason=_("提交开标密钥分片")):
        for bid, value in clean:
            if not OpeningShare.objects.filter(bid=bid, key=key).exists():
                OpeningShare.objects.create(bid=bid, key=key, value=value, posted_at=now)
                touched.append(bid)
    ledger.record_event("opening_shares_posted", obj=project, actor=actor, data={
        "round": project.round, "position": key.position, "bids": [b.pk for b in touched]})
    opened = []
    for bid in touched:
        bid = Bid.objects.select_for_update().get(pk=bid.pk)
        if bid.valid is None and bid.opening_shares.count() >= box.threshold:
            _open_bid_file(actor, bid, project)
            opened.append(bid)
    return opened


def _read_ciphertext(bid: Bid) -> bytes:
    with get_store().open(bid.object_key, bid.object_version or None) as stream:
        return stream.read()


def _open_bid_file(actor: User, bid: Bid, project: Project) -> None:
    """Combine, check the commitment and the receipt's hash, decrypt, read the schedule. Any failure makes the
    bid invalid with the reason (it is the bidder's file that does not open, not the holders' shares)."""
    points = [(s.key.position, bytes.fromhex(s.value)) for s in bid.opening_shares.select_related("key")]
    reason, plaintext = "", b""
    try:
        content_key = bidfile.combine_key(points, bid.key_commitment)
    except (bidfile.BidFileError, ValueError):
        reason = _("分片重建的内容密钥与投标人的承诺不符（投标人分发的分片不一致）")
    if not reason:
        try:
            ciphertext = _read_ciphertext(bid)
        except (ObjectStoreError, OSError):
            ciphertext, reason = b"", _("密文对象无法读取")
        if not reason and hashlib.sha256(ciphertext).hexdigest() != bid.envelope_sha256:
            reason = _("密文 SHA-256 与递交回执不符（密文被替换或改动）")
    if not reason:
        try:
            plaintext = bidfile.decrypt_content(content_key, ciphertext,
                                                bidfile.content_aad(project.code, project.round, bid.bidder.uscc))
        except bidfile.BidFileError:
            reason = _("无法解密：密文与本项目、本轮或本投标人不符，或已被改动")
    if not reason:
        reason = _read_package(bid, plaintext, project)
    bid.decrypted_at = clock.now() if not reason else None
    if reason:
        bid.valid, bid.invalid_reason = False, reason
    with context.acting(actor, reason=_("开标解密")):
        bid.save()
    ledger.record_event("bid_decrypted" if not reason else "bid_not_decrypted", obj=bid, actor=actor, data={
        "round": project.round, "envelope_sha256": bid.envelope_sha256, "price": str(bid.price or ""),
        "document_sha256": bid.document_sha256, "valid": bid.valid, "reason": bid.invalid_reason})


def _read_package(bid: Bid, plaintext: bytes, project: Project) -> str:
    """Fill the bid from its package; answer why it is invalid, or "" when it opened."""
    try:
        schedule, pdf = bidfile.unpackage(plaintext)
        clean = _clean_bid(schedule)
    except (bidfile.BidFileError, ValidationError):
        return _("报价单不完整或格式不正确")
    if not pdf.startswith(b"%PDF-"):
        return _("投标文件不是 PDF")
    bid.plaintext_sha256 = hashlib.sha256(plaintext).hexdigest()
    bid.document_sha256 = hashlib.sha256(pdf).hexdigest()
    bid.price = Decimal(clean["price"])
    bid.duration, bid.terms = clean["duration"], clean["terms"]
    bid.document_key = f"bids/{project.code}/round-{project.round}/opened-{bid.pk}-{secrets.token_hex(4)}/bid.pdf"
    _store_on_commit(bid.document_key, pdf, project.code)
    ceiling = project.ceiling_price
    if ceiling is not None and bid.price > ceiling:
        bid.valid = False
        bid.invalid_reason = _("投标报价%(p)s元超过最高投标限价%(c)s元") % {
            "p": f"{bid.price:,.2f}", "c": f"{ceiling:,.2f}"}
    else:
        bid.valid, bid.invalid_reason = True, ""
    return ""


def _store_on_commit(key: str, pdf: bytes, code: str) -> None:
    """The opened PDF, for the experts; written once the opening is committed (a side effect)."""
    transaction.on_commit(lambda: get_store().put(
        key, io.BytesIO(pdf), size=len(pdf), content_type="application/pdf", metadata={"project": code},
        retention_until=None), robust=True)


def _window(project: Project) -> Session | None:
    """The opening session under way, else the last one that has started."""
    return opening_session(project) or project.sessions.filter(
        kind="opening", starts_at__lte=clock.now()).order_by("-starts_at").first()


@transaction.atomic
def bid_files_open_finish(*, actor: User, project: Project) -> list[Bid]:
    """End the opening: every bid decrypted, or the window over (then the others are invalid, with the reason)."""
    ensure_manages(actor, project)
    project = Project.objects.select_for_update().get(pk=project.pk)
    box = BidRound.objects.select_for_update().get(pk=_opening_box(project).pk)
    if clock.now() < box.opens_at:
        raise Conflict(_("未到开标时间（%(t)s），投标文件不能解密。") % {"t": local_time(box.opens_at)})
    if project.status != Status.QUALIFIED or box.opened_at:
        raise Conflict(_("项目当前状态为“%(s)s”，不能开标。") % {"s": project.get_status_display()})
    session = _window(project)
    if session is None:
        raise Conflict(_("本项目没有正在进行的开标场次。"), {"session": [_("请在开标室场次时间内开标")]})
    bids = list(active_bids(project))
    waiting = [b for b in bids if b.valid is None]
    if waiting and clock.now() <= session.ends_at:
        raise Conflict(_("尚有%(n)d份投标文件未解密；开标时间窗口（至 %(t)s）结束前不能结束开标。")
                       % {"n": len(waiting), "t": local_time(session.ends_at)}, {"shares": [_("分片不足")]})
    with context.acting(actor, reason=_("开标时间窗口结束")):
        for bid in waiting:
            bid.valid = False
            bid.invalid_reason = _("开标时间窗口结束时未能解密（收到%(c)d个分片，需要%(k)d个）") % {
                "c": bid.opening_shares.count(), "k": box.threshold}
            bid.save()
        box.opened_at, box.opening_session, box.opened_by = clock.now(), session, actor
        box.save()
    project_transition(project, Status.OPENED, actor=actor, reason=_("开标"))
    ledger.record_event("bids_opened", obj=project, actor=actor, data={
        "round": project.round, "session": session.pk, "mode": "bidder",
        "bids": [{"bidder": b.bidder.uscc, "price": str(b.price or ""), "valid": b.valid,
                  "envelope_sha256": b.envelope_sha256} for b in bids]})
    checkpoints.publish_on_commit(f"bid opening {project.code}")
    return bids


@transaction.atomic
def opening_confirm(*, actor: User, project: Project, record_sha256: str) -> OpeningConfirmation:
    """A bidder confirms online the opening record it has seen (named by its digest)."""
    from evaluation.selectors import opening_digest  # selectors read services' models; no cycle at import

    require(actor, "project.register")
    box = _box(project)
    if box.opened_at is None:
        raise Conflict(_("尚未开标，没有可确认的开标记录。"))
    if not Bid.objects.filter(project=project, round=project.round, bidder_id=actor.organisation_id,
                              state=Bid.State.ACTIVE).exists():
        raise PermissionDenied(_("只有本轮的投标人可以确认开标记录。"))
    digest = str(record_sha256 or "").strip().lower()
    if digest != opening_digest(project):
        raise ValidationError({"record_sha256": [_("与当前开标记录的 SHA-256 不符，请刷新后核对再确认。")]})
    if OpeningConfirmation.objects.filter(project=project, round=project.round,
                                          bidder_id=actor.organisation_id).exists():
        raise Conflict(_("贵单位已确认过开标记录。"))
    with context.acting(actor, reason=_("确认开标记录")):
        row = OpeningConfirmation.objects.create(project=project, round=project.round,
                                                 bidder_id=actor.organisation_id, confirmed_by=actor,
                                                 record_sha256=digest, confirmed_at=clock.now())
    ledger.record_event("opening_confirmed", obj=row, actor=actor, data={"round": project.round,
                                                                         "record_sha256": digest})
    return row


def bid_document_read(*, actor: User, project: Project, bid_id: int) -> tuple[Bid, Any]:
    """An opened bid file, to those who must read it: a seated expert of the project's panel (to score it), the
    project's agency and the discipline inspectors. Until the award it is a bidder's confidential offer, so every
    reading is an audit event. Answers the bid and the stored PDF, opened for reading."""
    seated = PanelMember.objects.filter(panel__project=project, panel__round=project.round, expert__user=actor,
                                        state=PanelMember.State.SEATED).exists()
    if not (seated or manages(actor, project) or actor.role == Role.INSPECTOR):
        raise PermissionDenied(_("只有本项目评标委员会成员、代理机构和纪检监察人员可以查阅投标文件。"))
    bid = Bid.objects.filter(pk=bid_id, project=project).exclude(document_key="").first()
    if bid is None:
        raise Http404(_("没有这份已开启的投标文件。"))
    ledger.record_event("bid_document_read", obj=bid, actor=actor, data={"sha256": bid.document_sha256})
    return bid, get_store().open(bid.document_key)
