"""Signed checkpoints of the log, published outside the database, so that truncating or rewriting the log is
caught: right after each registration close, bid opening, evaluation, draw and award (`publish_on_commit`), and
at least hourly (`manage.py audit_checkpoint`, from cron or the task scheduler). A checkpoint is a C2SP signed
note — origin, tree size, root hash (base64), a `timestamp <ms>` line — signed with the centre's Ed25519 key
(core/signing.py); witnesses check each against the last they saw and cosign it (audit/witness.py).

The store is chosen by `AUDIT_CHECKPOINT_STORE` (a dotted path to a class); the default is the platform's
write-once object store (`core.storage`: S3 with object lock in production, the filesystem store with the same
retention rules in the embedded default), one object per checkpoint, retained AUDIT_CHECKPOINT_RETENTION_DAYS and
never overwritten. `FileCheckpointStore` writes plain files under var/checkpoints instead."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from audit import canonical, logverify, merkle, sequencer
from audit.models import Checkpoint
from core import signing, storage, tasks
from core.storage import ObjectStore


class CheckpointStore(Protocol):
    def write(self, origin: str, size: int, payload: bytes) -> str: ...

    def latest(self, origin: str) -> dict[str, Any] | None: ...


class FileCheckpointStore:
    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root or Path(settings.VAR_DIR) / "checkpoints")

    def write(self, origin: str, size: int, payload: bytes) -> str:
        folder = self.root / _folder(origin)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{size:012d}.json"
        if path.exists():
            _same_root(json.loads(path.read_bytes()), payload, str(path))
            return str(path)  # the same head published twice: one file
        with open(path, "xb") as handle:
            handle.write(payload)
        return str(path)

    def latest(self, origin: str) -> dict[str, Any] | None:
        folder = self.root / _folder(origin)
        files = sorted(folder.glob("*.json")) if folder.is_dir() else []
        return json.loads(files[-1].read_bytes()) if files else None


class ObjectCheckpointStore:
    """Checkpoints as write-once objects `audit/checkpoints/<origin>/<size>.json` in the platform's object store:
    under retention nobody deletes or replaces them, not even through the store's own interface."""

    PREFIX = "audit/checkpoints"

    def __init__(self, store: ObjectStore | None = None) -> None:
        self.store = store or storage.get_store()

    def write(self, origin: str, size: int, payload: bytes) -> str:
        key = f"{self.PREFIX}/{_folder(origin)}/{size:012d}.json"
        until = timezone.now() + dt.timedelta(days=settings.AUDIT_CHECKPOINT_RETENTION_DAYS)
        try:
            self.store.put(key, io.BytesIO(payload), size=len(payload), content_type="application/json",
                           metadata={"tree-size": str(size)}, retention_until=until)
        except storage.ObjectExists:  # the same head published twice: one object
            with self.store.open(key) as handle:
                _same_root(json.loads(handle.read()), payload, key)
        return key

    def latest(self, origin: str) -> dict[str, Any] | None:
        keys = [info.key for info in self.store.list(f"{self.PREFIX}/{_folder(origin)}/")]
        if not keys:
            return None
        with self.store.open(max(keys)) as handle:  # zero-padded sequence numbers sort as numbers
            return json.loads(handle.read())


def get_store() -> CheckpointStore:
    factory = settings.AUDIT_CHECKPOINT_STORE
    return import_string(factory)() if factory else ObjectCheckpointStore()


def _same_root(published: dict[str, Any], payload: bytes, where: str) -> None:
    """A size is published once: another root for it (a restored database, a fork) is refused, never hidden."""
    if published.get("root_hash") != json.loads(payload).get("root_hash"):
        raise RuntimeError(f"audit: {where} already holds another root for this tree size: the log forked or was "
                           "restored from a backup; investigate before publishing again")


def _folder(origin: str) -> str:
    return origin.replace("/", "_")


def build(size: int, root: bytes, timestamp: dt.datetime) -> dict[str, Any]:
    """The signed checkpoint of a tree of `size` with `root`, as the API serves it."""
    origin = settings.AUDIT_LOG_ORIGIN
    millis = canonical.format_time(timestamp) // 1000
    body = logverify.checkpoint_body(origin, size, root, millis)
    return {"origin": origin, "tree_size": size, "root_hash": root.hex(), "timestamp": millis,
            "key_id": signing.key_id(origin), "note": body + "\n" + signing.note_signature_line(body, origin)}


@tasks.task()
def publish(reason: str = "daily") -> Checkpoint | None:
    """Sequence what waits, sign the tree head and write it to the store, then index it. Slow I/O: call outside
    any transaction that holds locks (it runs on commit)."""
    sequencer.sequence_pending()
    size = merkle.tree_size()
    if size == 0:
        return None
    now = timezone.now()
    now = now.replace(microsecond=now.microsecond // 1000 * 1000)  # the note carries milliseconds
    payload = build(size, merkle.root(size), now)
    payload["reason"] = reason
    location = get_store().write(payload["origin"], size, json.dumps(payload, sort_keys=True).encode())
    return Checkpoint.objects.create(
        origin=payload["origin"], tree_size=size, root_hash=payload["root_hash"], timestamp=now,
        key_id=payload["key_id"], note=payload["note"], reason=reason[:200], location=location)


def publish_on_commit(reason: str) -> None:
    tasks.enqueue(publish, reason)


def latest_published() -> dict[str, Any] | None:
    return get_store().latest(settings.AUDIT_LOG_ORIGIN)


def as_dict(checkpoint: Checkpoint) -> dict[str, Any]:
    """A checkpoint as the API serves it, with the cosignatures witnesses sent for it."""
    return {
        "origin": checkpoint.origin, "tree_size": checkpoint.tree_size, "root_hash": checkpoint.root_hash,
        "timestamp": canonical.format_time(checkpoint.timestamp) // 1000, "key_id": checkpoint.key_id,
        "signature": centre_signature(checkpoint.note), "note": checkpoint.note, "reason": checkpoint.reason,
        "cosignatures": [{"witness": c.witness, "key_id": c.key_id,
                          "timestamp": int(c.signed_at.timestamp()), "signature_line": c.signature_line}
                         for c in checkpoint.cosignatures.order_by("witness")],
    }


def latest() -> Checkpoint | None:
    return Checkpoint.objects.filter(origin=settings.AUDIT_LOG_ORIGIN).order_by("-tree_size", "-id").first()


def verifier_keys() -> list[str]:
    """The centre's verifier key and those of its rotated keys: a checkpoint signed by any of them is the log's."""
    return [signing.vkey(settings.AUDIT_LOG_ORIGIN), *settings.SIGNING_OLD_KEYS]


def check_signature(note: str) -> None:
    """Raise logverify.Mismatch unless one of the log's keys signed `note`."""
    problems = []
    for vkey in verifier_keys():
        try:
            logverify.verify_note(note, vkey)
            return
        except logverify.Mismatch as exc:
            problems.append(str(exc))
    raise logverify.Mismatch(problems[0] if problems else "no key to check the checkpoint with")


def centre_signature(note: str) -> str:
    """The centre's signature line's value (base64 of key hash ‖ Ed25519 signature) in a signed note."""
    return next((base64.b64encode(blob).decode() for name, blob in logverify.split_note(note)[1]
                 if name == settings.AUDIT_LOG_ORIGIN), "")
