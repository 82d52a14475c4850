"""The one state machine of a project. Status changes only through `project_transition`, which checks
the allowed from → to and records who and why."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from core import context
from core.errors import Conflict
from trading import complaint_rules, hooks
from trading.models import Project
from trading.models.projects import Status

TRANSITIONS: dict[str, frozenset[str]] = {
    Status.DRAFT: frozenset({Status.PUBLISHED, Status.TERMINATED}),
    Status.PUBLISHED: frozenset({Status.REGISTRATION_CLOSED, Status.TERMINATED}),
    Status.REGISTRATION_CLOSED: frozenset({Status.QUALIFIED, Status.FAILED, Status.TERMINATED}),
    Status.QUALIFIED: frozenset({Status.DRAWN, Status.OPENED, Status.FAILED, Status.TERMINATED}),
    Status.DRAWN: frozenset({Status.PUBLICITY, Status.FAILED, Status.TERMINATED}),  # failed: an upheld complaint
    Status.OPENED: frozenset({Status.EVALUATED, Status.AWARDED, Status.FAILED, Status.TERMINATED}),
    Status.EVALUATED: frozenset({Status.PUBLICITY, Status.FAILED, Status.TERMINATED}),
    Status.PUBLICITY: frozenset({Status.AWARDED, Status.FAILED, Status.TERMINATED}),
    Status.AWARDED: frozenset({Status.CONTRACTED, Status.FAILED, Status.TERMINATED}),
    Status.CONTRACTED: frozenset({Status.IN_PROGRESS, Status.TERMINATED}),
    Status.IN_PROGRESS: frozenset({Status.COMPLETED, Status.TERMINATED}),
    Status.COMPLETED: frozenset(),
    Status.FAILED: frozenset({Status.PUBLISHED, Status.TERMINATED}),  # 流标: re-published as a new round
    Status.TERMINATED: frozenset(),
}
ONGOING = frozenset({Status.AWARDED, Status.CONTRACTED, Status.IN_PROGRESS})


@transaction.atomic
def project_transition(project: Project, to: str, *, actor: Any, reason: str = "", despite_complaints: bool = False,
                       **changes: Any) -> Project:
    """Move a project to `to`, setting `changes` on it in the same saved version (one history record). While an
    objection or complaint suspends the procedure (trading.complaint_rules.suspension) no step before the contract
    is taken, except termination and the effect of a complaint decision (`despite_complaints`)."""
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if to not in TRANSITIONS[locked.status]:
        raise Conflict(
            _("项目 %(code)s 当前状态为“%(now)s”，不能变更为“%(to)s”。")
            % {"code": locked.code, "now": locked.get_status_display(), "to": Status(to).label},
            {"status": [locked.status]},
        )
    if not despite_complaints and to != Status.TERMINATED and locked.status in complaint_rules.BEFORE_CONTRACT:
        suspended = complaint_rules.suspension(locked)
        if suspended:
            raise Conflict(suspended, {"status": [locked.status]})
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.status = to
    locked._change_reason = reason or f"{project.status} → {to}"
    with context.acting(actor):
        locked.save()
        hooks.run("status_changed", project=locked, actor=actor)
    project.refresh_from_db()
    return locked
