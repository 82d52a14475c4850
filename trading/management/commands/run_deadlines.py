from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from trading.services import deadlines


class Command(BaseCommand):
    help = ("Close every project whose registration deadline has passed (candidates frozen, eligibility checked) "
            "and lapse every contract offer past its signing deadline (bad-behaviour record, suspension, next "
            "alternate). Acts as the system account; run it every minute from cron. Exits 1 if anything was "
            "refused.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        total = deadlines.due_projects().count() + deadlines.overdue_contracts().count()
        with tqdm(total=total, unit="item", disable=options["quiet"] or total < 2) as bar:
            run = deadlines.deadlines_run(progress=bar.update)
        self.stdout.write(f"closed {len(run.closed)}: {' '.join(run.closed) or '-'}")
        self.stdout.write(f"lapsed {len(run.lapsed)} contract offer(s)")
        if run.refused:
            raise CommandError("refused: " + "; ".join(run.refused))
