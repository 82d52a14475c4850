from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from core import context
from recordings import services


class Command(BaseCommand):
    help = ("Resolve uploads left pending (the store was down or the process stopped): the object is there → "
            "verified and finalised; it is not → failed. Then aborts unfinished multipart uploads and brings the "
            "objects' legal holds in line with their projects. Acts as the system account. Exits 1 on errors.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--older-than", type=int, default=60, metavar="MINUTES",
                            help="only rows and uploads started at least this long ago (default 60)")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["older_than"] < 0:
            raise CommandError("--older-than must be 0 or more minutes")
        older_than = dt.timedelta(minutes=options["older_than"])
        total = services.stale_pending(older_than).count()
        with context.acting_as_system(), tqdm(total=total, unit="recording", disable=options["quiet"]) as bar:
            result = services.recordings_reconcile(actor=context.current().actor, older_than=older_than,
                                                   progress=bar.update)
        self.stdout.write(f"finalised {len(result.finalised)}, failed {len(result.failed)}, "
                          f"aborted {result.aborted_uploads} unfinished upload(s)")
        if result.errors:
            raise CommandError(f"{len(result.errors)} error(s): " + "; ".join(result.errors))
