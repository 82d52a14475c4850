from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from core import context
from recordings import services


class Command(BaseCommand):
    help = ("Make the browser-playable H.264 copy of every stored recording that has none yet (recordings longer "
            "than RECORDING_INLINE_TRANSCODE_MAX_S, or whose copy failed at upload). Acts as the system account. "
            "Exits 1 if any copy failed.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        total = services.playback_pending().count()
        with context.acting_as_system(), tqdm(total=total, unit="recording", disable=options["quiet"]) as bar:
            run = services.playback_copies_make(actor=context.current().actor, progress=bar.update)
        self.stdout.write(f"made {len(run.done)} playback cop{'y' if len(run.done) == 1 else 'ies'}")
        if run.failed:
            raise CommandError(f"{len(run.failed)} failed: " + "; ".join(run.failed))
