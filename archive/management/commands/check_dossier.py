from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from archive.dossier_check import check_dossier
from core import signing


class Command(BaseCommand):
    help = ("Check a dossier ZIP from its bytes alone: the files the manifest lists, the centre's signature of the "
            "manifest (against --public-key, by default this installation's own key) and every PDF record's "
            "footer digest recomputed from the record data beside it. Exit status 1 with the problems, if any.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("zip")
        parser.add_argument("--public-key", help="a PEM file with the centre's published Ed25519 public key")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["zip"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        key = Path(options["public_key"]).read_text() if options["public_key"] else signing.public_key_pem()
        problems = check_dossier(path, key)
        if problems:
            raise CommandError("\n".join(problems))
        self.stdout.write(f"OK {path}: files, signature (key {signing.fingerprint()[:16]}…) and record digests check")
