from __future__ import annotations

import signal
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection

from audit import sequencer


class Command(BaseCommand):
    help = ("Give written audit entries their positions in the log's Merkle tree. With --loop, run as the "
            "sequencer: one leader at a time, chosen through a PostgreSQL advisory lock, so that every application "
            "server may run one and another takes over when the leader stops. Without it, sequence what waits now.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--loop", action="store_true", help="keep sequencing until stopped (SIGTERM/SIGINT)")
        parser.add_argument("--interval-ms", type=int, default=settings.AUDIT_SEQUENCER_INTERVAL_MS)

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["loop"]:
            self.stdout.write(f"sequenced {sequencer.sequence_pending()} entries")
            return
        stopping = []
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stopping.append(True))
        pause = options["interval_ms"] / 1000
        leading = False
        while not stopping:
            if not leading:
                leading = sequencer.try_lead(session=True)
                if leading:
                    self.stdout.write("leading", ending="\n")
                    self.stdout.flush()
            if leading and sequencer.sequence_batch():
                continue  # more may wait: no pause while there is a backlog
            time.sleep(pause)
        connection.close()  # releases the leader's lock for the next one
