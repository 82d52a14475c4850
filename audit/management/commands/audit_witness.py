from __future__ import annotations

import urllib.error
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit import logverify, witness
from core import signing


class Command(BaseCommand):
    help = ("Witness the centre's audit log from outside (the discipline inspection commission's own machine): fetch "
            "its latest checkpoint from the public API, check the centre's signature and its consistency with the "
            "last checkpoint this witness accepted, keep it, cosign it and hand the cosignature back. A fork or a "
            "rollback is an ALARM: exit status 2 and a message that says what was seen. Run it every few minutes.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--url", required=True, help="the platform's public address, e.g. https://ggzy.example.cn")
        parser.add_argument("--log-key", required=True, help="the centre's verifier key (name+hash+key), pinned")
        parser.add_argument("--key", required=True, type=Path, help="this witness's Ed25519 private key (PEM)")
        parser.add_argument("--name", required=True, help="this witness's name, e.g. jiwei.example.cn/witness")
        parser.add_argument("--state", required=True, type=Path, help="where the checkpoints it saw are kept")
        parser.add_argument("--init-key", action="store_true",
                            help="create --key if missing and print its verifier key (for AUDIT_WITNESS_KEYS)")
        parser.add_argument("--no-submit", action="store_true", help="keep the cosignature; do not send it")
        parser.add_argument("--bootstrap", action="store_true",
                            help="the first run only: trust the log's current checkpoint as the first one")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["init_key"]:
            signing.generate_key_file(options["key"])
        key = signing.read_private_key(options["key"])
        if options["init_key"]:
            self.stdout.write(signing.vkey(options["name"], key=key, key_type=logverify.COSIGNATURE_V1))
            return
        watcher = witness.Witness(base_url=options["url"], log_vkey=options["log_key"], key=key,
                                  name=options["name"], state=options["state"])
        try:
            seen, _ = watcher.run_once(submit=not options["no_submit"], bootstrap=options["bootstrap"])
        except witness.Alarm as exc:
            raise CommandError(f"ALARM: {exc}", returncode=2) from exc
        except (logverify.Mismatch, urllib.error.URLError, OSError, KeyError, ValueError) as exc:
            raise CommandError(f"cannot witness: {exc}") from exc
        self.stdout.write(f"cosigned tree_size={seen.size} root={seen.root.hex()}")
