"""Scoring and its outcome: the evaluation plan, each expert's sheet locked on submission, the ranking
computed by `evaluation.scoring`, the top three winning candidates, publicity (条例 §54), award, and a withdrawn
or failed first candidate replaced by the next in order or a new round (§55)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit import checkpoints, ledger
from core import clock, context
from core.errors import Conflict
from core.parsing import decimal_value
from core.timefmt import local_time
from evaluation import scoring
from evaluation.models import (
    Bid,
    Candidate,
    EvaluationPlan,
    EvaluationResult,
    Objection,
    Panel,
    PanelMember,
    Score,
)
from evaluation.services.objections import open_objections
from evaluation.services.panels import member_for, seated
from trading.lifecycle import project_transition
from trading.models import Project, User
from trading.models.projects import Status
from trading.selectors import ensure_manages
from trading.services import notifications
from trading.services.aftercare import contract_offer, publicity_start

SCORE_MAX = Decimal("99999.99")  # the widest score column (evaluation.models.SCORE)


def _decimal(value: Any, field: str) -> Decimal:
    return decimal_value(value, field, places=2, minimum=-SCORE_MAX, maximum=SCORE_MAX)


def _criteria(raw: Any) -> tuple[scoring.Criterion, ...]:
    if not isinstance(raw, list):
        raise ValidationError({"criteria": [_("须为评分因素列表。")]})
    out = []
    for n, item in enumerate(raw, start=1):
        try:
            out.append(scoring.Criterion(
                code=str(item["code"]), kind=scoring.CriterionKind(item["kind"]),
                weight=_decimal(item["weight"], "criteria"), max_score=_decimal(item["max_score"], "criteria")))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValidationError({"criteria": [_("第%(n)d项评分因素无效：%(e)s") % {"n": n, "e": exc}]}) from None
    return tuple(out)


def method_of(plan: EvaluationPlan, ceiling: Decimal | None) -> scoring.ComprehensiveMethod:
    return scoring.ComprehensiveMethod(price_weight=plan.price_weight, criteria=_criteria(plan.criteria),
                                       outlier_share=plan.outlier_share, ceiling=ceiling)


@transaction.atomic
def plan_set(*, actor: User, project: Project, method: str, price_weight: Any = "0", criteria: Any = None,
             outlier_share: Any = "0.20") -> EvaluationPlan:
    """The method of the tender documents; fixed once any expert has submitted."""
    ensure_manages(actor, project)
    if method not in EvaluationPlan.Method.values:
        raise ValidationError({"method": [_("须为 %(v)s 之一。") % {"v": ", ".join(EvaluationPlan.Method.values)}]})
    criteria = criteria or []
    weight = _decimal(price_weight, "price_weight")
    share = decimal_value(outlier_share, "outlier_share", minimum=Decimal(0), maximum=Decimal(1))
    parsed = _criteria(criteria)
    try:
        scoring.ComprehensiveMethod(price_weight=weight, criteria=parsed, outlier_share=share)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"criteria": [str(exc)]}) from None
    if method == EvaluationPlan.Method.COMPREHENSIVE and not parsed and weight == 0:
        raise ValidationError({"criteria": [_("综合评估法须有评分因素或价格分。")]})
    if PanelMember.objects.filter(panel__project=project, panel__round=project.round,
                                  submitted_at__isnull=False).exists():
        raise Conflict(_("已有评委提交评分，评标办法不能再改。"))
    plan = EvaluationPlan.objects.filter(project=project, round=project.round).first() or \
        EvaluationPlan(project=project, round=project.round)
    plan.method, plan.price_weight, plan.outlier_share = method, weight, share
    plan.criteria = [{"code": c.code, "name": str(item.get("name") or c.code), "kind": c.kind.value,
                      "weight": str(c.weight), "max_score": str(c.max_score)} for c, item in zip(parsed, criteria, strict=True)]
    with context.acting(actor, reason=_("设定评标办法")):
        plan.save()
    return plan


def plan_for(project: Project) -> EvaluationPlan:
    plan = EvaluationPlan.objects.filter(project=project, round=project.round).first()
    if plan is None:
        raise Conflict(_("代理机构尚未设定评标办法。"))
    return plan


def valid_bids(project: Project):
    return Bid.objects.filter(project=project, round=project.round, state=Bid.State.ACTIVE, valid=True) \
        .select_related("bidder").order_by("pk")


def _sheet_values(sheet: Any, plan: EvaluationPlan, bids: list[Bid]) -> list[tuple[Bid, str, Decimal]]:
    """Every valid bid × every criterion, each within its range; anything else named and refused."""
    if not isinstance(sheet, dict):
        raise ValidationError({"scores": [_("须为 {投标编号: {评分因素: 分值}}。")]})
    by_id = {str(b.pk): b for b in bids}
    unknown = sorted(set(map(str, sheet)) - set(by_id))
    if unknown:
        raise ValidationError({"scores": [_("投标 %(ids)s 不在本评标委员会的评审范围内。") % {"ids": ", ".join(unknown)}]})
    rows = []
    for criterion in plan.criteria:
        top = Decimal(criterion["max_score"])
        for key, bid in by_id.items():
            raw = (sheet.get(key) or sheet.get(bid.pk) or {}).get(criterion["code"])
            where = f"scores.{key}.{criterion['code']}"
            if raw is None:
                raise ValidationError({where: [_("缺少评分。")]})
            value = _decimal(raw, where)
            if not 0 <= value <= top or value.as_tuple().exponent < -2:
                raise ValidationError({where: [_("分值%(v)s须在0至%(m)s之间，最多两位小数。") % {"v": value, "m": top}]})
            rows.append((bid, criterion["code"], value))
    return rows


@transaction.atomic
def score_submit(*, actor: User, project: Project, sheet: Any) -> PanelMember:
    """An expert's whole sheet at once; it locks on submission (a second submission is 409)."""
    member = member_for(actor, project)
    member = PanelMember.objects.select_for_update().get(pk=member.pk)
    project = Project.objects.get(pk=project.pk)  # the caller's copy may predate the opening
    if member.submitted_at:
        raise Conflict(_("您已提交评分，不能修改。"))
    if member.panel.ended_at or project.status != Status.OPENED:
        raise Conflict(_("评标已结束。"))
    plan = plan_for(project)
    rows = _sheet_values(sheet, plan, list(valid_bids(project)))
    with context.acting(actor, reason=_("提交评分")):
        for bid, code, value in rows:
            Score.objects.create(member=member, bid=bid, criterion=code, value=value)
        member.submitted_at = clock.now()
        member.save()
    ledger.record_event("scores_submitted", obj=member.panel, actor=actor, data={"rank": member.rank,
                                                                               "scores": len(rows)})
    return member


def compute(project: Project, panel: Panel, plan: EvaluationPlan) -> tuple[list[dict], dict[str, Any]]:
    """Run the pure scoring over the stored bids and scores: (ranking rows, full figures)."""
    bids = {str(b.pk): b for b in Bid.objects.filter(project=project, round=project.round,
                                                      state=Bid.State.ACTIVE).select_related("bidder")}
    pure = [scoring.Bid(bidder=k, price=b.price, submitted_at=b.submitted_at) for k, b in bids.items()]
    if plan.method == EvaluationPlan.Method.LOWEST_PRICE:
        result = scoring.rank_lowest_evaluated_price(pure, ceiling=project.ceiling_price)
        rows = [{"bid": p.bid.bidder, "rank": p.rank, "price": p.bid.price, "total": p.evaluated_price}
                for p in result.ranking]
        return rows, {"method": plan.method, "ranking": _jsonable(rows), "invalid": _invalid(result.invalid),
                      "outliers": []}
    members = list(seated(panel))
    experts = [str(m.rank) for m in members]
    scores = [scoring.Score(expert=str(s.member.rank), bidder=str(s.bid_id), criterion=s.criterion, value=s.value)
              for s in Score.objects.filter(member__in=members).select_related("member")]
    result = scoring.score_comprehensive(method_of(plan, project.ceiling_price), pure, scores, experts=experts)
    rows = [{"bid": s.bid.bidder, "rank": s.rank, "price": s.bid.price, "price_score": s.price_score,
             "technical": s.technical, "commercial": s.commercial, "total": s.total,
             "criteria": {c.criterion: {"panel": c.panel_score, "points": c.points} for c in s.criteria}}
            for s in result.ranking]
    outliers = [{"expert_rank": o.expert, "bid": o.bidder, "criterion": o.criterion, "score": o.score,
                 "panel_mean": o.panel_mean, "deviation": o.deviation, "limit": o.limit} for o in result.outliers]
    return rows, {"method": plan.method, "ranking": _jsonable(rows), "invalid": _invalid(result.invalid),
                  "outliers": _jsonable(outliers), "lowest_valid_price": str(result.lowest_valid_price)}


def _invalid(items) -> list[dict[str, str]]:
    return [{"bid": i.bidder, "reason": i.reason} for i in items]


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return str(value) if isinstance(value, Decimal) else value


@transaction.atomic
def evaluation_finish(*, actor: User, project: Project) -> EvaluationResult:
    """All seated experts submitted: rank, write the top three candidates, end the panel, start publicity."""
    ensure_manages(actor, project)
    project = Project.objects.select_for_update().get(pk=project.pk)
    panel = Panel.objects.select_for_update().filter(project=project, round=project.round).first()
    if panel is None or panel.drawn_at is None:
        raise Conflict(_("评标委员会尚未抽取。"))
    if project.status != Status.OPENED or panel.ended_at:
        raise Conflict(_("项目当前状态为“%(s)s”，不能结束评标。") % {"s": project.get_status_display()})
    waiting = [m.rank for m in seated(panel) if not m.submitted_at]
    if waiting:
        raise Conflict(_("还有%(n)d名评委未提交评分。") % {"n": len(waiting)}, {"members": [str(r) for r in waiting]})
    if open_objections(project, Objection.Stage.OPENING).exists():
        raise Conflict(_("开标现场异议尚未答复。"))
    plan = plan_for(project)
    rows, figures = compute(project, panel, plan)
    now = clock.now()
    with context.acting(actor, reason=_("评标结束，推荐中标候选人")):
        result = EvaluationResult.objects.create(project=project, round=project.round, method=plan.method,
                                                 computed_at=now, figures=figures)
        for row in rows[: scoring.WINNING_CANDIDATES]:
            Candidate.objects.create(project=project, round=project.round, bid_id=int(row["bid"]), rank=row["rank"],
                                     total=row["total"])
        panel.ended_at = now
        panel.save()
    ledger.record_event("evaluation_finished", obj=project, actor=actor, data={
        "round": project.round, "candidates": [r["bid"] for r in rows[:3]], "outliers": len(figures["outliers"])})
    if not rows:
        project_transition(project, Status.FAILED, actor=actor, reason=_("无有效投标，流标"))
        return result
    project_transition(project, Status.EVALUATED, actor=actor, reason=_("评标结束"))
    publicity_start(actor=actor, project=project, reason=_("中标候选人公示（招标投标法实施条例第五十四条）"))
    checkpoints.publish_on_commit(f"evaluation {project.code}")
    bidders = Bid.objects.filter(project=project, round=project.round).values_list("bidder_id", flat=True)
    notifications.notify(
        kind=notifications.Kind.RESULT, event=f"evaluation:{result.pk}:result", project=project,
        recipients=[p for org in sorted(set(bidders)) for p in notifications.people_of(org)],
        title=_("评标结果：%(code)s") % {"code": project.code},
        body=_("“%(title)s”（%(code)s）评标结束，中标候选人公示至 %(until)s；对结果有异议的，可在公示期内提出。") % {
            "title": project.title, "code": project.code, "until": local_time(project.publicity_until)})
    return result


def _remaining(project: Project):
    return Candidate.objects.filter(project=project, round=project.round,
                                    state=Candidate.State.CANDIDATE).order_by("rank")


@transaction.atomic
def candidate_award(*, actor: User, project: Project) -> Candidate:
    """After at least the publicity days, every publicity objection answered: the first remaining candidate."""
    ensure_manages(actor, project)
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.status != Status.PUBLICITY:
        raise Conflict(_("项目不在公示阶段。"))
    if project.publicity_until and clock.now() < project.publicity_until:
        raise Conflict(_("公示期至 %(t)s，期满后方可定标。") % {"t": local_time(project.publicity_until)})
    if open_objections(project, Objection.Stage.PUBLICITY).exists():
        raise Conflict(_("公示期内的异议尚未答复，定标暂停。"))
    first = _remaining(project).first()
    if first is None:
        raise Conflict(_("没有可定标的候选人。"))
    _mark(first, Candidate.State.AWARDED, actor, _("公示期满，确定中标人"))
    project_transition(project, Status.AWARDED, actor=actor, reason=_("公示期满，定标"))
    contract_offer(actor=actor, project=project, enterprise=first.bid.bidder, amount=first.bid.price)
    checkpoints.publish_on_commit(f"award {project.code}")
    return first


def candidate_after_lapse(*, project: Project, actor: User, lapsed: Any) -> tuple | None:
    """The awarded candidate let its contract lapse: it is out, and the next in order is awarded and answered with
    its bid's price (trading.hooks "next_in_line"); () when none is left; None for a project without candidates."""
    awarded = Candidate.objects.select_for_update().filter(
        project=project, round=project.round, state=Candidate.State.AWARDED).first()
    if awarded is None:
        return None
    nxt = _pass_on(awarded, actor, _("中标人未在规定期限内签订合同"), _("中标人逾期未签订合同，依次确定下一候选人"),
                   lapsed=True)
    return (nxt.bid.bidder, nxt.bid.price) if nxt else ()


def _pass_on(candidate: Candidate, actor: User, reason: str, next_reason: str, **data: Any) -> Candidate | None:
    """`candidate` is out (withdrawn, with its entry); answers the next in order, awarded if `candidate` was."""
    was_awarded = candidate.state == Candidate.State.AWARDED
    _mark(candidate, Candidate.State.WITHDRAWN, actor, reason)
    ledger.record_event("candidate_withdrawn", obj=candidate, actor=actor, data={"rank": candidate.rank, **data})
    nxt = _remaining(candidate.project).select_related("bid__bidder").first()
    if nxt is not None and was_awarded:
        _mark(nxt, Candidate.State.AWARDED, actor, next_reason)
    return nxt


def _mark(candidate: Candidate, state: str, actor: User, reason: str) -> None:
    candidate.state, candidate.reason = state, reason
    candidate._change_reason = reason
    with context.acting(actor):
        candidate.save()


@transaction.atomic
def candidate_withdraw(*, actor: User, project: Project, candidate: Candidate, reason: str) -> Candidate | None:
    """The first candidate gives up or fails (§55): the next in order takes its place (awarded, if the project was
    already awarded); with none left the round fails and may be tendered again. Answers the new first, if any."""
    ensure_manages(actor, project)
    if not str(reason or "").strip():
        raise ValidationError({"reason": [_("须写明原因。")]})
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk, project=project)
    if candidate.state == Candidate.State.WITHDRAWN:
        raise Conflict(_("该候选人已放弃。"))
    nxt = _pass_on(candidate, actor, reason.strip(), _("排名第一的中标候选人放弃，依次确定下一候选人"))
    if nxt is None:
        project_transition(project, Status.FAILED, actor=actor,
                           reason=_("中标候选人均放弃或不合格，重新招标（招标投标法实施条例第五十五条）"))
    return nxt
