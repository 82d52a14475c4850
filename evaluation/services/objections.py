"""Objections: raised on site at the opening (recorded by the host) or by a bidder during publicity (条例 §54),
each answered once by the project's agency. An unanswered publicity objection holds the award."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit import ledger
from core import clock, context
from core.errors import Conflict
from core.roles import can, require
from evaluation.models import Bid, BidRound, Objection
from trading.models import Project, User
from trading.models.projects import Status
from trading.selectors import ensure_manages


def _text(value: object, field: str, limit: int = 2000) -> str:
    text = str(value or "").strip()
    if not text:
        raise ValidationError({field: [_("必填。")]})
    if len(text) > limit:
        raise ValidationError({field: [_("不超过%(n)d字。") % {"n": limit}]})
    return text


@transaction.atomic
def objection_raise(*, actor: User, project: Project, stage: str, content: str, raised_by: str = "") -> Objection:
    content = _text(content, "content")
    project = Project.objects.get(pk=project.pk)  # the current status, not the caller's copy
    if stage == Objection.Stage.OPENING and can(actor, "project.register"):
        raised_by = _remote_bidder(actor, project)  # 不见面开标: the bidder objects online itself
    elif stage == Objection.Stage.OPENING:
        ensure_manages(actor, project)  # the host writes down what a bidder's representative says on site
        raised_by = _text(raised_by, "raised_by", 200)
        if project.status != Status.OPENED:
            raise Conflict(_("开标现场异议只能在开标后、评标前记录。"))
    elif stage == Objection.Stage.PUBLICITY:
        require(actor, "project.register")
        if not Bid.objects.filter(project=project, round=project.round, bidder_id=actor.organisation_id).exists():
            raise PermissionDenied(_("只有本项目的投标人可以对中标候选人提出异议。"))
        if project.status != Status.PUBLICITY or (project.publicity_until and clock.now() >= project.publicity_until):
            raise Conflict(_("不在公示期内，不能提出异议。"))
        raised_by = actor.organisation.name
    else:
        raise ValidationError({"stage": [_("阶段须为 opening 或 publicity。")]})
    with context.acting(actor, reason=_("提出异议")):
        objection = Objection.objects.create(project=project, round=project.round, stage=stage, raised_by=raised_by,
                                             raised_by_user=actor, content=content, raised_at=clock.now())
    ledger.record_event("objection_raised", obj=objection, actor=actor, data={"stage": stage})
    return objection


def _remote_bidder(actor: User, project: Project) -> str:
    """A bidder of a remotely opened round (bid files), after the opening and before the evaluation."""
    box = BidRound.objects.filter(project=project, round=project.round).first()
    if box is None or box.mode != BidRound.Mode.BIDDER:
        raise PermissionDenied(_("现场开标的异议由主持人记录。"))
    if not Bid.objects.filter(project=project, round=project.round, bidder_id=actor.organisation_id,
                              state=Bid.State.ACTIVE).exists():
        raise PermissionDenied(_("只有本轮的投标人可以对开标提出异议。"))
    if project.status != Status.OPENED:
        raise Conflict(_("开标异议只能在开标后、评标前提出。"))
    return actor.organisation.name


@transaction.atomic
def objection_answer(*, actor: User, objection: Objection, answer: str) -> Objection:
    ensure_manages(actor, objection.project)
    answer = _text(answer, "answer")
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if objection.answered_at:
        raise Conflict(_("该异议已答复。"))
    objection.answer, objection.answered_by, objection.answered_at = answer, actor, clock.now()
    with context.acting(actor, reason=_("答复异议")):
        objection.save()
    ledger.record_event("objection_answered", obj=objection, actor=actor, data={"stage": objection.stage})
    return objection


def open_objections(project: Project, stage: str):
    return Objection.objects.filter(project=project, round=project.round, stage=stage, answered_at__isnull=True)
