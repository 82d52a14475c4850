"""Publishing the head hash outside the database, so that truncating the tail or rewriting the whole chain is
caught: right after each registration close, bid opening, evaluation, draw and award (`publish_on_commit`), and
at least hourly (`manage.py audit_checkpoint`, from cron or the task scheduler). A tail removed after the last
checkpoint is therefore caught unless it is younger than one hour or than the last such event.

The store is chosen by `AUDIT_CHECKPOINT_STORE` (a dotted path to a class); the default is the platform's
write-once object store (`core.storage`: S3 with object lock in production, the filesystem store with the same
retention rules in the embedded default), one object per checkpoint, retained AUDIT_CHECKPOINT_RETENTION_DAYS and
never overwritten. `FileCheckpointStore` writes plain files under var/checkpoints instead."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from audit import canonical, ledger
from audit.models import Checkpoint, LedgerEntry
from core import storage, tasks
from core.storage import ObjectStore


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


class ObjectCheckpointStore:
    """Checkpoints as write-once objects `audit/checkpoints/<chain_id>/<seq>.json` in the platform's object store:
    under retention nobody deletes or replaces them, not even through the store's own interface."""

    PREFIX = "audit/checkpoints"

    def __init__(self, store: ObjectStore | None = None) -> None:
        self.store = store or storage.get_store()

    def write(self, chain_id: str, seq: int, payload: bytes) -> str:
        key = f"{self.PREFIX}/{chain_id}/{seq:012d}.json"
        until = timezone.now() + dt.timedelta(days=settings.AUDIT_CHECKPOINT_RETENTION_DAYS)
        try:
            self.store.put(key, io.BytesIO(payload), size=len(payload), content_type="application/json",
                           metadata={"chain": chain_id[:16]}, retention_until=until)
        except storage.ObjectExists:
            pass  # the same head published twice: one object
        return key

    def latest(self, chain_id: str) -> dict[str, Any] | None:
        keys = [info.key for info in self.store.list(f"{self.PREFIX}/{chain_id}/")]
        if not keys:
            return None
        with self.store.open(max(keys)) as handle:  # zero-padded sequence numbers sort as numbers
            return json.loads(handle.read())


def get_store() -> CheckpointStore:
    factory = settings.AUDIT_CHECKPOINT_STORE
    return import_string(factory)() if factory else ObjectCheckpointStore()


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
