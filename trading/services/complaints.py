"""Objections and complaints as the law runs them (质疑/异议 → 投诉). A party objects to the agency first; the agency
answers (upheld or not); a party not satisfied, or not answered in time, complains to the supervising department
(a supervisor, DESIGN §4), which accepts it or not and decides it. Either may be withdrawn. Time limits:
trading.complaint_rules. While pending, the project's next step is suspended (trading.lifecycle), the award frozen
and the video held (recordings, through the `complaint_opened` hook).

The effect of an upheld objection or complaint, one rule for both (条例 arts. 23 and 82, 财政部令第94号 arts. 16
and 32): about the documents while registration is open, the documents are corrected first (the project stays
suspended until a change notice is published); otherwise, before the contract, the round fails (流标) and is
published again as a new round (重新招标/重新采购), which our life cycle supports with a new list and a new
commitment. After the contract is signed, performance goes on: the decision is recorded and published, and whether
the contract stands is for the department and the courts (政府采购法 art. 73), not for our life cycle."""

from __future__ import annotations

import datetime as dt
import math

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import clock, context
from core.errors import Conflict
from core.roles import Role, require
from trading import complaint_rules as rules
from trading import hooks
from trading.lifecycle import TRANSITIONS, project_transition
from trading.models import Complaint, Project, Registration, User
from trading.models.projects import Status
from trading.selectors import ensure_manages
from trading.services import notifications

TEXT_MAX = 5000


def check_text(field: str, text: str, missing: str) -> None:
    if not text.strip():
        raise ValidationError({field: [missing]})
    if len(text) > TEXT_MAX:
        raise ValidationError({field: [_("最长%(n)d个字符。") % {"n": TEXT_MAX}]})


class TooManyComplaints(Exception):
    """A party filed COMPLAINT_MAX_PER_DAY complaints on the project in the last 24 hours (answered 429)."""

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.detail, self.retry_after = detail, retry_after


def complaint_standing(user: User, project: Project) -> str:
    """Why `user` may not object to `project` ('' when they may). For the parties (投标人和其他利害关系人, 招标投标法
    §65; 政府采购法 §52 suppliers) through an active account of theirs: the tenderer, an enterprise registered for the
    project (a potential bidder that obtained the documents), a bidder (the apps that take bids answer `is_party`),
    and, while registration is open, any enterprise (a potential bidder interested in the project; 条例 art. 22).
    Not the agency, which answers objections, nor the centre's staff, supervisors or experts."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return _("请先登录。")
    party = user.organisation_id
    if party is not None and (party == project.tenderer_id
                              or Registration.objects.filter(project=project, enterprise_id=party).exists()
                              or hooks.ask("is_party", project=project, organisation_id=party)):
        return ""
    if party is not None and user.role == Role.ENTERPRISE and registration_open(project):
        return ""
    return _("只有本项目的当事人（潜在投标人、报名或投标的企业、招标人）可以提出质疑投诉。")


def ensure_party(actor: User, complaint: Complaint, refusal: str) -> None:
    """The party that filed `complaint` (any active account of its organisation), else 403 with `refusal`."""
    if not actor.is_active or actor.organisation_id is None or (
            actor.organisation_id != complaint.complainant.organisation_id):
        raise PermissionDenied(refusal)


def registration_open(project: Project) -> bool:
    return project.status == Status.PUBLISHED and clock.now() < project.registration_deadline


def _matter(value: str, project: Project) -> str:
    if not value:
        return rules.default_matter(project)
    if value not in Complaint.Matter.values:
        raise ValidationError({"matter": [_("质疑事项须为：%(v)s。") % {"v": "、".join(
            f"{m.value}（{m.label}）" for m in Complaint.Matter)}]})
    return value


@transaction.atomic
def complaint_open(*, actor: User, project: Project, text: str, matter: str = "") -> Complaint:
    """A party's objection (质疑/异议) to the agency, within its statutory period (409 when late), about `matter`
    (by default what the project's stage suggests). Refused without standing (403), and past the limits of one
    party on one project: COMPLAINT_MAX_OPEN open at once (409) and COMPLAINT_MAX_PER_DAY in 24 hours (429)."""
    refusal = complaint_standing(actor, project)
    if refusal:
        raise PermissionDenied(refusal)
    check_text("text", text, _("须写明质疑的内容。"))
    matter = _matter(matter, project)
    # the project row is locked before counting, so that one party's simultaneous objections are counted in turn
    locked = Project.objects.select_for_update().get(pk=project.pk)
    now = clock.now()
    try:
        deadline = rules.objection_deadline(locked, matter, organisation_id=actor.organisation_id, now=now)
    except rules.Late as exc:
        raise Conflict(str(exc), {"matter": [str(exc)]}) from None
    _check_complaint_limits(actor, locked)
    return _file(actor, locked, text=text, matter=matter, kind=Complaint.Kind.OBJECTION, now=now,
                 answer_due=rules.objection_answer_due(locked, matter, filed_at=now, deadline=deadline),
                 anonymous=actor.role == Role.ENTERPRISE and now < locked.registration_deadline)


def _file(actor: User, project: Project, *, kind: str, now: dt.datetime, **fields) -> Complaint:
    reason = _("提出质疑") if kind == Complaint.Kind.OBJECTION else _("提出投诉")
    with context.acting(actor, reason=reason):
        complaint = Complaint.objects.create(project=project, complainant=actor, kind=kind, created_at=now,
                                             **{**fields, "text": fields["text"].strip()})
        if not project.legal_hold:
            project.legal_hold = True
            project._change_reason = _("质疑投诉：录像法律保全")
            project.save()
        hooks.run("complaint_opened", project=project, actor=actor)
    # the complainant is not named: before the deadline that would name a registrant
    what = _("质疑") if kind == Complaint.Kind.OBJECTION else _("投诉")
    notifications.notify(
        kind=notifications.Kind.COMPLAINT, event=f"complaint:{complaint.pk}", project=project,
        recipients=notifications.inspectors(), title=_("%(what)s：%(code)s") % {"what": what, "code": project.code},
        body=_("项目“%(title)s”（%(code)s）收到一件%(what)s，下一步程序暂停，现场录像已法律保全。") % {
            "title": project.title, "code": project.code, "what": what})
    return complaint


def _check_complaint_limits(actor: User, project: Project) -> None:
    """Counted per party (every account of the complainant's organisation), over the Complaint table itself: the
    one rule the page and the API both meet, exact across processes and restarts, and auditable."""
    mine = Complaint.objects.filter(project=project, complainant__organisation_id=actor.organisation_id)
    still_open = mine.filter(rules.pending()).count()
    if still_open >= settings.COMPLAINT_MAX_OPEN:
        raise Conflict(_("贵方对本项目已有 %(n)d 件未办结的质疑投诉，请待答复后再提出新的质疑投诉。") % {"n": still_open})
    now, limit = clock.now(), settings.COMPLAINT_MAX_PER_DAY
    recent = list(mine.filter(created_at__gt=now - dt.timedelta(hours=24))
                  .order_by("created_at").values_list("created_at", flat=True))
    if len(recent) >= limit:
        free_at = recent[len(recent) - limit] + dt.timedelta(hours=24)  # when one fewer than the limit remain
        raise TooManyComplaints(
            _("贵方对本项目 24 小时内最多 %(n)d 件质疑投诉，请于 %(t)s 后再提出。") % {
                "n": limit, "t": timezone.localtime(free_at).strftime("%Y-%m-%d %H:%M")},
            retry_after=max(1, math.ceil((free_at - now).total_seconds())))


def _outcome(value: str) -> str:
    if value not in (Complaint.Outcome.UPHELD, Complaint.Outcome.REJECTED):
        raise ValidationError({"outcome": [_("结果须为 upheld（成立）或 rejected（不成立）。")]})
    return value


def _locked(complaint: Complaint, kind: str) -> Complaint:
    locked = Complaint.objects.select_for_update().select_related("project").get(pk=complaint.pk)
    if (locked.kind or Complaint.Kind.OBJECTION) != kind:
        raise Conflict(_("质疑由招标人（代理机构）答复，投诉由行政监督部门处理。"))
    return locked


def complaint_resolve(*, actor: User, complaint: Complaint, answer: str, outcome: str) -> Complaint:
    """The agency answers an objection, upheld or not; a late answer is taken and recorded as late (the party may
    complain from the end of the period either way)."""
    ensure_manages(actor, complaint.project)
    check_text("answer", answer, _("须写明答复。"))
    outcome = _outcome(outcome)
    with transaction.atomic(), context.acting(actor, reason=_("答复质疑")):
        complaint = _locked(complaint, Complaint.Kind.OBJECTION)
        if complaint.state != Complaint.State.OPEN:
            raise Conflict(_("该质疑已答复或已撤回。"))
        complaint.state, complaint.answer, complaint.outcome = Complaint.State.RESOLVED, answer.strip(), outcome
        complaint.answered_at, complaint.handled_by = clock.now(), actor
        complaint.save()
        if outcome == Complaint.Outcome.UPHELD:
            _apply_upheld(actor, complaint)
    return complaint


@transaction.atomic
def complaint_escalate(*, actor: User, objection: Complaint, text: str) -> Complaint:
    """A 投诉 to the supervising department about a matter already objected to, by the party that objected, once
    the objection was answered or its answer period lapsed, within the statutory period (条例 art. 60, 政府采购法
    art. 55)."""
    ensure_party(actor, objection, _("只有提出该质疑的当事人可以就其投诉。"))
    check_text("text", text, _("须写明投诉的事项和理由。"))
    objection = _locked(objection, Complaint.Kind.OBJECTION)
    if objection.escalations.exists():
        raise Conflict(_("已就该质疑提出投诉，不能重复投诉。"))
    now = clock.now()
    try:
        rules.complaint_deadline(objection, now=now)
    except rules.Late as exc:
        raise Conflict(str(exc)) from None
    project = Project.objects.select_for_update().get(pk=objection.project_id)
    _check_complaint_limits(actor, project)
    return _file(actor, project, text=text, matter=objection.matter, kind=Complaint.Kind.COMPLAINT, now=now,
                 objection=objection, anonymous=objection.anonymous, accept_due=rules.accept_due(project, now))


def complaint_accept(*, actor: User, complaint: Complaint, accept: bool, reason: str = "") -> Complaint:
    """The department accepts a complaint (受理), or refuses it with a reason (不予受理: e.g. no standing, late, no
    prior objection); a refusal is published like a decision."""
    require(actor, "complaint.decide")
    if not accept:
        check_text("reason", reason, _("不予受理须写明理由。"))
    with transaction.atomic(), context.acting(actor, reason=_("受理投诉") if accept else _("不予受理投诉")):
        complaint = _locked(complaint, Complaint.Kind.COMPLAINT)
        if complaint.state != Complaint.State.OPEN:
            raise Conflict(_("该投诉已审查受理或已撤回。"))
        now = clock.now()
        complaint.handled_by = actor
        if accept:
            complaint.state, complaint.accepted_at = Complaint.State.ACCEPTED, now
            complaint.decide_due = rules.decide_due(complaint.project, now)
        else:
            complaint.state, complaint.outcome = Complaint.State.REFUSED, Complaint.Outcome.REJECTED
            complaint.decision, complaint.decided_at = reason.strip(), now
        complaint.save()
    return complaint


def complaint_decide(*, actor: User, complaint: Complaint, outcome: str, decision: str) -> Complaint:
    """The department's decision on an accepted complaint: upheld (成立) with its effect on the project, or
    rejected (驳回). Published (trading.selectors.published_decisions)."""
    require(actor, "complaint.decide")
    outcome = _outcome(outcome)
    check_text("decision", decision, _("须写明处理决定。"))
    with transaction.atomic(), context.acting(actor, reason=_("作出投诉处理决定")):
        complaint = _locked(complaint, Complaint.Kind.COMPLAINT)
        if complaint.state != Complaint.State.ACCEPTED:
            raise Conflict(_("只有已受理的投诉才能作出处理决定。"))
        complaint.state, complaint.outcome, complaint.decision = Complaint.State.DECIDED, outcome, decision.strip()
        complaint.decided_at, complaint.handled_by = clock.now(), actor
        complaint.save()
        if outcome == Complaint.Outcome.UPHELD:
            _apply_upheld(actor, complaint)
    return complaint


def complaint_withdraw(*, actor: User, complaint: Complaint) -> Complaint:
    """The party withdraws its objection or complaint before it is answered or decided (撤回)."""
    ensure_party(actor, complaint, _("只有提出人可以撤回。"))
    with transaction.atomic(), context.acting(actor, reason=_("撤回质疑投诉")):
        complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
        if complaint.state not in (Complaint.State.OPEN, Complaint.State.ACCEPTED):
            raise Conflict(_("已答复、已决定或已撤回的不能撤回。"))
        complaint.state, complaint.outcome = Complaint.State.WITHDRAWN, Complaint.Outcome.WITHDRAWN
        complaint.withdrawn_at = clock.now()
        complaint.save()
    return complaint


def _apply_upheld(actor: User, complaint: Complaint) -> None:
    """The effect of an upheld objection or complaint (the module's docstring says why)."""
    project = Project.objects.select_for_update().get(pk=complaint.project_id)
    if project.status not in rules.BEFORE_CONTRACT:
        return
    if complaint.matter == Complaint.Matter.DOCUMENTS and project.status == Status.PUBLISHED:
        return  # suspended until the change notice: trading.complaint_rules.correction_pending
    if Status.FAILED in TRANSITIONS[project.status]:
        label = _("投诉成立") if complaint.is_complaint else _("质疑成立")
        project_transition(project, Status.FAILED, actor=actor, despite_complaints=True,
                           reason=_("%(l)s，本轮结果无效，重新组织：%(t)s") % {"l": label, "t": complaint.text[:200]})
