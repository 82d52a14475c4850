from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from archive import ocds, services


class Command(BaseCommand):
    help = ("Write every published project as an OCDS 1.1 release package (<code>.json, every release) and record "
            "package (<code>.record.json, the compiled release), into --out (default var/ocds); releases not yet "
            "recorded are recorded first. Exits 1 if a project could not be exported.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--out", help="directory to write into (created if missing)")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"] or Path(settings.VAR_DIR) / "ocds")
        out.mkdir(parents=True, exist_ok=True)
        projects = ocds.exportable_projects()
        total = projects.count()
        failed = []
        for project in tqdm(projects, total=total, unit="project", disable=options["quiet"]):
            try:
                services.release_record(project)
                package, record = ocds.release_package(project), ocds.record_package(project)
            except Exception as exc:  # noqa: BLE001 - named in the report, the others still exported
                failed.append(f"{project.code}: {exc}")
                continue
            (out / f"{project.code}.json").write_text(
                json.dumps(package, ensure_ascii=False, indent=2, sort_keys=True), encoding="utf-8")
            (out / f"{project.code}.record.json").write_text(
                json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True), encoding="utf-8")
        self.stdout.write(f"exported {total - len(failed)} project(s) to {out}")
        if failed:
            raise CommandError("not exported: " + "; ".join(failed))
