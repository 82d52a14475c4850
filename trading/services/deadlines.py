"""What the clock decides: registration closes at its deadline, an unsigned contract lapses at its
signing deadline. Run by `manage.py run_deadlines` (cron, every minute) as the named system account; each project
or contract is handled in its own transaction (the services are atomic) so one refusal does not hold back the rest."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from core import clock, context
from core.errors import Conflict
from core.timefmt import local_date
from trading.lifecycle import ONGOING
from trading.models import Contract, FollowUp, Milestone, Notification, Project, User
from trading.models.projects import Status
from trading.services import notifications
from trading.services.aftercare import contract_lapse
from trading.services.projects import project_close


@dataclass
class DeadlineRun:
    closed: list[str] = field(default_factory=list)
    lapsed: list[int] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # "<what>: <why>", for the operator
    overdue: list[int] = field(default_factory=list)  # milestones whose officer was told (once each)


def due_projects():
    return Project.objects.filter(status=Status.PUBLISHED, registration_deadline__lte=clock.now()).order_by("pk")


def overdue_contracts():
    # only offers of a project still awarded: a terminated project's offer lapses into no bad-behaviour record
    return Contract.objects.filter(state=Contract.State.OFFERED, sign_deadline__lt=clock.now(),
                                   project__status=Status.AWARDED).order_by("pk")


def deadlines_run(*, progress: Callable[[int], object] = lambda n: None) -> DeadlineRun:
    run = DeadlineRun()
    system = context.system_user()
    for project in due_projects():
        try:
            project_close(actor=system, project=project)
            run.closed.append(project.code)
        except Conflict as exc:  # closed by its agency in the meantime
            run.refused.append(f"{project.code}: {exc.detail}")
        progress(1)
    for contract in overdue_contracts():
        try:
            contract_lapse(actor=system, contract=contract)
            run.lapsed.append(contract.pk)
        except Conflict as exc:
            run.refused.append(f"contract {contract.pk}: {exc.detail}")
        progress(1)
    run.overdue = milestones_overdue_notify()
    return run


def overdue_milestones():
    return (Milestone.objects.filter(done_on__isnull=True, closed_on__isnull=True,
                                     due__lt=timezone.localdate(clock.now()),
                                     project__status__in=ONGOING)
            .select_related("project").order_by("pk"))


def milestones_overdue_notify() -> list[int]:
    """Each overdue milestone's follow-up officer is told, once per milestone and due date."""
    told = []
    officers = dict(FollowUp.objects.values_list("project_id", "officer_id"))
    due = {f"milestone:{m.pk}:overdue:{m.due.isoformat()}": m for m in overdue_milestones()}
    told_before = set(Notification.objects.filter(event__in=list(due)).values_list("event", flat=True))
    for event, milestone in due.items():
        if event in told_before:
            continue  # this minute's run is not the first to see it
        project = milestone.project
        people = list(User.objects.filter(pk=officers.get(project.pk)))
        notifications.notify(
            kind=notifications.Kind.MILESTONE_OVERDUE, project=project, recipients=people, event=event,
            title=_("进度逾期：%(code)s") % {"code": project.code},
            body=_("“%(title)s”（%(code)s）的进度节点“%(m)s”应于 %(due)s 完成，尚未记录完成。") % {
                "title": project.title, "code": project.code, "m": milestone.title, "due": local_date(milestone.due)})
        told.append(milestone.pk)
    return told
