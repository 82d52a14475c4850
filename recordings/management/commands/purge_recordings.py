from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from core import context
from recordings import services


class Command(BaseCommand):
    help = ("Delete every recording past its retention and not under legal hold: the original and every object "
            "under its key (thumbnails, contact sheet, playback copy, also those a stopped upload wrote but never "
            "recorded), leaving a tombstone event (key, version, SHA-256, dates, the derived objects) in the audit "
            "trail. Acts as the system account. Safe to interrupt and to run twice at once. Exits 1 if any deletion "
            "failed.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="list what would be purged, change nothing")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        total = services.expired_recordings().count()
        with context.acting_as_system(), tqdm(total=total, unit="recording", disable=options["quiet"]) as bar:
            run = services.recordings_purge(actor=context.current().actor, dry_run=options["dry_run"],
                                            progress=bar.update)
        verb = "would purge" if options["dry_run"] else "purged"
        self.stdout.write(f"{verb} {len(run.done)}: {' '.join(f'#{pk}' for pk in run.done) or '-'}")
        if run.skipped:
            self.stdout.write(f"skipped {len(run.skipped)} (purged meanwhile or put on hold)")
        if run.failed:
            raise CommandError(f"{len(run.failed)} failed: " + "; ".join(run.failed))
