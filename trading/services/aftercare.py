"""After the draw or evaluation: publicity, award, the contract and its deadline, the next alternate, bad-behaviour
records and suspensions, follow-up, complaints with legal hold, referrals to discipline inspection."""

from __future__ import annotations

import datetime as dt
import math

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import checkpoints
from core import clock, context
from core.errors import Conflict
from core.money import format_yuan
from core.roles import Role, is_system, require
from core.timefmt import local_time
from trading import hooks
from trading.lifecycle import ONGOING, TRANSITIONS, project_transition
from trading.models import (
    Complaint,
    Contract,
    FollowUp,
    Milestone,
    Organisation,
    Project,
    Referral,
    Registration,
    User,
)
from trading.models.projects import Status
from trading.selectors import ensure_manages
from trading.services import notifications, reference


def publicity_start(*, actor: User, project: Project, reason: str) -> Project:
    until = clock.now() + dt.timedelta(days=settings.PUBLICITY_DAYS)
    return project_transition(project, Status.PUBLICITY, actor=actor, reason=reason, publicity_until=until)


@transaction.atomic
def project_award(*, actor: User, project: Project) -> Contract:
    """After publicity with no open complaint: award to the first in order and offer the contract."""
    if not is_system(actor):
        ensure_manages(actor, project)
    if project.publicity_until and clock.now() < project.publicity_until:
        raise Conflict(_("公示期至 %(t)s，期满后方可定标。") % {"t": local_time(project.publicity_until)})
    if project.complaints.filter(state=Complaint.State.OPEN).exists():
        raise Conflict(_("公示期内有未办结的质疑投诉，定标冻结。"))
    first = _ranked(project).first()
    if first is None:
        raise Conflict(_("没有可定标的候选人。"))
    project_transition(project, Status.AWARDED, actor=actor, reason=_("公示期满，定标"))
    contract = contract_offer(actor=actor, project=project, enterprise=first.enterprise,
                              amount=project.fixed_price or project.budget)
    with context.acting(actor):
        hooks.run("awarded", project=project, actor=actor)
    checkpoints.publish_on_commit(f"award {project.code}")
    return contract


def _ranked(project: Project):
    return (Registration.objects.filter(project=project, round=project.round, eligible=True, rank__isnull=False)
            .select_related("enterprise").order_by("rank"))


def contract_offer(*, actor: User, project: Project, enterprise: Organisation, amount) -> Contract:
    """The award notice: the contract is offered with a signing deadline of SIGN_DAYS (fixed-price awards here,
    tendered awards from evaluation at the winning bid's price)."""
    now = clock.now()
    with context.acting(actor, reason=_("发出中选通知，要约签订合同")):
        contract = Contract.objects.create(project=project, enterprise=enterprise, amount=amount, offered_at=now,
                                           sign_deadline=now + dt.timedelta(days=settings.SIGN_DAYS))
    notifications.notify(
        kind=notifications.Kind.CONTRACT_OFFER, event=f"contract:{contract.pk}:offer", project=project,
        recipients=notifications.people_of(enterprise),
        title=_("中选通知：%(code)s") % {"code": project.code},
        body=_("贵单位为“%(title)s”（%(code)s）的中选单位，合同金额 %(amount)s 元。请于 %(deadline)s 前签订合同；"
               "逾期未签将记入不良行为记录并暂停参与固定价比选。") % {
            "title": project.title, "code": project.code, "amount": format_yuan(amount),
            "deadline": local_time(contract.sign_deadline)})
    return contract


@transaction.atomic
def contract_sign(*, actor: User, contract: Contract) -> Contract:
    ensure_manages(actor, contract.project)
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if contract.state != Contract.State.OFFERED:
        raise Conflict(_("该合同要约已%(s)s。") % {"s": contract.get_state_display()})
    if clock.now() > contract.sign_deadline:
        raise Conflict(_("已超过签订期限 %(t)s。") % {"t": local_time(contract.sign_deadline)})
    contract.state, contract.signed_at = Contract.State.SIGNED, clock.now()
    with context.acting(actor, reason=_("签订合同")):
        contract.save()
    project_transition(contract.project, Status.CONTRACTED, actor=actor, reason=_("合同已签订"))
    project_transition(contract.project, Status.IN_PROGRESS, actor=actor, reason=_("合同签订，开始履约"))
    return contract


@transaction.atomic
def contract_lapse(*, actor: User, contract: Contract) -> Contract | None:
    """The winner did not sign in time: a bad-behaviour record, a suspension, and the next alternate is offered
    the contract (or the project fails when none is left). Returns the new offer."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    now = clock.now()
    if contract.state != Contract.State.OFFERED or now <= contract.sign_deadline:
        raise Conflict(_("合同要约未逾期。"))
    project = contract.project
    with context.acting(actor, reason=_("中选企业逾期未签订合同")):
        contract.state = Contract.State.LAPSED
        contract.save()
    reference.bad_behaviour_record(
        actor=actor, enterprise=contract.enterprise, project=project, days=settings.SUSPENSION_DAYS,
        reason=_("%(code)s 中选后未在%(d)d日内签订合同") % {"code": project.code, "d": settings.SIGN_DAYS})
    offered = set(project.contracts.values_list("enterprise_id", flat=True))
    alternate = _ranked(project).exclude(enterprise_id__in=offered).first()
    if alternate is None:
        project_transition(project, Status.FAILED, actor=actor, reason=_("候补企业已用尽，流标"))
        return None
    return contract_offer(actor=actor, project=project, enterprise=alternate.enterprise,
                          amount=contract.amount)


def followup_assign(*, actor: User, project: Project, officer: User) -> FollowUp:
    ensure_manages(actor, project)
    if officer.role not in ("agency", "admin") or not officer.is_active:
        raise ValidationError({"officer": [_("跟踪责任人须为在职的代理机构或中心工作人员。")]})
    if project.status not in (Status.AWARDED, Status.CONTRACTED, Status.IN_PROGRESS):
        raise Conflict(_("只有已定标的项目才安排专人跟踪。"))
    with transaction.atomic(), context.acting(actor, reason=_("指定跟踪责任人")):
        followup, created = FollowUp.objects.get_or_create(project=project, defaults={"officer": officer})
        if not created and followup.officer_id != officer.pk:
            followup.officer = officer
            followup.save()
        return followup


def ensure_officer(actor: User, project: Project) -> None:
    followup = FollowUp.objects.filter(project=project).first()
    if followup is None or (followup.officer_id != actor.pk and actor.role != Role.ADMIN):
        raise PermissionDenied(_("只有该项目的跟踪责任人可以记录进度。"))


def milestone_record(*, actor: User, project: Project, title: str, due: dt.date, done_on: dt.date | None = None,
                     note: str = "", milestone: Milestone | None = None) -> Milestone:
    ensure_officer(actor, project)
    if project.status not in ONGOING:
        raise Conflict(_("项目已%(s)s，跟踪随之结束，不再记录进度。") % {"s": project.get_status_display()})
    if not title.strip():
        raise ValidationError({"title": [_("必填。")]})
    if len(title.strip()) > 200:
        raise ValidationError({"title": [_("最长200个字符。")]})
    with transaction.atomic(), context.acting(actor, reason=_("记录进度")):
        milestone = milestone or Milestone(project=project)
        milestone.title, milestone.due, milestone.done_on, milestone.note = title.strip(), due, done_on, note
        milestone.save()
        return milestone


def referral_create(*, actor: User, project: Project, text: str) -> Referral:
    ensure_manages(actor, project)
    _check_text("text", text, _("须写明移送事由。"))
    with transaction.atomic(), context.acting(actor, reason=_("移送纪检监察")):
        referral = Referral.objects.create(project=project, referred_by=actor, text=text.strip(),
                                           created_at=clock.now())
        notifications.notify(
            kind=notifications.Kind.REFERRAL, event=f"referral:{referral.pk}", project=project,
            recipients=notifications.inspectors(), title=_("移送纪检监察：%(code)s") % {"code": project.code},
            body=_("%(who)s 将项目“%(title)s”（%(code)s）移送纪检监察：%(text)s") % {
                "who": actor, "title": project.title, "code": project.code, "text": referral.text})
        return referral


class TooManyComplaints(Exception):
    """A party filed COMPLAINT_MAX_PER_DAY complaints on the project in the last 24 hours (answered 429)."""

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.detail, self.retry_after = detail, retry_after


def complaint_standing(user: User, project: Project) -> str:
    """Why `user` may not complain about `project` ('' when they may). A complaint freezes the award and holds the
    project's video, so it is for the parties (投标人和其他利害关系人, 招标投标法 §65), through an active account of
    theirs: an enterprise registered for the project, a bidder (the apps that take bids answer `is_party`), the
    tenderer. Not the agency, which answers complaints, nor the centre's staff, supervisors or experts."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return _("请先登录。")
    party = user.organisation_id
    if party is not None and (party == project.tenderer_id
                              or Registration.objects.filter(project=project, enterprise_id=party).exists()
                              or hooks.ask("is_party", project=project, organisation_id=party)):
        return ""
    return _("只有本项目的当事人（报名或投标的企业、招标人）可以提出质疑投诉。")


@transaction.atomic
def complaint_open(*, actor: User, project: Project, text: str) -> Complaint:
    """A party's complaint or objection freezes the award and places the project's recordings on legal hold.
    Refused without standing (403), and past the limits of one party on one project: COMPLAINT_MAX_OPEN open at
    once (409, until the agency answers one) and COMPLAINT_MAX_PER_DAY in 24 hours (429)."""
    refusal = complaint_standing(actor, project)
    if refusal:
        raise PermissionDenied(refusal)
    _check_text("text", text, _("须写明质疑或投诉的内容。"))
    # the project row is locked before counting, so that one party's simultaneous complaints are counted in turn
    locked = Project.objects.select_for_update().get(pk=project.pk)
    _check_complaint_limits(actor, locked)
    with context.acting(actor, reason=_("提出质疑投诉")):
        complaint = Complaint.objects.create(project=locked, complainant=actor, text=text.strip(),
                                             created_at=clock.now())
        if not locked.legal_hold:
            locked.legal_hold = True
            locked._change_reason = _("质疑投诉：录像法律保全")
            locked.save()
        hooks.run("complaint_opened", project=locked, actor=actor)
    # the complainant is not named: before the deadline that would name a registrant
    notifications.notify(
        kind=notifications.Kind.COMPLAINT, event=f"complaint:{complaint.pk}", project=locked,
        recipients=notifications.inspectors(), title=_("质疑投诉：%(code)s") % {"code": locked.code},
        body=_("项目“%(title)s”（%(code)s）收到一件质疑投诉，定标冻结，现场录像已法律保全。") % {
            "title": locked.title, "code": locked.code})
    return complaint


def _check_complaint_limits(actor: User, project: Project) -> None:
    """Counted per party (every account of the complainant's organisation), over the Complaint table itself: the
    one rule the page and the API both meet, exact across processes and restarts, and auditable."""
    mine = Complaint.objects.filter(project=project, complainant__organisation_id=actor.organisation_id)
    still_open = mine.filter(state=Complaint.State.OPEN).count()
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


def complaint_resolve(*, actor: User, complaint: Complaint, answer: str) -> Complaint:
    ensure_manages(actor, complaint.project)
    _check_text("answer", answer, _("须写明答复。"))
    with transaction.atomic(), context.acting(actor, reason=_("答复质疑投诉")):
        complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
        if complaint.state != Complaint.State.OPEN:
            raise Conflict(_("该质疑投诉已答复。"))
        complaint.state, complaint.answer = Complaint.State.RESOLVED, answer.strip()
        complaint.save()
    return complaint


@transaction.atomic
def legal_hold_release(*, actor: User, project: Project, reason: str) -> Project:
    """Only an inspector releases a hold, with a reason, once no complaint is open."""
    require(actor, "legal_hold.release")
    _check_text("reason", reason, _("解除保全须写明理由。"))
    if project.complaints.filter(state=Complaint.State.OPEN).exists():
        raise Conflict(_("仍有未办结的质疑投诉，不能解除保全。"))
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if not locked.legal_hold:
        raise Conflict(_("该项目未处于法律保全。"))
    locked.legal_hold = False
    locked._change_reason = reason.strip()
    with context.acting(actor):
        locked.save()
        hooks.run("legal_hold_released", project=locked, actor=actor)
    return locked


# The end of the life cycle: acceptance (竣工验收) completes a project, termination ends it at any earlier state.
# Either way the winner's cap (trading.eligibility) stops counting it and the follow-up's open milestones close.


@transaction.atomic
def project_complete(*, actor: User, project: Project, accepted_on: dt.date | None, note: str) -> Project:
    """Acceptance of the works (竣工验收) of a project in performance, with the signed contract: `accepted_on`
    not in the future and not before the signing, and a written note."""
    ensure_manages(actor, project)
    project = Project.objects.select_for_update().get(pk=project.pk)
    signed = project.contracts.filter(state=Contract.State.SIGNED).order_by("-signed_at").first()
    if signed is None or project.status not in (Status.CONTRACTED, Status.IN_PROGRESS):
        raise Conflict(_("项目 %(code)s 当前状态为“%(s)s”：合同签订、进入履约后方可竣工验收。")
                       % {"code": project.code, "s": project.get_status_display()})
    _check_acceptance(accepted_on, note, signed_on=timezone.localdate(signed.signed_at))
    if project.status == Status.CONTRACTED:  # signed before signing started performance on its own
        project_transition(project, Status.IN_PROGRESS, actor=actor, reason=_("合同签订，开始履约"))
    project = project_transition(project, Status.COMPLETED, actor=actor, reason=_("竣工验收：%(n)s") % {"n": note.strip()},
                                 accepted_on=accepted_on, acceptance_note=note.strip())
    _close_milestones(actor=actor, project=project, on=accepted_on, reason=_("竣工验收，跟踪结束"))
    return project


def _check_acceptance(accepted_on: dt.date | None, note: str, *, signed_on: dt.date) -> None:
    errors: dict[str, list[str]] = {}
    if accepted_on is None:
        errors["accepted_on"] = [_("验收日期必填。")]
    elif accepted_on > timezone.localdate(clock.now()):
        errors["accepted_on"] = [_("验收日期不能晚于今天。")]
    elif accepted_on < signed_on:
        errors["accepted_on"] = [_("验收日期不能早于合同签订日期 %(d)s。") % {"d": local_time(signed_on)}]
    if not note.strip():
        errors["note"] = [_("须写明验收意见。")]
    elif len(note) > TEXT_MAX:
        errors["note"] = [_("最长%(n)d个字符。") % {"n": TEXT_MAX}]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def project_terminate(*, actor: User, project: Project, reason: str) -> Project:
    """Termination (终止) with a written reason, from every state the state machine allows (lifecycle.TRANSITIONS:
    all but completed and terminated). An unsigned contract offer is not lapsed afterwards (no bad-behaviour
    record for a project that no longer exists: trading.services.deadlines only lapses offers of awarded
    projects)."""
    ensure_manages(actor, project)
    project = Project.objects.select_for_update().get(pk=project.pk)
    if Status.TERMINATED not in TRANSITIONS[project.status]:
        raise Conflict(_("项目 %(code)s 已%(s)s，不能终止。") % {"code": project.code, "s": project.get_status_display()})
    _check_text("reason", reason, _("终止须写明理由。"))
    project = project_transition(project, Status.TERMINATED, actor=actor, reason=_("终止：%(r)s") % {"r": reason.strip()},
                                 termination_reason=reason.strip())
    _close_milestones(actor=actor, project=project, on=timezone.localdate(clock.now()), reason=_("项目终止，跟踪结束"))
    return project


def _close_milestones(*, actor: User, project: Project, on: dt.date, reason: str) -> None:
    with context.acting(actor, reason=reason):
        for milestone in project.milestones.select_for_update().filter(done_on__isnull=True, closed_on__isnull=True):
            milestone.closed_on = on
            milestone.save()


TEXT_MAX = 5000


def _check_text(field: str, text: str, missing: str) -> None:
    if not text.strip():
        raise ValidationError({field: [missing]})
    if len(text) > TEXT_MAX:
        raise ValidationError({field: [_("最长%(n)d个字符。") % {"n": TEXT_MAX}]})
