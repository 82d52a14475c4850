from __future__ import annotations

import shutil
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from archive import services
from core import context
from core.errors import Conflict


class Command(BaseCommand):
    help = ("Build a new version of a finished project's dossier (ZIP of the PDF records, draw proofs, the audit "
            "extract, the recording manifest and manifest.json with SHA-256 and size of every file), store it "
            "write-once under archive/ in object storage for DOSSIER_RETENTION_YEARS, and record it. Acts as the "
            "system account. Exits 1 for an unknown or unfinished project or a failed build.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("code", help="project code, e.g. GD-2026-0002")
        parser.add_argument("--out", help="also copy the stored ZIP to this file")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        try:
            with context.acting_as_system(reason="build_dossier"), \
                    tqdm(unit="file", disable=options["quiet"]) as bar:
                dossier = services.dossier_build(actor=context.system_user(), code=options["code"],
                                                 progress=lambda path: bar.update(1))
        except (services.DossierRefused, Conflict) as exc:
            raise CommandError(str(exc)) from exc
        seconds = time.perf_counter() - started
        if options["out"]:
            with services.dossier_open(dossier) as source, open(options["out"], "wb") as target:
                shutil.copyfileobj(source, target)
        self.stdout.write(f"{dossier.project.code} dossier v{dossier.version}: {dossier.key}")
        self.stdout.write(f"{dossier.files} files, {dossier.size} bytes, sha256 {dossier.sha256}, "
                          f"kept until {dossier.retention_until:%Y-%m-%d}, built in {seconds:.2f} s")
