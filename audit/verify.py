"""Recompute the whole chain: numbering without gaps, every link, every entry hash, every digest against the
historical row or event payload it names, and the head against the last published checkpoint."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import connections

from audit import canonical
from audit.history import digest_values, history_fields
from audit.ledger import event_digest
from audit.models import LedgerEntry

CHUNK = 5000
_COLUMNS = (
    "seq", "at", "actor_id", "actor", "role", "ip", "action", "object_type", "object_id",
    "history_model", "history_id", "project", "reason", "digest", "prev_hash", "hash", "data",
)


@dataclass
class VerifyResult:
    ok: bool = True
    entries: int = 0
    head: str = canonical.GENESIS_HASH
    head_seq: int = 0
    chain_id: str = ""
    broken_seq: int | None = None
    problem: str = ""
    checkpoint: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)

    def fail(self, seq: int | None, problem: str) -> VerifyResult:
        if self.ok:
            self.ok, self.broken_seq, self.problem = False, seq, problem
        return self

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok, "entries": self.entries, "head": self.head, "head_seq": self.head_seq,
            "chain_id": self.chain_id, "broken_seq": self.broken_seq, "problem": self.problem,
            "checkpoint": self.checkpoint,
        }


def _rows(using: str) -> Iterator[tuple[Any, ...]]:
    """Raw rows in sequence order (no ORM converters: this loop runs a million times), time as an aware datetime
    and the event payload decoded from its JSON text."""
    connection = connections[using]
    sql = (f"SELECT {', '.join(_COLUMNS)} FROM {LedgerEntry._meta.db_table} "  # noqa: S608
           f"WHERE seq > %s ORDER BY seq LIMIT {CHUNK}")
    loads, parse, utc = json.loads, dt.datetime.fromisoformat, dt.UTC
    last = 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(sql, [last])
            chunk = cursor.fetchall()
            if not chunk:
                return
            for row in chunk:
                at, data = row[1], row[16]
                if isinstance(at, str):  # SQLite keeps UTC text (naive when its converters parsed it)
                    at = parse(at)
                if at.tzinfo is None:
                    at = at.replace(tzinfo=utc)
                yield (*row[:1], at, *row[2:16], loads(data) if isinstance(data, str) else data)
            last = chunk[-1][0]


def verify_chain(
    *, using: str = "default", checkpoint: dict[str, Any] | None = None,
    progress: Callable[[int], None] | None = None,
) -> VerifyResult:
    result = VerifyResult()
    expected_prev = canonical.GENESIS_HASH
    pending: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for row in _rows(using):
        seq, stored_hash, data = row[0], row[15], row[16]
        values = (seq, canonical.format_time(row[1]), *row[2:15])
        if seq != result.entries + 1:
            return result.fail(result.entries + 1, f"entry {result.entries + 1} is missing (next is {seq})")
        if row[14] != expected_prev:
            return result.fail(seq, "prev_hash does not match the hash of the entry before it")
        if canonical.entry_hash(values) != stored_hash:
            return result.fail(seq, "the entry's fields do not match its hash")
        history_model, history_id, digest = row[9], row[10], row[13]
        if history_model:
            pending[history_model].append((seq, history_id, digest))
        elif event_digest(row[6], data) != digest:
            return result.fail(seq, "the event payload does not match its digest")
        if seq == 1:
            result.chain_id = stored_hash
        result.entries, result.head_seq, result.head, expected_prev = seq, seq, stored_hash, stored_hash
        if progress and seq % CHUNK == 0:
            progress(CHUNK)
    _check_history(result, pending, using)
    if result.ok and checkpoint is not None:
        _check_checkpoint(result, checkpoint, using)
    return result


def _check_history(result: VerifyResult, pending: dict[str, list[tuple[int, int, str]]], using: str) -> None:
    broken: list[tuple[int, str]] = []
    for label, refs in pending.items():
        try:
            model = apps.get_model(label)
        except LookupError:
            broken.append((refs[0][0], f"names an unknown history table {label}"))
            continue
        fields = history_fields(model)
        names = [name for name, _ in fields]
        pk = model._meta.pk.attname
        pk_index = names.index(pk)
        rows: dict[int, tuple[Any, ...]] = {}
        ids = [history_id for _, history_id, _ in refs]
        for start in range(0, len(ids), CHUNK):
            for values in model.objects.using(using).filter(pk__in=ids[start:start + CHUNK]).values_list(*names):
                rows[values[pk_index]] = values
        for seq, history_id, digest in refs:
            values = rows.get(history_id)
            if values is None:
                broken.append((seq, f"its historical row {label} #{history_id} is missing"))
            elif digest_values(fields, values) != digest:
                broken.append((seq, f"its historical row {label} #{history_id} was changed"))
    if broken:
        seq, problem = min(broken)
        result.fail(seq, problem)


def _check_checkpoint(result: VerifyResult, checkpoint: dict[str, Any], using: str) -> None:
    result.checkpoint = checkpoint
    if checkpoint.get("chain_id") and result.chain_id and checkpoint["chain_id"] != result.chain_id:
        result.fail(1, "the chain's first entry differs from the one the published checkpoint belongs to")
        return
    seq = int(checkpoint["seq"])
    if seq > result.head_seq:
        result.fail(result.head_seq + 1, f"the chain ends at {result.head_seq} but entry {seq} was published")
        return
    stored = LedgerEntry.objects.using(using).filter(seq=seq).values_list("hash", flat=True).first()
    if stored != checkpoint["hash"]:
        result.fail(seq, "the entry differs from the published checkpoint")
