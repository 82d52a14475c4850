"""Writes on the centre's notice texts (a new version each time, the earlier ones kept) and on appeals (申诉) of
bad-behaviour records. The centre's page, the registration and the publication of a project call these; every
write is audited through the models' history. Every rule runs before the first write, so a refusal writes nothing."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from core import clock, context
from core.errors import Conflict
from core.roles import can, require
from trading import notices, reference_selectors
from trading.models import Appeal, BadBehaviourRecord, NoticeKind, NoticeText, Suspension, User

TEXT_MAX = 20000
REASON_MAX = 2000


def _text(value: object, field: str, label: str, *, max_length: int, required: bool = True) -> str:
    text = str(value if value is not None else "").strip()
    if required and not text:
        raise ValidationError({field: [_("%(f)s：必填。") % {"f": label}]})
    if len(text) > max_length:
        raise ValidationError({field: [_("%(f)s：不超过%(n)d个字符。") % {"f": label, "n": max_length}]})
    return text


# --- notice texts ----------------------------------------------------------------------------------------------

def notice_seeded(kind: str) -> NoticeText:
    """The current version, stored: version 1 (the default text) is written as the system account the first time
    something must point at it (a publication, a registration, the first edit). Inside the caller's transaction."""
    current = reference_selectors.current_notice(kind)
    if current.pk is not None:
        return current
    try:
        with transaction.atomic(), context.acting_as_system(reason=_("首版须知（默认文本）")):
            return NoticeText.objects.create(kind=kind, version=1, text=current.text, sha256=current.sha256,
                                             published_by=context.current().actor, published_at=clock.now())
    except IntegrityError:  # seeded by another request meanwhile
        return reference_selectors.current_notice(kind)


@transaction.atomic
def notice_publish(*, actor: User, kind: str, text: str, change_note: str = "") -> NoticeText:
    """A new version of a notice text, numbered after the current one; the earlier versions stay as they were.
    Projects already published keep the version they were announced with, registrations the one acknowledged."""
    require(actor, "centre.admin")
    if kind not in NoticeKind.values:
        raise ValidationError({"kind": [_("须知类别：须为 %(v)s 之一。") % {"v": ", ".join(NoticeKind.values)}]})
    text = _text(text, "text", _("正文"), max_length=TEXT_MAX).replace("\r\n", "\n")
    change_note = _text(change_note, "change_note", _("修改说明"), max_length=REASON_MAX, required=False)
    unknown = notices.unknown_placeholders(kind, text)
    if unknown:
        raise ValidationError({"text": [_("正文：未知的占位符 %(p)s；可用的占位符：%(known)s。") % {
            "p": "、".join(f"{{{name}}}" for name in unknown),
            "known": "、".join(f"{{{name}}}" for name in notices.PLACEHOLDERS) if kind == NoticeKind.DRAWN_ENTERPRISES
            else _("无")}]})
    if text == reference_selectors.current_notice(kind).text:
        raise ValidationError({"text": [_("正文：与当前版本相同，无需发布新版本。")]})
    current = notice_seeded(kind)
    try:
        with transaction.atomic(), context.acting(actor, reason=change_note or _("发布须知新版本")):
            return NoticeText.objects.create(kind=kind, version=current.version + 1, text=text,
                                             sha256=notices.text_sha256(text), published_by=actor,
                                             published_at=clock.now(), change_note=change_note)
    except IntegrityError as exc:
        raise Conflict(_("该须知刚有新版本发布，请刷新后重试。"), {"text": [_("并发发布")]}) from exc


def registration_notice(project) -> NoticeText:
    """The version of 随机抽取企业须知 an enterprise registering now acknowledges, stored: the one the project was
    announced with, or (a project published before versions existed) the current one."""
    version = reference_selectors.registration_notice(project)[0]
    return version if version.pk is not None else notice_seeded(NoticeKind.DRAWN_ENTERPRISES)


# --- appeals of bad-behaviour records ---------------------------------------------------------------------------

@transaction.atomic
def appeal_file(*, actor: User, record: BadBehaviourRecord, reason: str) -> Appeal:
    """申诉 by the enterprise concerned: its own staff only, while the record stands and no appeal of it is open."""
    require(actor, "project.register")
    if actor.organisation_id is None or actor.organisation_id != record.enterprise_id:
        raise PermissionDenied(_("只有被记录的企业可以对该不良行为记录提出申诉。"))
    reason = _text(reason, "reason", _("申诉理由"), max_length=REASON_MAX)
    record = BadBehaviourRecord.objects.select_for_update().get(pk=record.pk)
    if record.annulled_at is not None:
        raise Conflict(_("该不良行为记录已撤销，无需申诉。"), {"record": [_("已撤销")]})
    if record.appeals.filter(state=Appeal.State.OPEN).exists():
        raise Conflict(_("该不良行为记录已有待处理的申诉。"), {"record": [_("已有待处理的申诉")]})
    try:
        with transaction.atomic(), context.acting(actor, reason=reason):
            return Appeal.objects.create(record=record, enterprise_id=record.enterprise_id, reason=reason,
                                         filed_by=actor, filed_at=clock.now())
    except IntegrityError as exc:
        raise Conflict(_("该不良行为记录已有待处理的申诉。"), {"record": [_("已有待处理的申诉")]}) from exc


@transaction.atomic
def appeal_decide(*, actor: User, appeal: Appeal, outcome: str, reason: str) -> Appeal:
    """The administrator's decision, with a written reason. Upheld: the record is annulled and its suspensions
    are lifted from now on (eligibility at an earlier deadline still saw them); rejected: both stand."""
    require(actor, "centre.admin")
    if outcome not in (Appeal.State.UPHELD, Appeal.State.REJECTED):
        raise ValidationError({"outcome": [_("处理结果：须为 upheld（申诉成立）或 rejected（申诉驳回）。")]})
    reason = _text(reason, "reason", _("处理理由"), max_length=REASON_MAX)
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if appeal.state != Appeal.State.OPEN:
        raise Conflict(_("该申诉已处理（%(s)s），不能再次处理。") % {"s": appeal.get_state_display()},
                       {"appeal": [_("已处理")]})
    now = clock.now()
    with context.acting(actor, reason=reason):
        appeal.state, appeal.decided_by, appeal.decided_at, appeal.decision_reason = outcome, actor, now, reason
        appeal.save()
        if outcome == Appeal.State.UPHELD:
            record = appeal.record
            record.annulled_at = now
            record.save()
            for suspension in Suspension.objects.filter(record=record, lifted_at__isnull=True).filter(
                    Q(ends_at__gt=now)):
                suspension.lifted_at = now
                suspension.save()
    return appeal


def may_appeal(actor: User, record: BadBehaviourRecord) -> bool:
    return can(actor, "project.register") and actor.organisation_id == record.enterprise_id
