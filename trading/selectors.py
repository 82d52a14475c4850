"""Reads, scoped to who is asking. Registration lists are sealed until the deadline (招标投标法 art. 22)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import F, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.models import LedgerEntry
from audit.sealing import Seal
from core import clock
from core.errors import ConfidentialNotFound
from core.roles import Role, can, require
from trading.models import (
    Amendment,
    Attachment,
    Attendance,
    Complaint,
    Contract,
    FollowUp,
    Milestone,
    Notification,
    Project,
    ProjectManager,
    Question,
    Registration,
    Room,
    Session,
    User,
)
from trading.models.projects import ProjectType, Status

SIGN_IN_EARLY = dt.timedelta(hours=1)  # people arrive and sign in before a session starts


# where the public reads a project's outcome, and from which status on (one rule: the project page and the home
# page's 结果公示 both ask `result_page`)
_RESULTS = {
    ProjectType.FIXED_PRICE: ("draw-result", gettext_lazy("抽取结果公示"),
                              {Status.DRAWN, Status.PUBLICITY, Status.AWARDED, Status.CONTRACTED, Status.IN_PROGRESS,
                               Status.COMPLETED}),
    ProjectType.PROCUREMENT: ("evaluation-candidates", gettext_lazy("中标候选人公示"),
                              {Status.PUBLICITY, Status.AWARDED, Status.CONTRACTED, Status.IN_PROGRESS,
                               Status.COMPLETED}),
    ProjectType.LAND_AUCTION: ("evaluation-auction", gettext_lazy("成交公示"),
                               {Status.AWARDED, Status.CONTRACTED, Status.IN_PROGRESS, Status.COMPLETED}),
    ProjectType.ASSET_TRANSFER: ("evaluation-auction", gettext_lazy("成交公示"),
                                 {Status.AWARDED, Status.CONTRACTED, Status.IN_PROGRESS, Status.COMPLETED}),
}


def result_page(project: Project) -> tuple[str, str] | None:
    """(URL name, label) of the project's public result, once it has one."""
    name, label, statuses = _RESULTS[project.type]
    return (name, str(label)) if project.status in statuses else None


def published_results(*, limit: int = 10) -> list[tuple[Project, str, str]]:
    """The latest projects with a public result, for the home page: (project, URL name, label)."""
    statuses = set().union(*(statuses for _name, _label, statuses in _RESULTS.values()))
    rows = []
    for project in Project.objects.filter(status__in=statuses).select_related("agency").order_by("-id"):
        found = result_page(project)
        if found:
            rows.append((project, *found))
            if len(rows) == limit:
                break
    return rows


def public_projects(*, type: str = "", status: str = "") -> QuerySet[Project]:
    qs = Project.objects.exclude(status=Status.DRAFT).select_related("agency")
    if type:
        qs = qs.filter(type=type)
    if status:
        qs = qs.filter(status=status)
    return qs


def project_for(user: User, code: str) -> Project:
    """Anyone sees a published project; a draft exists only for its agency and administrators (404 otherwise)."""
    project = Project.objects.select_related("agency", "tenderer").filter(code=code).first()
    if project is None:
        raise ConfidentialNotFound(_("项目不存在。"))
    if project.status == Status.DRAFT and not manages(user, project):
        raise ConfidentialNotFound(_("项目不存在。"))
    return project


def ensure_manages(user: User, project: Project) -> None:
    """The owning agency's staff, or an administrator: PermissionDenied for everyone else."""
    require(user, "project.manage")
    if not manages(user, project):
        raise PermissionDenied(_("只能管理本机构的项目。"))


def current_registrations(project: Project) -> QuerySet[Registration]:
    """The registrations of the project's current round."""
    return Registration.objects.filter(project=project, round=project.round).select_related("enterprise", "manager")


def eligible_registrations(project: Project) -> QuerySet[Registration]:
    """The frozen candidates of the current round, in the order of their identifiers."""
    return current_registrations(project).filter(eligible=True).order_by("enterprise__uscc")


def session_under_way(session: Session, *, at: dt.datetime | None = None) -> bool:
    """From an hour before a session starts (people arrive and sign in) to its end."""
    at = at or clock.now()
    return session.starts_at - SIGN_IN_EARLY <= at <= session.ends_at


def manages(user: User, project: Project) -> bool:
    """The owning agency's staff, or an administrator."""
    if not can(user, "project.manage"):
        return False
    return user.role == Role.ADMIN or project.agency_id == user.organisation_id


def agency_projects(user: User) -> QuerySet[Project]:
    require(user, "project.manage")
    qs = Project.objects.all()
    return qs if user.role == Role.ADMIN else qs.filter(agency_id=user.organisation_id)


def registrations_sealed(project: Project, at: dt.datetime | None = None) -> bool:
    """Whether the registrations of the project's current round are sealed: until its registration deadline
    nobody learns who registered, how many, or in which order (招标投标法 art. 22) — not the public, not the
    agency, not an administrator; an inspector only through a recorded opening under a complaint's legal hold.
    Every output that reads registrations asks this one rule."""
    return (at or clock.now()) < project.registration_deadline


def sealed_registrations(at: dt.datetime | None = None) -> QuerySet[Registration]:
    """Every registration sealed now: of a project's current round, before its deadline."""
    return Registration.objects.filter(round=F("project__round"),
                                       project__registration_deadline__gt=at or clock.now())


REGISTERED_NOTE = gettext_lazy("某企业报名（报名截止前保密）")
MANAGER_NOTE = gettext_lazy("随报名登记的项目经理（报名截止前保密）")


def sealed_ledger_entries(at: dt.datetime) -> list[Seal]:
    """The ledger entries that would name a sealed registrant (audit.sealing's rule, registered by TradingConfig):
    the registration's own, and the project manager it filed in the same transaction — the entry just before,
    by the same person (the chain lock is held until commit, so one transaction's entries are consecutive)."""
    notified = _sealed_notifications(at)
    registrations = list(sealed_registrations(at).values_list("pk", "manager_id", "registered_at"))
    if not registrations:
        return notified
    # nothing about a registration is logged before it was stamped: start at the first sealed one's time (its
    # own clock, the database's, stamps both), so the object lookup reads recent entries only, not years of them
    since = min(registered for _, _, registered in registrations) - dt.timedelta(seconds=1)
    first = LedgerEntry.objects.filter(at__gte=since).order_by("at", "seq").values_list("seq", flat=True).first()
    rows = list(LedgerEntry.objects.filter(object_type=Registration._meta.label, seq__gte=first or 0,
                                           object_id__in=[str(pk) for pk, _, _ in registrations])
                .values_list("seq", "action", "actor_id"))
    created_by = {seq: actor for seq, action, actor in rows if action == "create"}
    managers = (LedgerEntry.objects.filter(object_type=ProjectManager._meta.label, action="create",
                                           object_id__in=[str(manager) for _, manager, _ in registrations],
                                           seq__in=[seq - 1 for seq in created_by])
                .values_list("seq", "actor_id"))
    filed_with = frozenset(seq for seq, actor in managers if created_by.get(seq + 1) == actor)
    return [Seal(frozenset(seq for seq, _, _ in rows), REGISTERED_NOTE), Seal(filed_with, MANAGER_NOTE), *notified]


NOTIFIED_NOTE = gettext_lazy("通知报名企业（报名截止前保密）")


def _sealed_notifications(at: dt.datetime) -> list[Seal]:
    """A receipt, or a change notice told to those registered, names a registrant: its entries stay masked until
    the project's (current) registration deadline."""
    ids = [str(pk) for pk in Notification.objects.filter(
        names_registrant=True, project__registration_deadline__gt=at).values_list("pk", flat=True)]
    if not ids:
        return []
    seqs = LedgerEntry.objects.filter(object_type=Notification._meta.label, object_id__in=ids).values_list(
        "seq", flat=True)
    return [Seal(frozenset(seqs), NOTIFIED_NOTE)]


def inbox(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).select_related("project")


def unread_count(user: User) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_for(user: User, pk: int) -> Notification:
    found = Notification.objects.filter(pk=pk, recipient_id=getattr(user, "pk", None)).first()
    if found is None:
        raise Http404(_("通知不存在。"))
    return found


def registration_list(user: User, project: Project) -> QuerySet[Registration]:
    """After the deadline only, for the project's agency, supervisors, inspectors and administrators. Before it
    nobody — not even an administrator — learns who or how many registered. Serving the list to a person is an
    audit event: services.registrations.registration_list_read records it."""
    require(user, "registration.list")
    if registrations_sealed(project):
        raise PermissionDenied(_("报名截止前，任何人不得查看报名名单和报名数量。"))
    if user.role == Role.AGENCY and project.agency_id != user.organisation_id:
        raise PermissionDenied(_("只能查看本机构项目的报名名单。"))
    return (Registration.objects.filter(project=project, round=project.round)
            .select_related("enterprise", "manager").order_by("registered_at", "id"))


def own_registrations(user: User) -> QuerySet[Registration]:
    require(user, "project.register")
    return (Registration.objects.filter(enterprise_id=user.organisation_id)
            .select_related("project", "manager").order_by("-registered_at"))


def own_registration(user: User, project: Project) -> Registration | None:
    if not can(user, "project.register") or user.organisation_id is None:
        return None
    return Registration.objects.filter(project=project, round=project.round,
                                       enterprise_id=user.organisation_id).first()


def rooms(*, kind: str = "") -> QuerySet[Room]:
    qs = Room.objects.filter(is_active=True)
    return qs.filter(kind=kind) if kind else qs


def project_sessions(project: Project) -> QuerySet[Session]:
    return project.sessions.select_related("room").order_by("starts_at")


def contracts(project: Project) -> QuerySet[Contract]:
    """Award results and contract offers are public (中选结果公告), in the order they were offered."""
    return project.contracts.select_related("enterprise").order_by("offered_at", "id")


def complaints_for(user: User, project: Project) -> QuerySet[Complaint]:
    """The project's agency, supervisors (the department that decides complaints), inspectors and administrators see
    every objection and complaint; a party sees its own (every account of its organisation)."""
    qs = project.complaints.select_related("complainant__organisation", "objection").order_by("-created_at", "-id")
    if not user.is_authenticated:
        raise PermissionDenied(_("请先登录。"))
    if can(user, "complaint.read") and (user.role != Role.AGENCY or project.agency_id == user.organisation_id):
        return qs
    if user.organisation_id is None:
        return qs.filter(complainant=user)
    return qs.filter(complainant__organisation_id=user.organisation_id)


def own_complaints(user: User, project: Project) -> QuerySet[Complaint]:
    """A party's own objections and complaints on the project (every account of its organisation)."""
    if not user.is_authenticated or user.organisation_id is None:
        return Complaint.objects.none()
    return (project.complaints.filter(complainant__organisation_id=user.organisation_id)
            .select_related("objection").prefetch_related("escalations").order_by("-created_at", "-id"))


def complainant_label(complaint: Complaint, user: User) -> str:
    """Who filed it, as `user` may see it. An enterprise that objected before the registration deadline is not named
    to the agency before the deadline (招标投标法 art. 22: the potential bidders' names are not disclosed), nor to
    the public ever; the department, the inspectors and the party itself see the name."""
    organisation = complaint.complainant.organisation
    name = str(organisation) if organisation else complaint.complainant.get_username()
    if not complaint.anonymous:
        return name
    own = user.is_authenticated and organisation is not None and user.organisation_id == organisation.pk
    if own or (user.is_authenticated and user.role in (Role.SUPERVISOR, Role.INSPECTOR, Role.ADMIN)):
        return name
    if user.is_authenticated and user.role == Role.AGENCY and clock.now() >= complaint.project.registration_deadline:
        return name
    return _("某潜在投标人（报名截止前提出，名称不公开）")


def complaints_to_decide() -> QuerySet[Complaint]:
    """The department's desk: complaints (投诉), those waiting for a step first, then the latest."""
    return (Complaint.objects.filter(kind=Complaint.Kind.COMPLAINT)
            .select_related("project", "complainant__organisation", "objection")
            .order_by(F("decided_at").asc(nulls_first=True), "-created_at", "-id"))


def published_decisions() -> QuerySet[Complaint]:
    """Complaint decisions and refusals are public (published on the national platforms); the name is shown as
    complainant_label says for an anonymous viewer."""
    return (Complaint.objects.filter(kind=Complaint.Kind.COMPLAINT,
                                     state__in=[Complaint.State.DECIDED, Complaint.State.REFUSED])
            .select_related("project", "complainant__organisation").order_by("-decided_at", "-id"))


def milestones(project: Project) -> QuerySet[Milestone]:
    return project.milestones.order_by("due", "id")


def followup(project: Project) -> FollowUp | None:
    return FollowUp.objects.filter(project=project).select_related("officer").first()


def attachments(project: Project) -> QuerySet[Attachment]:
    return project.attachments.order_by("uploaded_at", "id")


def session_sheet(session_id: int) -> tuple[Session, QuerySet[Attendance]]:
    session = Session.objects.select_related("room", "project").filter(pk=session_id).first()
    if session is None:
        raise ConfidentialNotFound(_("场次不存在。"))
    return session, session.attendance.select_related("user", "user__organisation").order_by("signed_at", "id")


# Change notices and clarifications: public; the asker of a question is never part of what these return


def amendments(project: Project) -> QuerySet[Amendment]:
    return project.amendments.order_by("number")


def questions_for(user: User, project: Project) -> QuerySet[Question]:
    """Answered questions are public; the managing agency also sees those waiting for its answer; an enterprise
    also its own unanswered ones. Serialised without the asker (QuestionSerializer, the pages)."""
    qs = project.questions.order_by("asked_at", "id")
    if manages(user, project):
        return qs
    if can(user, "project.register"):
        return qs.filter(models.Q(answered_at__isnull=False) | models.Q(asked_by_id=user.pk))
    return qs.filter(answered_at__isnull=False)
