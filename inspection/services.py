"""The inspectors' writes that are theirs alone: starting the chain's verification as a background job."""

from __future__ import annotations

from typing import Any

from core import tasks
from core.roles import require


def chain_verify_start(*, actor: Any) -> Any:
    require(actor, "audit.verify")
    from inspection.tasks import verify_chain_for

    return tasks.job_start(kind="chain_verify", subject="audit-chain", actor=actor, fn=verify_chain_for,
                           args=(actor.pk,))
