"""What the clock decides: registration closes at its deadline, an unsigned contract lapses at its
signing deadline. Run by `manage.py run_deadlines` (cron, every minute) as the named system account; each project
or contract is handled in its own transaction (the services are atomic) so one refusal does not hold back the rest."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from core import clock, context
from core.errors import Conflict
from trading.models import Contract, Project
from trading.models.projects import Status
from trading.services.aftercare import contract_lapse
from trading.services.projects import project_close


@dataclass
class DeadlineRun:
    closed: list[str] = field(default_factory=list)
    lapsed: list[int] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # "<what>: <why>", for the operator


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
    return run
