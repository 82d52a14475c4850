"""The statutory time limits of objections (质疑/异议) and complaints (投诉), in one place for the services, the pages
and the API. Two laws, chosen by the project's type:

- government procurement (`procurement`): 政府采购法 arts. 52-56 — 质疑 within GP_OBJECTION_WORKDAYS (7) working days
  of knowing, answered within GP_OBJECTION_ANSWER_WORKDAYS (7), 投诉 within GP_COMPLAINT_WORKDAYS (15) working days
  after the answer period ends, reviewed for acceptance within GP_COMPLAINT_ACCEPT_WORKDAYS (5, 财政部令第94号
  art. 21) and decided within GP_COMPLAINT_DECIDE_WORKDAYS (30). "Knowing" follows 财政部令第94号 art. 10: for the
  documents, from obtaining them (the supplier's registration, or the publication); for the process, from the end
  of the step (when the project entered its current state); for the result, from the end of its publicity.
- every other type (fixed-price selection, land and asset auctions): 招标投标法实施条例. Their registration is the
  submission of a qualification application with no bid document, so an objection to the announcement and
  documents follows the pre-qualification rule of art. 22 (OBJECTION_PREQUAL_DAYS, 2 days before the registration
  deadline); a project with tender documents proper would use OBJECTION_DOCUMENTS_DAYS (10 days before the bid
  opening) — none of our types has them yet. On-site objections are raised on the spot during the session (art.
  44); objections to the result within its publicity (art. 54); answers within OBJECTION_ANSWER_DAYS (3); the 投诉
  within COMPLAINT_FILE_DAYS (10) of knowing (art. 60: knowing the answer, or the lapse of its period), accepted or
  not within COMPLAINT_ACCEPT_WORKDAYS (3 working days) and decided within COMPLAINT_DECIDE_WORKDAYS (30, art. 61).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import clock
from core.timefmt import local_time
from core.workdays import end_of_workdays
from trading.models import Complaint, Project, Registration
from trading.models.projects import ProjectType, Status
from trading.models.sessions import RoomKind, Session

# the steps before the contract: what a pending objection or complaint suspends (after signing, performance goes on
# and an upheld complaint is a matter for the department and the courts, not for our life cycle)
BEFORE_CONTRACT = frozenset({Status.PUBLISHED, Status.REGISTRATION_CLOSED, Status.QUALIFIED, Status.DRAWN,
                             Status.OPENED, Status.EVALUATED, Status.PUBLICITY, Status.AWARDED})
RESULT_STATES = frozenset({Status.DRAWN, Status.EVALUATED, Status.PUBLICITY})
ONSITE_KINDS = (RoomKind.OPENING, RoomKind.DRAW, RoomKind.AUCTION)


class Late(Exception):
    """Filed outside its statutory period (answered 409): the message says which period and when it ended."""


def procurement(project: Project) -> bool:
    return project.type == ProjectType.PROCUREMENT


def _workdays(moment: dt.datetime, n: int) -> dt.datetime:
    return end_of_workdays(timezone.localtime(moment), n)


def default_matter(project: Project) -> str:
    """What an objection is about when its party does not say: the documents while registration is open, the
    result once there is one, otherwise the process."""
    if project.status == Status.PUBLISHED and clock.now() < project.registration_deadline:
        return Complaint.Matter.DOCUMENTS
    if project.status in RESULT_STATES:
        return Complaint.Matter.RESULT
    return Complaint.Matter.PROCESS


def onsite_session(project: Project, now: dt.datetime) -> Session | None:
    return (Session.objects.filter(project=project, kind__in=ONSITE_KINDS, starts_at__lte=now, ends_at__gt=now)
            .order_by("starts_at").first())


def objection_deadline(project: Project, matter: str, *, organisation_id: int | None, now: dt.datetime) -> dt.datetime:
    """The end of the period for an objection on `matter` (exclusive); raises Late with the reason when there is
    none now (not yet open, or past)."""
    if project.status not in BEFORE_CONTRACT:
        raise Late(_("项目已签订合同或已结束，不能再提出质疑；如有异议请依法向有关行政监督部门反映。"))
    if matter == Complaint.Matter.ONSITE:
        session = onsite_session(project, now)
        if session is None:
            raise Late(_("现场异议须在开标、抽取或拍卖现场当场提出（招标投标法实施条例第四十四条），现在没有进行中的现场活动。"))
        return session.ends_at
    if procurement(project):
        deadline = _workdays(_known_at(project, matter, organisation_id), settings.GP_OBJECTION_WORKDAYS)
        rule = _("政府采购法第五十二条：知道或者应知之日起 %(n)d 个工作日内") % {"n": settings.GP_OBJECTION_WORKDAYS}
    elif matter == Complaint.Matter.DOCUMENTS:
        days = settings.OBJECTION_PREQUAL_DAYS
        deadline = project.registration_deadline - dt.timedelta(days=days)
        rule = _("招标投标法实施条例第二十二条：报名（资格申请）截止时间 %(n)d 日前") % {"n": days}
    elif matter == Complaint.Matter.RESULT:
        if project.status not in RESULT_STATES:
            raise Late(_("本项目尚无评审、抽取或竞价结果，不能对结果提出质疑。"))
        deadline = project.publicity_until or now + dt.timedelta(days=settings.PUBLICITY_DAYS)
        rule = _("招标投标法实施条例第五十四条：结果公示期间")
    else:
        return now + dt.timedelta(days=settings.COMPLAINT_FILE_DAYS)  # art. 65 sets no period of its own
    if now >= deadline:
        raise Late(_("已超过提出质疑的期限（%(rule)s，截至 %(t)s）。") % {"rule": rule, "t": local_time(deadline)})
    return deadline


def _known_at(project: Project, matter: str, organisation_id: int | None) -> dt.datetime:
    """When a supplier knew, or should have known, of what it objects to (财政部令第94号 art. 10)."""
    if matter == Complaint.Matter.DOCUMENTS:
        registered = (Registration.objects.filter(project=project, enterprise_id=organisation_id)
                      .aggregate(at=Min("registered_at"))["at"] if organisation_id else None)
        return max(filter(None, [project.published_at or project.registration_deadline, registered]))
    if matter == Complaint.Matter.RESULT:
        if project.status not in RESULT_STATES | {Status.AWARDED}:
            raise Late(_("本项目尚无采购结果，不能对结果提出质疑。"))
        return project.publicity_until or clock.now()
    entered = project.history.filter(status=project.status).aggregate(at=Min("history_date"))["at"]
    return entered or project.registration_deadline


def objection_answer_due(project: Project, matter: str, *, filed_at: dt.datetime, deadline: dt.datetime) -> dt.datetime:
    if matter == Complaint.Matter.ONSITE:
        return deadline  # answered on the spot (条例 art. 44): by the end of the session
    if procurement(project):
        return _workdays(filed_at, settings.GP_OBJECTION_ANSWER_WORKDAYS)
    return filed_at + dt.timedelta(days=settings.OBJECTION_ANSWER_DAYS)


def complaint_deadline(objection: Complaint, *, now: dt.datetime) -> dt.datetime:
    """The end of the period for a 投诉 following `objection`; raises Late when the objection is still within its
    answer period unanswered, or the period is over."""
    answered = objection.state == Complaint.State.RESOLVED
    if objection.state == Complaint.State.WITHDRAWN:
        raise Late(_("该质疑已撤回，不能就其投诉。"))
    if not answered and (objection.answer_due is None or now < objection.answer_due):
        raise Late(_("须先向招标人（代理机构）提出质疑，并在其答复后或答复期满（%(t)s）后方可投诉。")
                   % {"t": local_time(objection.answer_due)})
    if procurement(objection.project):
        deadline = _workdays(objection.answer_due, settings.GP_COMPLAINT_WORKDAYS)
        rule = _("政府采购法第五十五条：答复期满后 %(n)d 个工作日内") % {"n": settings.GP_COMPLAINT_WORKDAYS}
    else:
        known = objection.answered_at if answered and objection.answered_at else objection.answer_due
        deadline = known + dt.timedelta(days=settings.COMPLAINT_FILE_DAYS)
        rule = _("招标投标法实施条例第六十条：知道之日起 %(n)d 日内") % {"n": settings.COMPLAINT_FILE_DAYS}
    if now >= deadline:
        raise Late(_("已超过投诉期限（%(rule)s，截至 %(t)s）。") % {"rule": rule, "t": local_time(deadline)})
    return deadline


def accept_due(project: Project, filed_at: dt.datetime) -> dt.datetime:
    n = settings.GP_COMPLAINT_ACCEPT_WORKDAYS if procurement(project) else settings.COMPLAINT_ACCEPT_WORKDAYS
    return _workdays(filed_at, n)


def decide_due(project: Project, accepted_at: dt.datetime) -> dt.datetime:
    n = settings.GP_COMPLAINT_DECIDE_WORKDAYS if procurement(project) else settings.COMPLAINT_DECIDE_WORKDAYS
    return _workdays(accepted_at, n)


def pending() -> Q:
    """Not yet done with: an objection not answered, a complaint not decided. Any of them freezes the award."""
    objection = (Q(kind__isnull=True) | Q(kind=Complaint.Kind.OBJECTION)) & Q(state=Complaint.State.OPEN)
    complaint = Q(kind=Complaint.Kind.COMPLAINT, state__in=[Complaint.State.OPEN, Complaint.State.ACCEPTED])
    return objection | complaint


def suspending() -> Q:
    """What suspends a project's next step: an objection to the documents or the result not yet answered (条例 arts.
    22 and 54: 作出答复前，应当暂停招标投标活动; an on-site objection is answered on the spot, and one about the
    process in general (art. 65) has no suspension in the law), and a complaint not yet decided (条例 art. 62 and
    政府采购法 art. 57 let the department suspend the procedure; we always do, so that no step is taken while the
    department reviews it)."""
    return pending() & (Q(kind=Complaint.Kind.COMPLAINT) | Q(
        matter__in=[Complaint.Matter.DOCUMENTS, Complaint.Matter.RESULT]))


def correction_pending(project: Project) -> Complaint | None:
    """An upheld objection or complaint about the documents suspends the project until the agency publishes a change
    notice after it (条例 art. 23: the documents are corrected before the procedure goes on)."""
    upheld = (project.complaints.filter(outcome=Complaint.Outcome.UPHELD, matter=Complaint.Matter.DOCUMENTS)
              .order_by("-id").first())
    if upheld is None:
        return None
    at = upheld.decided_at or upheld.answered_at
    return None if project.amendments.filter(published_at__gt=at).exists() else upheld


def suspension(project: Project) -> str:
    """Why the project's procedure is suspended ('' when it is not)."""
    if project.complaints.filter(suspending()).exists():
        return _("项目有未答复的质疑或未处理完毕的投诉，依法暂停后续程序。")
    if correction_pending(project) is not None:
        return _("投诉成立，须先发布变更公告更正招标（采购）文件，方可继续后续程序。")
    return ""
