"""The inspectors' background work: verifying the whole chain (above tens of thousands of entries it takes longer
than a request should), and telling inspectors of new risk findings (hourly, Celery beat)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from audit import checkpoints, ledger
from audit import selectors as ledger_selectors
from audit.verify import verify_chain
from core import tasks
from inspection import findings
from trading.models import User
from trading.services import notifications


@tasks.task(retries=2)
def verify_chain_for(inspector_id: int) -> dict[str, Any]:
    """The chain recomputed and compared with the last checkpoint; the result recorded as the inspector's."""
    inspector = User.objects.get(pk=inspector_id)
    tasks.progress(5)
    result = verify_chain(checkpoint=checkpoints.latest_published())
    ledger.record_event(ledger_selectors.VERIFIED_ACTION, actor=inspector, data=result.as_dict())
    return {**result.as_dict(), "url": reverse("inspect-chain")}


@tasks.task(retries=2)
def notify_new_findings() -> int:
    """Each finding told to every inspector once: its identity is its kind, subject, project and first entry (a
    finding that grows — one more reading of a list — is not new; the same pattern on another day is)."""
    told = 0
    for kind, found in findings.all_findings():
        for finding in found:
            first = min(finding.seqs, default=0)
            identity = hashlib.sha256(f"{kind.key}\n{finding.subject}\n{finding.project}\n{first}".encode())
            notifications.notify(
                kind=notifications.Kind.FINDING, event=f"finding:{kind.key}:{identity.hexdigest()[:32]}",
                recipients=notifications.inspectors(), title=_("风险提示：%(t)s") % {"t": kind.title},
                body=f"{finding.subject} {finding.project}\n{finding.detail}")
            told += 1
    return told
