"""After the draw or evaluation: publicity, award, the contract and its deadline, the next alternate, bad-behaviour
records and suspensions, follow-up, complaints with legal hold, referrals to discipline inspection."""

from __future__ import annotations

import datetime as dt

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
from trading import complaint_rules, hooks
from trading.lifecycle import ONGOING, TRANSITIONS, project_transition
from trading.models import (
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
from trading.services.complaints import (  # noqa: F401 (the complaint services' former home, still imported from here)
    TEXT_MAX,
    TooManyComplaints,
    complaint_open,
    complaint_resolve,
    complaint_standing,
)
from trading.services.complaints import (
    check_text as _check_text,
)


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
    if project.complaints.filter(complaint_rules.pending()).exists():
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
    award = project.award_label
    with context.acting(actor, reason=_("发出%(award)s通知，要约签订合同") % {"award": award}):
        contract = Contract.objects.create(project=project, enterprise=enterprise, amount=amount, offered_at=now,
                                           sign_deadline=now + dt.timedelta(days=settings.SIGN_DAYS))
    notifications.notify(
        kind=notifications.Kind.CONTRACT_OFFER, event=f"contract:{contract.pk}:offer", project=project,
        recipients=notifications.people_of(enterprise),
        title=_("%(award)s通知：%(code)s") % {"award": award, "code": project.code},
        body=_("贵单位为“%(title)s”（%(code)s）的%(award)s单位，合同金额 %(amount)s 元。请于 %(deadline)s 前签订合同；"
               "逾期未签将记入不良行为记录并暂停参与固定价比选。") % {
            "title": project.title, "code": project.code, "amount": format_yuan(amount), "award": award,
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
    """The winner did not sign in time: a bad-behaviour record, a suspension, and the next in line is offered the
    contract — the next drawn alternate of a fixed-price project, the next winning candidate (at its own bid) of a
    tendered one (招标投标法实施条例 §55, 政府采购法实施条例 §49) — or the project fails when none is left. Returns
    the new offer."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    now = clock.now()
    if contract.state != Contract.State.OFFERED or now <= contract.sign_deadline:
        raise Conflict(_("合同要约未逾期。"))
    project = contract.project
    with context.acting(actor, reason=_("%(award)s企业逾期未签订合同") % {"award": project.award_label}):
        contract.state = Contract.State.LAPSED
        contract.save()
    reference.bad_behaviour_record(
        actor=actor, enterprise=contract.enterprise, project=project, days=settings.SUSPENSION_DAYS,
        reason=_("%(code)s %(award)s后未在%(d)d日内签订合同") % {"code": project.code, "award": project.award_label,
                                                                "d": settings.SIGN_DAYS})
    found = hooks.answer("next_in_line", project=project, actor=actor, lapsed=contract)
    if found is None:  # a fixed-price project: the next of the drawn ranking not yet offered the contract
        offered = set(project.contracts.values_list("enterprise_id", flat=True))
        alternate = _ranked(project).exclude(enterprise_id__in=offered).first()
        found = (alternate.enterprise, contract.amount) if alternate else ()
    if not found:
        project_transition(project, Status.FAILED, actor=actor, reason=_("候补企业已用尽，流标"))
        return None
    enterprise, amount = found
    return contract_offer(actor=actor, project=project, enterprise=enterprise, amount=amount)


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


@transaction.atomic
def legal_hold_release(*, actor: User, project: Project, reason: str) -> Project:
    """Only an inspector releases a hold, with a reason, once no complaint is open."""
    require(actor, "legal_hold.release")
    _check_text("reason", reason, _("解除保全须写明理由。"))
    if project.complaints.filter(complaint_rules.pending()).exists():
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


