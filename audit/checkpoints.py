"""Publishing the head hash outside the database, so that truncating the tail or rewriting the whole chain is
caught: daily, and right after each registration close, bid opening, draw and award (call `publish_on_commit`).

The store is chosen by `AUDIT_CHECKPOINT_STORE` (a dotted path to a factory); the default writes one JSON file
per checkpoint under `var/checkpoints/<chain_id>/`, never overwriting."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from audit import canonical, ledger
from audit.models import Checkpoint, LedgerEntry
from core import tasks


class CheckpointStore(Protocol):
    def write(self, chain_id: str, seq: int, payload: bytes) -> str: ...

    def latest(self, chain_id: str) -> dict[str, Any] | None: ...


class FileCheckpointStore:
    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root or Path(settings.VAR_DIR) / "checkpoints")

    def write(self, chain_id: str, seq: int, payload: bytes) -> str:
        folder = self.root / chain_id
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{seq:012d}.json"
        if path.exists():
            return str(path)  # the same head published twice: one file
        with open(path, "xb") as handle:
            handle.write(payload)
        return str(path)

    def latest(self, chain_id: str) -> dict[str, Any] | None:
        folder = self.root / chain_id
        files = sorted(folder.glob("*.json")) if folder.is_dir() else []
        return json.loads(files[-1].read_bytes()) if files else None


def get_store() -> CheckpointStore:
    factory = settings.AUDIT_CHECKPOINT_STORE
    return import_string(factory)() if factory else FileCheckpointStore()


def chain_id() -> str:
    first = LedgerEntry.objects.filter(seq=1).values_list("hash", flat=True).first()
    return first or canonical.GENESIS_HASH


def publish(reason: str = "daily") -> Checkpoint | None:
    """Write the current head to the store and index it. Slow I/O: call outside the locked transaction."""
    seq, head_hash = ledger.head()
    if seq == 0:
        return None
    cid = chain_id()
    now = timezone.now()
    payload = {"chain_id": cid, "seq": seq, "hash": head_hash, "published_at": now.isoformat(),
               "reason": reason}
    location = get_store().write(cid, seq, json.dumps(payload, sort_keys=True).encode())
    return Checkpoint.objects.create(
        chain_id=cid, seq=seq, hash=head_hash, reason=reason[:200], published_at=now, location=location
    )


def publish_on_commit(reason: str) -> None:
    tasks.enqueue(publish, reason)


def latest_published() -> dict[str, Any] | None:
    return get_store().latest(chain_id())
