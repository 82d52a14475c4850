from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from core import context
from recordings import reconciler


class Command(BaseCommand):
    help = ("Resolve what a stopped process or a store outage left. Uploads left pending: the object is there → "
            "verified and finalised; it is not → failed. Stored recordings whose thumbnails, contact sheet or "
            "playback copy were never finished: made again from the original (what was written already is "
            "adopted), or marked failed when the original cannot give them. Then aborts unfinished multipart "
            "uploads, removes temporary files of transfers untouched for UPLOAD_TEMP_MAX_AGE_HOURS, and brings the "
            "objects' legal holds in line with their projects. Acts as the system account. Exits 1 on errors.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--older-than", type=int, default=60, metavar="MINUTES",
                            help="only rows and uploads started at least this long ago (default 60)")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["older_than"] < 0:
            raise CommandError("--older-than must be 0 or more minutes")
        older_than = dt.timedelta(minutes=options["older_than"])
        total = reconciler.stale_pending(older_than).count() + reconciler.unfinished_derivation(older_than).count()
        with context.acting_as_system(), tqdm(total=total, unit="recording", disable=options["quiet"]) as bar:
            result = reconciler.recordings_reconcile(actor=context.current().actor, older_than=older_than,
                                                   progress=bar.update)
        self.stdout.write(f"finalised {len(result.finalised)}, failed {len(result.failed)}, "
                          f"derived media made for {len(result.derived)}, failed for {len(result.derivation_failed)}, "
                          f"aborted {result.aborted_uploads} unfinished upload(s), "
                          f"removed {result.temp_removed} temporary file(s)")
        if result.errors:
            raise CommandError(f"{len(result.errors)} error(s): " + "; ".join(result.errors))
