from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from audit import checkpoints, ledger
from audit.models import LedgerEntry
from audit.selectors import VERIFIED_ACTION
from audit.verify import verify_chain
from core import context


class Command(BaseCommand):
    help = ("Recompute the audit log: every entry's leaf hash, every digest against its historical row or event, "
            "the Merkle tree from its leaves, every entry in the tree or waiting for it (none longer than "
            "AUDIT_MAX_MERGE_DELAY_SECONDS), every signed checkpoint and the last published one against the tree, "
            "and every live row of every audited table against its last historical row. "
            "Prints OK and the root hash, or the first problem and exits 1.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-checkpoint", action="store_true", help="do not compare with the published head")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")
        parser.add_argument("--record", action="store_true",
                            help="append the result to the ledger (audit_verified, as the system account), so the "
                                 "inspectors' chain status shows this run as the last verification")

    def handle(self, *args: Any, **options: Any) -> None:
        checkpoint = None if options["no_checkpoint"] else checkpoints.latest_published()
        total = LedgerEntry.objects.count()
        started = time.perf_counter()
        with tqdm(total=total, unit="entry", disable=options["quiet"] or total < 10000) as bar:
            result = verify_chain(checkpoint=checkpoint, progress=bar.update)
        elapsed = time.perf_counter() - started
        if options["record"]:
            with context.acting_as_system(reason="audit_verify"):
                ledger.record_event(VERIFIED_ACTION, data=result.as_dict())
        if not result.ok:
            where = f" at entry {result.broken_seq}" if result.broken_seq is not None else ""
            extra = "".join(f"\n  {d}" for d in result.differences[1:])
            raise CommandError(f"BROKEN{where}: {result.problem}{extra}")
        self._warn_if_stale(checkpoint)
        rate = result.entries / elapsed if elapsed > 0 else 0
        published = f"tree_size {checkpoint['tree_size']}" if checkpoint else "none published"
        self.stdout.write(f"OK {result.root_hash}")
        self.stdout.write(
            f"entries={result.entries} tree_size={result.tree_size} pending={result.pending} "
            f"oldest_pending={result.oldest_pending_seconds}s live_rows={result.live_rows} "
            f"checkpoints={result.checkpoints} published={published} rate={rate:,.0f}/s"
        )

    def _warn_if_stale(self, checkpoint: dict[str, Any] | None) -> None:
        """A tail younger than the last checkpoint could vanish unseen: say so when publishing has lapsed."""
        limit = dt.timedelta(minutes=settings.AUDIT_CHECKPOINT_MAX_AGE_MINUTES)
        published = (dt.datetime.fromtimestamp(checkpoint["timestamp"] / 1000, tz=dt.UTC) if checkpoint
                     else None)
        if published is None or timezone.now() - published > limit:
            when = published.isoformat() if published else "never"
            self.stderr.write(f"WARNING: the last checkpoint was published {when}; publish at least every "
                              f"{settings.AUDIT_CHECKPOINT_MAX_AGE_MINUTES} minutes (manage.py audit_checkpoint)")
