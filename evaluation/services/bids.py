"""Sealed bids: the bid box, submit / replace / withdraw before the deadline, the close
(fewer than 3 bids: no opening, 条例 §44) and the opening in the opening session.

Where the opening key lives. `sealing.new_opening_key` splits the private key into shares at publication and
forgets it. Each share is stored sealed with AES-256-GCM under a key derived (HKDF) from the platform key
(`BID_SEALING_KEY`, default SECRET_KEY) and bound to the project, round, share index and the opening time. So:
- a database reader (or a backup, or an administrator with database access) holds only the public key, the
  ciphertexts and sealed shares: nothing that opens a bid without the platform key;
- the application unseals the shares only in `bids_open`, which refuses before the opening time, outside an
  opening session under way, and to anyone but the project's agency or an administrator; every refusal is a
  403/409 and every opening a ledger entry;
- moving `opens_at` earlier in the database changes the derivation, so the shares no longer open.
Whoever holds *both* the platform key and the database can decrypt early: keep BID_SEALING_KEY off the database
host (an environment secret or a KMS). The stronger variant, supervisors' shares typed in at the opening, fits
the same `sealing.combine` call; it is not built here.
"""

from __future__ import annotations

import base64
import hashlib
import json
from decimal import Decimal
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit import checkpoints, ledger, receipts
from core import clock, context
from core.errors import Conflict
from core.parsing import collect_money
from core.roles import is_system, require
from core.timefmt import local_time
from evaluation import sealing
from evaluation.models import Bid, BidRound
from trading.lifecycle import project_transition
from trading.models import Project, Session, User
from trading.models.projects import ProjectType, Status
from trading.selectors import ensure_manages, session_under_way
from trading.services.projects import project_close

MIN_BIDS = 3  # 招标投标法实施条例 §44: fewer than 3 bidders, no opening
SEALED_TYPES = frozenset({ProjectType.PROCUREMENT})
SHARES, THRESHOLD = 3, 2


def _share_key(*, code: str, round_no: int, index: int, opens_at) -> AESGCM:
    material = settings.BID_SEALING_KEY or settings.SECRET_KEY
    info = f"bid-share|{code}|{round_no}|{index}|{opens_at.isoformat()}".encode()
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"jiaoyi-bid-shares", info=info).derive(material.encode())
    return AESGCM(key)


def _seal_share(share: sealing.Share, *, code: str, round_no: int, opens_at) -> str:
    nonce = hashlib.sha256(f"{code}|{round_no}|{share.index}|{share.fingerprint}".encode()).digest()[:12]
    aes = _share_key(code=code, round_no=round_no, index=share.index, opens_at=opens_at)
    return (nonce + aes.encrypt(nonce, share.encode().encode(), None)).hex()


def _unseal_shares(box: BidRound) -> list[sealing.Share]:
    shares = []
    for index, sealed in enumerate(box.sealed_shares, start=1):
        raw = bytes.fromhex(sealed)
        aes = _share_key(code=box.project.code, round_no=box.round, index=index, opens_at=box.opens_at)
        try:
            shares.append(sealing.Share.decode(aes.decrypt(raw[:12], raw[12:], None).decode()))
        except InvalidTag as exc:
            raise Conflict(_("开标密钥分片无法解封（开标时间或密钥分片被改动）。")) from exc
    return shares


def bid_box_prepare(*, project: Project, actor: User) -> BidRound | None:
    """Hook at publication: the round's opening key pair; only the public key and sealed shares are kept."""
    if project.type not in SEALED_TYPES:
        return None
    public, shares = sealing.new_opening_key(SHARES, THRESHOLD)
    opens_at = project.registration_deadline
    box = BidRound.objects.create(
        project=project, round=project.round, public_key=public.hex(), fingerprint=sealing.fingerprint(public),
        threshold=THRESHOLD, opens_at=opens_at,
        sealed_shares=[_seal_share(s, code=project.code, round_no=project.round, opens_at=opens_at) for s in shares])
    ledger.record_event("bid_box_prepared", obj=project, data={
        "round": project.round, "public_key": box.public_key, "fingerprint": box.fingerprint,
        "opens_at": opens_at.isoformat()})
    return box


def _box(project: Project) -> BidRound:
    box = BidRound.objects.filter(project=project, round=project.round).select_related("project").first()
    if box is None:
        raise Conflict(_("本项目本轮未设投标箱（仅政府采购项目发布后接受密封投标）。"))
    return box


def _clean_bid(data: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, list[str]] = {}
    price = collect_money(data.get("price"), "price", errors)
    if price is not None and "price" not in errors and price <= 0:
        errors["price"] = [_("投标报价须大于零。")]
    duration = str(data.get("duration") or "").strip()
    terms = str(data.get("terms") or "").strip()
    if len(duration) > 100:
        errors["duration"] = [_("不超过100字。")]
    if len(terms) > 2000:
        errors["terms"] = [_("不超过2000字。")]
    if errors:
        raise ValidationError(errors)
    return {"price": f"{price:.2f}", "duration": duration, "terms": terms}


def bid_document(project: Project, bidder_uscc: str, clean: dict[str, str]) -> bytes:
    """Exactly the bytes sealed and hashed for the receipt: canonical JSON the bidder can recompute."""
    doc = {"project": project.code, "round": project.round, "bidder": bidder_uscc, **clean}
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _aad(project_code: str, round_no: int, uscc: str) -> bytes:
    return f"{project_code}|{round_no}|{uscc}".encode()


def _locked_open_project(actor: User, project: Project) -> Project:
    require(actor, "project.register")
    if actor.organisation_id is None:
        raise PermissionDenied(_("账号未关联投标企业。"))
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.status != Status.PUBLISHED or clock.now() >= project.registration_deadline:
        raise Conflict(_("投标截止时间（%(t)s）已过或项目不在投标期，拒收。")
                       % {"t": local_time(project.registration_deadline)}, {"deadline": [_("已截止")]})
    return project


@transaction.atomic
def bid_submit(*, actor: User, project: Project, data: dict[str, Any]) -> tuple[Bid, dict[str, Any]]:
    """Seal and store a bid (a second one replaces the first, which is kept); answer the bid and its receipt."""
    clean = _clean_bid(data)
    project = _locked_open_project(actor, project)
    box = _box(project)
    if box.mode != BidRound.Mode.SERVER:
        raise Conflict(_("本轮须递交在浏览器中加密的投标文件（不接受平台密封的报价）。"), {"mode": [_("本轮为 bidder")]})
    uscc = actor.organisation.uscc
    document = bid_document(project, uscc, clean)
    blob = sealing.seal(bytes.fromhex(box.public_key), document, aad=_aad(project.code, project.round, uscc))
    now = clock.now()
    with context.acting(actor, reason=_("递交密封投标文件")):
        previous = _active(project, actor.organisation_id)
        if previous is not None:
            previous.state, previous.ended_at = Bid.State.REPLACED, now
            previous._change_reason = _("投标截止前替换")
            previous.save()
        bid = Bid.objects.create(
            project=project, round=project.round, bidder_id=actor.organisation_id, submitted_by=actor,
            envelope=base64.b64encode(blob.to_bytes()).decode(), envelope_sha256=blob.ciphertext_sha256,
            submitted_at=now)
    entry = ledger.record_event("bid_submitted", obj=bid, actor=actor, data={
        "round": project.round, "envelope_sha256": bid.envelope_sha256,
        "replaces": previous.pk if previous else None})
    receipt = {"bid": bid.pk, "project": project.code, "round": project.round, "submitted_at": now.isoformat(),
               "plaintext_sha256": blob.receipt.plaintext_sha256, "ciphertext_sha256": blob.receipt.ciphertext_sha256,
               "document": document.decode("utf-8"), "log": receipts.issue(entry)}
    return bid, receipt


def _active(project: Project, bidder_id: int) -> Bid | None:
    return Bid.objects.filter(project=project, round=project.round, bidder_id=bidder_id,
                              state=Bid.State.ACTIVE).first()


@transaction.atomic
def bid_withdraw(*, actor: User, project: Project) -> Bid:
    project = _locked_open_project(actor, project)
    bid = _active(project, actor.organisation_id)
    if bid is None:
        raise Conflict(_("您在本轮没有可撤回的投标。"))
    bid.state, bid.ended_at = Bid.State.WITHDRAWN, clock.now()
    bid._change_reason = _("投标截止前撤回")
    with context.acting(actor):
        bid.save()
    ledger.record_event("bid_withdrawn", obj=bid, actor=actor, data={"round": project.round})
    return bid


def active_bids(project: Project):
    return Bid.objects.filter(project=project, round=project.round, state=Bid.State.ACTIVE).select_related("bidder")


@transaction.atomic
def bids_close(*, actor: User, project: Project) -> Project:
    """At the deadline: close registration through trading, then count the bids. Fewer than 3: the round fails
    and nothing is opened (条例 §44)."""
    box = _box(project)
    if box.closed_at:
        raise Conflict(_("本轮投标已截止处理。"))
    if project.status == Status.PUBLISHED:
        project = project_close(actor=actor, project=project)
    elif not is_system(actor):
        ensure_manages(actor, project)
    count = active_bids(project).count()
    box.closed_at, box.bid_count = clock.now(), count
    with context.acting(actor, reason=_("投标截止")):
        box.save()
    ledger.record_event("bids_closed", obj=project, actor=actor, data={"round": project.round, "bids": count})
    if count < MIN_BIDS:
        project = project_transition(
            project, Status.FAILED, actor=actor,
            reason=_("投标人少于%(n)d个（%(c)d个），不得开标，流标（招标投标法实施条例第四十四条）")
            % {"n": MIN_BIDS, "c": count})
    return project


def opening_session(project: Project) -> Session | None:
    for session in project.sessions.filter(kind="opening").order_by("starts_at"):
        if session_under_way(session):
            return session
    return None


@transaction.atomic
def bids_open(*, actor: User, project: Project) -> list[Bid]:
    """At or after the opening time, in the opening session: rebuild the key, open and list every bid; a bid over
    the ceiling price is invalid with the reason."""
    ensure_manages(actor, project)
    if _box(project).mode == BidRound.Mode.BIDDER:  # bid files: opened one by one as shares come in
        from evaluation.services.opening import bid_files_open_finish  # it builds on this module

        return bid_files_open_finish(actor=actor, project=project)
    project = Project.objects.select_for_update().get(pk=project.pk)
    box = _box(project)
    if clock.now() < box.opens_at:
        raise Conflict(_("未到开标时间（%(t)s），投标文件不能解密。") % {"t": local_time(box.opens_at)})
    if project.status != Status.QUALIFIED or box.opened_at:
        raise Conflict(_("项目当前状态为“%(s)s”，不能开标。") % {"s": project.get_status_display()})
    session = opening_session(project)
    if session is None:
        raise Conflict(_("本项目没有正在进行的开标场次。"), {"session": [_("请在开标室场次时间内开标")]})
    private_key = sealing.combine(_unseal_shares(box))
    bids = list(active_bids(project))
    with context.acting(actor, reason=_("开标解密")):
        for bid in bids:
            _open_one(bid, private_key, project)
        box.opened_at, box.opening_session, box.opened_by = clock.now(), session, actor
        box.save()
    project_transition(project, Status.OPENED, actor=actor, reason=_("开标"))
    ledger.record_event("bids_opened", obj=project, actor=actor, data={
        "round": project.round, "session": session.pk,
        "bids": [{"bidder": b.bidder.uscc, "price": str(b.price), "valid": b.valid} for b in bids]})
    checkpoints.publish_on_commit(f"bid opening {project.code}")
    return bids


def _open_one(bid: Bid, private_key, project: Project) -> None:
    blob = sealing.SealedBlob.from_bytes(base64.b64decode(bid.envelope))
    if blob.ciphertext_sha256 != bid.envelope_sha256:
        raise Conflict(_("投标文件 %(id)s 的密文与递交时的摘要不一致。") % {"id": bid.pk})
    document = sealing.unseal(private_key, blob, aad=_aad(project.code, project.round, bid.bidder.uscc))
    content = json.loads(document)
    bid.plaintext_sha256 = hashlib.sha256(document).hexdigest()
    bid.price, bid.duration, bid.terms = Decimal(content["price"]), content["duration"], content["terms"]
    ceiling = project.ceiling_price
    if ceiling is not None and bid.price > ceiling:
        bid.valid = False
        bid.invalid_reason = _("投标报价%(p)s元超过最高投标限价%(c)s元") % {"p": f"{bid.price:,.2f}",
                                                                  "c": f"{ceiling:,.2f}"}
    else:
        bid.valid, bid.invalid_reason = True, ""
    bid.save()
