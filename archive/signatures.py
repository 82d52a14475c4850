"""Records signed by the people who vouch for them: who may sign which record (`standing`), the message a signer's
browser signs (core.personal_keys.record_message over the record's digest), the one write (`record_sign`, which
verifies at once and stores nothing it refuses) and the export the offline verifier checks
(`python logverify.py signatures EXPORT.json --log-key VKEY`).

A record's signed digest is SHA-256 of the canonical JSON of its data without its document number (文号): the
number is assigned when the record is first issued, which may come after a signature, and it identifies the record
rather than saying anything the signers vouch for."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from archive import pdf, selectors
from archive.models import RecordSignature
from audit import ledger
from core import clock, context, personal_keys
from core.errors import Conflict
from core.roles import Role
from evaluation.models import Bid, PanelMember
from lottery.models import Draw
from trading.models import Attendance, Project, SigningKey, User
from trading.services.signing_keys import key_binding

EXPORT_FORMAT = "jiaoyi record signatures v1"
Standing = RecordSignature.Standing
# the records people sign, and the session kind whose supervisors sign each
SIGNED_KINDS = {"draw": "draw", "bid-opening": "opening", "evaluation": "evaluation"}
STANDING_LABELS = {Standing.SUPERVISOR: gettext_lazy("现场监督"), Standing.AGENCY: gettext_lazy("招标代理"),
                   Standing.BIDDER: gettext_lazy("投标人"), Standing.EXPERT: gettext_lazy("评标专家")}


def is_signed_kind(kind: str) -> bool:
    return kind in SIGNED_KINDS


# what accrues on a record after it is made and only vouches for it, as the signatures themselves do: not signed
# (a bidder confirming the opening record must not turn another's signature into one of an earlier version)
ATTESTATIONS = {"bid-opening": ("ceremony", "confirmations")}


def signed_body(record: selectors.Record) -> dict[str, Any]:
    """The record's data as its signers sign it: everything the PDF prints but the attestations."""
    data = record.data()
    path = ATTESTATIONS.get(record.kind)
    if path is not None and isinstance(data.get(path[0]), dict):
        data = {**data, path[0]: {k: v for k, v in data[path[0]].items() if k != path[1]}}
    return data


def record_digest(record: selectors.Record) -> str:
    return pdf.content_digest(signed_body(record))


def record_message(record: selectors.Record, digest: str) -> bytes:
    return personal_keys.record_message(project=record.project.code, kind=record.kind, digest=digest)


def standing(user: Any, record: selectors.Record) -> str | None:
    """Why `user` may sign `record`, or None: a supervisor who attended its session (or sealed an input of the
    draw), the project's own agency, a bidder of the project (the opening record), a seated expert of the panel
    (the evaluation report)."""
    if not getattr(user, "is_active", False) or not is_signed_kind(record.kind):
        return None
    project, role = record.project, user.role
    if role == Role.SUPERVISOR and _supervised(user, project, record.kind):
        return Standing.SUPERVISOR
    if role == Role.AGENCY and user.organisation_id and project.agency_id == user.organisation_id:
        return Standing.AGENCY
    if role == Role.ENTERPRISE and record.kind == "bid-opening" and user.organisation_id and Bid.objects.filter(
            project=project, round=project.round, bidder_id=user.organisation_id).exists():
        return Standing.BIDDER
    if role == Role.EXPERT and record.kind == "evaluation" and PanelMember.objects.filter(
            panel__project=project, panel__round=project.round, expert__user=user,
            state=PanelMember.State.SEATED).exists():
        return Standing.EXPERT
    return None


def _supervised(user: User, project: Project, kind: str) -> bool:
    if Attendance.objects.filter(session__project=project, session__kind=SIGNED_KINDS[kind], user=user,
                                 badge=Attendance.Badge.SUPERVISOR).exists():
        return True
    if kind == "draw":
        draw = Draw.objects.filter(project=project).order_by("-round").first()
        meta = (draw.proof or {}).get("metadata", {}) if draw else {}
        return user.username in (meta.get("supervisors") or meta.get("supervisors_present") or [])
    return False


def ensure_can_see_signatures(user: Any, record: selectors.Record) -> None:
    """Those who read the project's records, and those who may sign this one."""
    if selectors.can_read_records(user, record.project) or standing(user, record):
        return
    raise PermissionDenied(_("您无权查看该记录的签名。"))


def ensure_can_sign(user: Any, record: selectors.Record) -> str:
    role = standing(user, record)
    if role is None:
        raise PermissionDenied(_("您无权签署该记录（须为本场监督、本项目代理机构、本项目投标人或评标专家）。"))
    return role


def record_signatures(record: selectors.Record) -> list[RecordSignature]:
    return list(RecordSignature.objects.filter(project=record.project, round=record.project.round, kind=record.kind)
                .select_related("signer", "key").order_by("signed_at", "id"))


def signature_rows(record: selectors.Record, digest: str | None = None) -> list[dict[str, Any]]:
    """What a page, a PDF and the API print of each signature: signer, role, time, key fingerprint, the signature
    and whether it holds for the record as it is now (same digest, key bound when it signed)."""
    digest = digest or record_digest(record)
    return [{"signer": str(s.signer), "username": s.signer.username, "standing": s.standing,
             "role": str(STANDING_LABELS[s.standing]), "signed_at": s.signed_at, "fingerprint": s.key.fingerprint,
             "signature": s.signature, "digest": s.digest,
             "current": s.digest == digest and s.key.valid_at(s.signed_at)} for s in record_signatures(record)]


def _signature_bytes(text: str) -> bytes:
    try:
        raw = base64.b64decode((text or "").strip(), validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != personal_keys.P1363_LENGTH:
        raise ValidationError({"signature": [_("签名须为 base64 编码的 64 字节 P-256 签名（r‖s）。")]})
    return raw


def record_sign(*, actor: User, record: selectors.Record, fingerprint: str, digest: str,
                signature: str) -> RecordSignature:
    """Verify and store one person's signature of the record as it is now. Refused, with nothing stored: a signer
    without standing, a key not theirs or not bound (pending, revoked), a digest of another version of the record,
    a signature that does not verify, a second signature of the same version by the same person."""
    role = ensure_can_sign(actor, record)
    raw = _signature_bytes(signature)
    key = SigningKey.objects.filter(fingerprint=(fingerprint or "").strip().lower(), user=actor).first()
    if key is None:
        raise ValidationError({"key": [_("没有以此指纹登记在您名下的签名密钥。")]})
    current = record_digest(record)
    if (digest or "").strip().lower() != current:
        raise Conflict(_("记录在您签名后已变更（摘要不符），请刷新后重新核对再签名。"),
                       {"digest": [_("摘要与记录当前内容不符。")]})
    with transaction.atomic():
        key = SigningKey.objects.select_for_update().get(pk=key.pk)  # a revocation waits for this signature
        now = clock.now()
        if not key.valid_at(now):
            why = _("已吊销") if key.revoked_at else _("尚未经中心管理员审核绑定")
            raise Conflict(_("该签名密钥%(why)s，不能签名。") % {"why": why}, {"key": [why]})
        if not personal_keys.verify(base64.b64decode(key.public_key), record_message(record, current), raw):
            raise ValidationError({"signature": [_("签名验证失败：不是该密钥对本记录的签名。")]})
        project = record.project
        if RecordSignature.objects.filter(project=project, round=project.round, kind=record.kind, digest=current,
                                          signer=actor).exists():
            raise Conflict(_("您已签署过该记录的此版本。"))
        try:
            with transaction.atomic(), context.acting(actor, reason=_("电子签名")):
                signed = RecordSignature.objects.create(
                    project=project, round=project.round, kind=record.kind, digest=current, key=key, signer=actor,
                    standing=role, signature=base64.b64encode(raw).decode("ascii"), signed_at=now)
                ledger.record_event("record_signed", obj=signed, actor=actor, data={
                    "kind": record.kind, "digest": current, "fingerprint": key.fingerprint, "standing": role})
        except IntegrityError:
            raise Conflict(_("您已签署过该记录的此版本。")) from None
    return signed


def signatures_export(record: selectors.Record) -> dict[str, Any]:
    """Everything the offline verifier needs for one record: the record's data as signed (`signed_body`, whose
    canonical JSON it hashes again), its signatures, and each key with the centre's signed binding."""
    project, rows = record.project, record_signatures(record)
    keys = {s.key.fingerprint: key_binding(s.key) for s in rows}
    return {
        "format": EXPORT_FORMAT, "context": personal_keys.RECORD_CONTEXT, "project": project.code,
        "round": project.round, "kind": record.kind, "digest": record_digest(record),
        "record": _json_value(signed_body(record)),
        "signatures": [{"signer": s.signer.username, "name": str(s.signer), "standing": s.standing,
                        "signed_at": s.signed_at.isoformat(), "fingerprint": s.key.fingerprint, "digest": s.digest,
                        "signature": s.signature} for s in rows],
        "keys": keys,
    }


def _json_value(data: dict[str, Any]) -> Any:
    return json.loads(pdf.canonical_json(data))


def ensure_can_read_record(user: Any, record: selectors.Record) -> None:
    """A record's PDF: the project's record readers, and whoever may sign this record (a bidder reads the opening
    record it signs, an expert the report)."""
    if not standing(user, record):
        selectors.ensure_can_read_records(user, record.project)


def signing_panel(user: Any, record: selectors.Record) -> dict[str, Any] | None:
    """What a record page shows of a signed record for `user`: its digest and message, its signatures, whether the
    user may sign it (and has not yet) and the fingerprints of their keys bound now (the browser looks for one)."""
    if not is_signed_kind(record.kind):
        return None
    digest = record_digest(record)
    rows = signature_rows(record, digest)
    role = standing(user, record)
    now = clock.now()
    keys = [k.fingerprint for k in SigningKey.objects.filter(user=user, approved_at__isnull=False,
                                                              revoked_at__isnull=True) if k.valid_at(now)] if role else []
    return {"digest": digest, "message": record_message(record, digest).decode(), "rows": rows, "standing": role,
            "standing_label": STANDING_LABELS[role] if role else "", "keys": json.dumps(keys),
            "signed": any(r["username"] == user.username and r["digest"] == digest for r in rows)}


def with_signatures(record: selectors.Record, content: dict[str, Any]) -> dict[str, Any]:
    """The record's content with its signature block (archive.pdf: `electronic_signatures`, left out of the
    content digest): the signatures of the record as it is now, in the order they were made."""
    if not is_signed_kind(record.kind):
        return content
    digest = record_digest(record)
    items = [{"signer": r["signer"], "role": r["role"], "signed_at": r["signed_at"], "fingerprint": r["fingerprint"],
              "signature": base64.b64decode(r["signature"]).hex()} for r in signature_rows(record, digest) if r["current"]]
    return {**content, pdf.ELECTRONIC_SIGNATURES: {"digest": digest, "items": items}} if items else content
