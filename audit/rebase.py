"""Re-basing a history table's digests after a migration changed its columns (audit.migration_guard): the new
digest of every existing row is stored (audit.RebasedDigest) under one `history_rebased` ledger event that
vouches for the whole batch. audit_verify then accepts, for such a row, the recorded new digest and nothing else."""

from __future__ import annotations

from collections import defaultdict

from django.apps import apps
from django.db import transaction

from audit import ledger
from audit.history import history_digest
from audit.migration_guard import digests_root
from audit.models import RebasedDigest
from core import context

REBASED_ACTION = "history_rebased"


def rebase_table(label: str, reason: str, *, using: str = "default") -> int:
    """Re-digest every row of the history model `label` ("trading.historicalproject") as the running code digests
    it, and record the batch. Answers the number of rows."""
    model = apps.get_model(label)
    with transaction.atomic(using=using), context.acting_as_system(reason=reason):
        pairs = [(row.pk, history_digest(row)) for row in model.objects.using(using).order_by("pk").iterator()]
        event = ledger.record_event(REBASED_ACTION, reason=reason, data={
            "history_model": model._meta.label, "rows": len(pairs), "digests_sha256": digests_root(pairs)})
        RebasedDigest.objects.using(using).bulk_create(
            [RebasedDigest(rebase_seq=event.seq, history_model=model._meta.label, history_id=pk, digest=digest)
             for pk, digest in pairs], batch_size=2000)
    return len(pairs)


def rebased_digests(label: str, using: str = "default") -> dict[int, str]:
    """history_id → the latest recorded re-based digest of the rows of `label`."""
    rows = (RebasedDigest.objects.using(using).filter(history_model=label).order_by("rebase_seq")
            .values_list("history_id", "digest"))
    return dict(rows)


def rebase_batches(using: str = "default") -> dict[int, list[tuple[int, str]]]:
    """rebase_seq → its (history_id, digest) pairs, for audit_verify to check against the event's SHA-256."""
    batches: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for seq, history_id, digest in RebasedDigest.objects.using(using).values_list("rebase_seq", "history_id",
                                                                                   "digest").iterator():
        batches[seq].append((history_id, digest))
    return batches
