from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from archive import selectors
from archive import statistics as stats_module
from core import clock


class Command(BaseCommand):
    help = ("Print trading statistics by trading type for a year or one month: projects, budgets, awarded amounts, "
            "savings against budget, average days from publication to award, failed rounds (流标); "
            "with --pdf also write the PDF report with charts.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--month", type=int, help="1-12; the whole year when left out")
        parser.add_argument("--pdf", help="write the PDF report to this file")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            year, month = stats_module.parse_period(str(options["year"]), options["month"] and str(options["month"]))
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        stats = stats_module.trading_statistics(year=year, month=month)
        self.stdout.write(f"{stats.period}")
        rows = [[str(h) for h in stats_module.HEADERS], *stats_module.table_rows(stats)]
        widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            cells = zip(row, widths, strict=True)
            self.stdout.write("  ".join(_pad(cell, width, i > 0) for i, (cell, width) in enumerate(cells)))
        if options["pdf"]:
            content = stats_module.statistics_pdf(stats, issued_at=clock.now(), centre=selectors.centre_name())
            Path(options["pdf"]).write_bytes(content)
            self.stdout.write(f"PDF report: {options['pdf']} ({len(content)} bytes)")


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)  # CJK characters take two columns


def _pad(text: str, width: int, right: bool) -> str:
    fill = " " * (width - _width(text))
    return fill + text if right else text + fill
