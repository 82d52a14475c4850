"""Witnesses: a party outside the centre (the discipline inspection commission) that keeps every checkpoint it has
seen and cosigns a new one only if it is consistent with the last — so the centre cannot show one history to the
public and another to an inspector (a fork), nor quietly go back to an earlier one (a rollback).

`Witness` runs on the witness's own machine (`manage.py audit_witness`), against the platform's public API only;
`accept_cosignatures` is the platform's side, which keeps the cosignatures it is sent to show them beside its
checkpoint. The formats are C2SP's: signed notes, and tlog-cosignature/v1 (key type 0x04)."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from audit import logverify
from audit.models import Checkpoint, Cosignature
from core import signing


class Alarm(Exception):
    """The log misbehaved: a fork or a rollback. The message says which and what was seen."""


# --- the platform's side ------------------------------------------------------------------------------------------

def accept_cosignatures(note: str) -> int:
    """Keep every valid cosignature in `note` by a witness of AUDIT_WITNESS_KEYS on a checkpoint this log signed.
    Answers how many were new; refuses a note with none that checks."""
    try:
        text, lines = logverify.split_note(note)
    except (logverify.Mismatch, ValueError) as exc:
        raise ValidationError({"note": [_("不是签名检查点：%(e)s") % {"e": exc}]}) from exc
    checkpoint = next((c for c in Checkpoint.objects.filter(origin=settings.AUDIT_LOG_ORIGIN, tree_size=_size(text))
                       if logverify.split_note(c.note)[0] == text), None)
    if checkpoint is None:
        raise ValidationError({"note": [_("本日志没有签署过这个检查点。")]})
    accepted = 0
    for vkey in settings.AUDIT_WITNESS_KEYS:
        name, khash, key_type = logverify.parse_vkey(vkey)[:3]
        if key_type != logverify.COSIGNATURE_V1:
            continue  # a witness key is a cosignature/v1 key (type 0x04): anything else cannot sign a cosignature
        blob = next((b for n, b in lines if n == name and b[:4] == khash), None)
        if blob is None:
            continue
        try:
            logverify.verify_note(note, vkey)
        except logverify.Mismatch as exc:
            raise ValidationError({"note": [_("见证签名无效：%(e)s") % {"e": exc}]}) from exc
        signed_at = dt.datetime.fromtimestamp(int.from_bytes(blob[4:12], "big"), tz=dt.UTC)
        line = f"\u2014 {name} {base64.b64encode(blob).decode()}\n"
        try:
            with transaction.atomic():
                _cosignature, created = Cosignature.objects.get_or_create(
                    checkpoint=checkpoint, key_id=khash.hex(),
                    defaults={"witness": name, "signed_at": signed_at, "signature_line": line})
        except IntegrityError:  # the same cosignature handed in twice at once: kept once
            created = False
        accepted += created
    if not accepted and not checkpoint.cosignatures.exists():
        raise ValidationError({"note": [_("没有已登记见证节点（AUDIT_WITNESS_KEYS）的有效联署。")]})
    return accepted


def _size(text: str) -> int:
    try:
        return logverify.parse_checkpoint_body(text)[1]
    except logverify.Mismatch as exc:
        raise ValidationError({"note": [str(exc)]}) from exc


# --- the witness's side -------------------------------------------------------------------------------------------

def cosign(body: str, name: str, key: Ed25519PrivateKey, when: int | None = None) -> str:
    """The witness's signature line on a checkpoint body (C2SP tlog-cosignature/v1)."""
    when = int(time.time()) if when is None else when
    public = signing.public_key_raw(key)
    signature = key.sign(logverify.cosigned_message(body, when))
    blob = signing.key_hash(name, public, logverify.COSIGNATURE_V1) + when.to_bytes(8, "big") + signature
    return f"\u2014 {name} {base64.b64encode(blob).decode()}\n"


@dataclass
class Seen:
    size: int
    root: bytes
    note: str


class Witness:
    """Keeps every checkpoint it accepted under `state` (one file each, and `latest.json`), checks each new one
    against the last, cosigns it, and hands the cosignature back to the platform."""

    def __init__(self, *, base_url: str, log_vkey: str, key: Ed25519PrivateKey, name: str, state: Path) -> None:
        self.base_url = base_url.rstrip("/")
        self.log_vkey, self.key, self.name, self.state = log_vkey, key, name, Path(state)
        self.origin = logverify.parse_vkey(log_vkey)[0]

    def _get(self, path: str, **query: Any) -> dict[str, Any]:
        url = f"{self.base_url}{path}" + (f"?{urllib.parse.urlencode(query)}" if query else "")
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - the operator gives the URL
            return json.load(response)

    def _post(self, path: str, payload: dict[str, Any]) -> None:
        request = urllib.request.Request(f"{self.base_url}{path}", data=json.dumps(payload).encode(),
                                         headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(request, timeout=30):  # noqa: S310
            pass

    def last_seen(self) -> Seen | None:
        path = self.state / "latest.json"
        if not path.exists():
            return None
        data = json.loads(path.read_text())
        return Seen(data["tree_size"], bytes.fromhex(data["root_hash"]), data["note"])

    def check(self, checkpoint: dict[str, Any], *, bootstrap: bool = False) -> Seen:
        """The checkpoint's signature, then its consistency with the last one seen; raises Alarm on a fork or a
        rollback, logverify.Mismatch on a checkpoint that is not the log's. With no state, a first checkpoint is
        trusted only when asked (`bootstrap`): a lost state directory must not silently accept any history."""
        note = checkpoint["note"]
        text = logverify.split_note(note)[0]
        origin, size, root, _stamp = logverify.parse_checkpoint_body(text)
        if origin != self.origin:
            raise logverify.Mismatch(f"the checkpoint is of {origin!r}, this witness follows {self.origin!r}")
        if logverify.verify_note(note, self.log_vkey) is None:
            raise logverify.Mismatch("cannot check the log's signature: install cryptography")
        new, last = Seen(size, root, note), self.last_seen()
        if last is None:
            if any(self.state.glob("0*.json")):
                raise Alarm(f"STATE LOST: {self.state} holds checkpoints this witness accepted but not the last one "
                            "(latest.json): restore it before witnessing again")
            if not bootstrap:
                raise logverify.Mismatch(f"no checkpoint accepted yet under {self.state}: run once with --bootstrap "
                                         "to trust the log's current checkpoint as the first")
            return new
        if size < last.size:
            raise Alarm(f"ROLLBACK: the log shows a tree of {size} entries after showing one of {last.size}")
        if size == last.size:
            if root != last.root:
                raise Alarm(f"FORK: two different roots for the tree of {size} entries: {last.root.hex()} "
                            f"and {root.hex()}")
            return new
        proof = self._get("/api/audit/proof/consistency", first=last.size, second=size)
        path = [bytes.fromhex(h) for h in proof.get("consistency_path", [])]
        try:
            logverify.verify_consistency(last.size, size, last.root, root, path)
        except logverify.Mismatch as exc:
            raise Alarm(f"FORK: the tree of {size} entries does not extend the tree of {last.size} this witness "
                        f"cosigned: {exc}") from exc
        return new

    def keep(self, seen: Seen, cosigned: str) -> None:
        self.state.mkdir(parents=True, exist_ok=True)
        record = {"tree_size": seen.size, "root_hash": seen.root.hex(), "note": cosigned}
        text = json.dumps(record, indent=1)
        _write_durably(self.state / f"{seen.size:012d}-{seen.root.hex()[:16]}.json", text)
        _write_durably(self.state / "latest.json", text)  # before the cosignature leaves this machine

    def run_once(self, *, submit: bool = True, bootstrap: bool = False) -> tuple[Seen, str]:
        checkpoint = self._get("/api/audit/checkpoint")
        seen = self.check(checkpoint, bootstrap=bootstrap)
        text = logverify.split_note(checkpoint["note"])[0]
        cosigned = checkpoint["note"] + cosign(text, self.name, self.key)
        self.keep(seen, cosigned)
        if submit:
            self._post("/api/audit/cosignatures", {"note": cosigned})
        return seen, cosigned


def _write_durably(path: Path, text: str) -> None:
    """Write through a temporary file of its own, flushed to disk, then renamed over `path` and the directory
    flushed too: after a crash or a power cut the file is the old one or the new one, never half, never lost."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
