"""The one state machine of a project (DESIGN §3). Status changes only through `project_transition`, which checks
the allowed from → to and records who and why."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from audit import context
from config.api import Conflict
from trading.models import Project
from trading.models.projects import Status

S = Status
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.PUBLISHED, S.TERMINATED}),
    S.PUBLISHED: frozenset({S.REGISTRATION_CLOSED, S.TERMINATED}),
    S.REGISTRATION_CLOSED: frozenset({S.QUALIFIED, S.FAILED, S.TERMINATED}),
    S.QUALIFIED: frozenset({S.DRAWN, S.OPENED, S.FAILED, S.TERMINATED}),
    S.DRAWN: frozenset({S.PUBLICITY, S.TERMINATED}),
    S.OPENED: frozenset({S.EVALUATED, S.AWARDED, S.FAILED, S.TERMINATED}),
    S.EVALUATED: frozenset({S.PUBLICITY, S.FAILED, S.TERMINATED}),
    S.PUBLICITY: frozenset({S.AWARDED, S.FAILED, S.TERMINATED}),
    S.AWARDED: frozenset({S.CONTRACTED, S.FAILED, S.TERMINATED}),
    S.CONTRACTED: frozenset({S.IN_PROGRESS, S.TERMINATED}),
    S.IN_PROGRESS: frozenset({S.COMPLETED, S.TERMINATED}),
    S.COMPLETED: frozenset(),
    S.FAILED: frozenset({S.PUBLISHED, S.TERMINATED}),  # 流标: re-published as a new round
    S.TERMINATED: frozenset(),
}
ONGOING = frozenset({S.AWARDED, S.CONTRACTED, S.IN_PROGRESS})


def can_transition(project: Project, to: str) -> bool:
    return to in TRANSITIONS[project.status]


@transaction.atomic
def project_transition(project: Project, to: str, *, actor: Any, reason: str = "", **changes: Any) -> Project:
    """Move a project to `to`, setting `changes` on it in the same saved version (one history record)."""
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if to not in TRANSITIONS[locked.status]:
        raise Conflict(
            _("项目 %(code)s 当前状态为“%(now)s”，不能变更为“%(to)s”。")
            % {"code": locked.code, "now": locked.get_status_display(), "to": Status(to).label},
            {"status": [locked.status]},
        )
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.status = to
    locked._change_reason = reason or f"{project.status} → {to}"
    with context.acting(actor):
        locked.save()
    project.refresh_from_db()
    return locked
