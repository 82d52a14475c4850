"""The sequencer: gives written entries their positions in the Merkle tree, in order, in batches.

Requests write entries without waiting on each other (audit/ledger.py); this assigns each a leaf index, stores
the complete subtrees its leaf completes, and takes it off the pending list — all in one transaction, so a
sequencer killed mid-batch leaves nothing half done and the next run takes the same entries again. Only one
sequencer works at a time: on PostgreSQL the batch holds an advisory lock taken with "try" (a second sequencer,
on this or another application server, skips its turn instead of queuing), and `manage.py audit_sequencer` keeps
a session-level hold on the same lock for as long as it leads; on SQLite the database's single writer serialises
batches. The unique leaf index and entry number refuse a duplicate even if two ever ran at once."""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from audit import merkle
from audit.models import Leaf, LedgerEntry, PendingEntry
from core import tasks

SEQUENCER_LOCK_KEY = 0x6A69_616F_7365  # "jiaose"
logger = logging.getLogger(__name__)


def try_lead(using: str = "default", *, session: bool = False) -> bool:
    """Take the sequencer's lock if nobody holds it: for this transaction, or (`session`) until the connection
    closes. Always true on SQLite, whose writers the database serialises."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return True
    function = "pg_try_advisory_lock" if session else "pg_try_advisory_xact_lock"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s)", [SEQUENCER_LOCK_KEY])
        return bool(cursor.fetchone()[0])


def sequence_batch(*, using: str = "default", limit: int | None = None) -> int:
    """Sequence up to `limit` pending entries, oldest number first. Answers how many (0 when another sequencer
    holds the lock or nothing waits)."""
    limit = limit or settings.AUDIT_SEQUENCER_BATCH
    with transaction.atomic(using=using):
        if not try_lead(using):
            return 0
        waiting = list(PendingEntry.objects.using(using).order_by("entry_seq")
                       .values_list("entry_seq", flat=True)[:limit])
        if not waiting:
            return 0
        hashes = dict(LedgerEntry.objects.using(using).filter(seq__in=waiting).values_list("seq", "hash"))
        lost = [seq for seq in waiting if seq not in hashes]
        if lost:
            raise LookupError(f"audit: pending entries {lost[:5]} do not exist in the ledger")
        size = merkle.tree_size(using)
        leaves = [bytes.fromhex(hashes[seq]) for seq in waiting]
        nodes, _ = merkle.extend(size, merkle.right_edge(size, using), leaves)
        now = timezone.now()
        Leaf.objects.using(using).bulk_create(
            [Leaf(index=size + n, entry_seq=seq, hash=hashes[seq], sequenced_at=now) for n, seq in enumerate(waiting)],
            batch_size=2000)
        merkle.save_nodes(nodes, using)
        PendingEntry.objects.using(using).filter(entry_seq__in=waiting).delete()
    return len(waiting)


@tasks.task()
def sequence_pending(*, using: str = "default") -> int:
    """Sequence everything waiting now, batch after batch (stops early when another sequencer leads)."""
    total = 0
    while done := sequence_batch(using=using):
        total += done
    return total


class _Thread:
    """The embedded default's sequencer (AUDIT_SEQUENCER = "thread"): one daemon thread per process, woken by
    every commit that wrote entries, which waits AUDIT_SEQUENCER_INTERVAL_MS to gather what else arrives and
    sequences it all on its own connection — no request waits for the tree, and each batch serves many writes."""

    def __init__(self) -> None:
        self.wake, self.guard = threading.Event(), threading.Lock()
        self.threads: dict[str, threading.Thread] = {}

    def notify(self, using: str) -> None:
        with self.guard:
            thread = self.threads.get(using)
            if thread is None or not thread.is_alive():
                thread = threading.Thread(target=self.run, args=(using,), daemon=True, name=f"audit-sequencer-{using}")
                self.threads[using] = thread
                thread.start()
        self.wake.set()

    def run(self, using: str) -> None:
        pause = settings.AUDIT_SEQUENCER_INTERVAL_MS / 1000
        retry: float | None = None  # while entries still wait (another process's sequencer held the lock, or a
        while True:                 # batch failed), look again after a pause even if no commit wakes the thread
            self.wake.wait(timeout=retry)
            time.sleep(pause)
            self.wake.clear()
            try:
                sequence_pending(using=using)
                retry = pause * 5 if PendingEntry.objects.using(using).exists() else None
            except Exception:  # the next commit, the next checkpoint or audit_verify will see what still waits
                logger.exception("audit: the sequencer thread's batch failed")
                retry = pause * 25
            finally:
                connections[using].close()


_thread = _Thread()


def wake_thread(*, using: str = "default") -> None:
    _thread.notify(using)
