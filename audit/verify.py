"""Recompute the whole log: every entry's leaf hash, every digest against the historical row or event payload it
names, the Merkle tree from its leaves (every stored subtree hash, the positions without a gap, every entry either
in the tree or waiting for it, none waiting longer than the log's maximum merge delay), and every signed
checkpoint's root against the tree."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connections, models

from audit import canonical, logverify, merkle
from audit.history import digest_values, history_fields
from audit.ledger import event_digest
from audit.migration_guard import digests_root
from audit.models import Checkpoint, HistoricalBase, Leaf, LedgerEntry, PendingEntry, TreeNode
from audit.rebase import REBASED_ACTION, rebase_batches, rebased_digests

CHUNK = 5000
_COLUMNS = (
    "seq", "at", "actor_id", "actor", "role", "ip", "action", "object_type", "object_id",
    "history_model", "history_id", "project", "reason", "digest", "hash", "data",
)


@dataclass
class VerifyResult:
    ok: bool = True
    entries: int = 0
    tree_size: int = 0
    root_hash: str = ""
    pending: int = 0
    oldest_pending_seconds: float = 0.0
    checkpoints: int = 0
    broken_seq: int | None = None
    problem: str = ""
    checkpoint: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)
    live_rows: int = 0
    differences: list[str] = field(default_factory=list)  # live rows their history does not account for

    def fail(self, seq: int | None, problem: str) -> VerifyResult:
        if self.ok:
            self.ok, self.broken_seq, self.problem = False, seq, problem
        return self

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok, "entries": self.entries, "tree_size": self.tree_size, "root_hash": self.root_hash,
            "pending": self.pending, "oldest_pending_seconds": self.oldest_pending_seconds,
            "checkpoints": self.checkpoints, "broken_seq": self.broken_seq, "problem": self.problem,
            "checkpoint": self.checkpoint, "live_rows": self.live_rows, "differences": self.differences,
        }


def _rows(using: str, top: int) -> Iterator[tuple[Any, ...]]:
    """Raw rows in number order (no ORM converters: this loop runs a million times), the time already as the
    canonical integer microseconds and the event payload decoded from its JSON text. On PostgreSQL the database
    does both conversions: building an aware datetime per row cost more than the hashing."""
    connection = connections[using]
    columns = list(_COLUMNS)
    if connection.vendor == "postgresql":  # EXTRACT(EPOCH ...) is numeric, so the microseconds are exact
        columns[1] = "(EXTRACT(EPOCH FROM at) * 1000000)::bigint"
        columns[15] = "data::text"
    # ranges of the primary key, not "after the last one, LIMIT n": with no statistics yet (a freshly loaded
    # ledger) PostgreSQL planned that as a scan and an on-disk sort of the whole rest of the table per chunk
    table = LedgerEntry._meta.db_table
    sql = f"SELECT {', '.join(columns)} FROM {table} WHERE seq > %s AND seq <= %s ORDER BY seq"  # noqa: S608
    loads, parse, utc, micros = json.loads, dt.datetime.fromisoformat, dt.UTC, canonical.format_time
    low = 0
    with connection.cursor() as cursor:
        while low < top:
            cursor.execute(sql, [low, low + CHUNK])
            chunk = cursor.fetchall()
            if not chunk:  # numbers a rolled-back write took: go straight to the next entry, however far on
                cursor.execute(f"SELECT MIN(seq) - 1 FROM {table} WHERE seq > %s", [low])  # noqa: S608
                low = cursor.fetchone()[0]
                continue
            for row in chunk:
                at, data = row[1], row[15]
                if not isinstance(at, int):
                    if isinstance(at, str):  # SQLite keeps UTC text (naive when its converters parsed it)
                        at = parse(at)
                    at = micros(at if at.tzinfo else at.replace(tzinfo=utc))
                yield (*row[:1], at, *row[2:15], loads(data) if isinstance(data, str) else data)
            low += CHUNK


PARALLEL_FROM = 20_000  # entries; below it a second process costs more than it saves


def verify_chain(
    *, using: str = "default", checkpoint: dict[str, Any] | None = None,
    progress: Callable[[int], None] | None = None, parallel: bool | None = None, live: bool = True,
) -> VerifyResult:
    """The first broken entry wins, whether its hash, its digest or its place in the tree broke it; then (with
    `live`) every live row is compared with its last historical row, so a write that went around the history is
    named too. With `parallel` (default: outside a transaction and past PARALLEL_FROM entries) the historical
    rows are checked in a forked process while this one walks the log: the two halves of the work each take
    about one core."""
    connection = connections[using]
    if parallel is None:
        parallel = not connection.in_atomic_block and LedgerEntry.objects.using(using).count() >= PARALLEL_FROM
    # what the log holds now: everything below is checked against this size and this last entry, so that writes and
    # sequencing while the check runs (PostgreSQL commits entries out of number order) are left for the next run
    size, top = merkle.tree_size(using), _last_entry(using)
    child = _start_history_child(using) if parallel else None
    result, pending = _walk_entries(using, top, collect=child is None, progress=progress)
    broken = child.result() if child is not None else _check_history(pending, using)
    if broken:
        seq, problem = min(broken)
        if result.ok or seq < (result.broken_seq or 0):
            result.ok, result.broken_seq, result.problem = False, seq, problem
    if result.ok:
        _check_tree(result, using, size, top)
    if result.ok:
        _check_checkpoints(result, checkpoint, using)
    if live:
        result.live_rows, differences = verify_live(using=using)
        result.differences = [str(d) for d in differences]
        if differences and result.ok:
            result.ok, result.problem = False, result.differences[0]
    return result


def _last_entry(using: str) -> int:
    return LedgerEntry.objects.using(using).order_by("-seq").values_list("seq", flat=True).first() or 0


def _walk_entries(using: str, top: int, *, collect: bool, progress: Callable[[int], None] | None):
    result = VerifyResult()
    pending: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    entry_hash = canonical.entry_hash
    for row in _rows(using, top):
        seq, stored_hash, data = row[0], row[14], row[15]
        if entry_hash(row[:14]) != stored_hash:
            result.fail(seq, "the entry's fields do not match its hash")
        elif not row[9] and event_digest(row[6], data) != row[13]:
            result.fail(seq, "the event payload does not match its digest")
        if not result.ok:
            break
        if collect and row[9]:
            pending[row[9]].append((seq, row[10], row[13]))
        result.entries += 1
        if progress and result.entries % CHUNK == 0:
            progress(CHUNK)
    return result, pending


def _check_tree(result: VerifyResult, using: str, size: int, top: int) -> None:
    """The first `size` leaves in order, each the hash of the entry it names and none back-dated; every stored
    subtree among them recomputed; every entry up to `top` in the tree or waiting for it."""
    level = _leaf_hashes(result, using, size)
    if not result.ok:
        return
    result.tree_size = size
    edge: list[bytes] = []  # the complete subtrees on the right edge, lowest first
    height, node = 0, logverify.node_hash
    while len(level) > 1:
        if len(level) % 2:
            edge.append(level[-1])
        level = [node(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        height += 1
        if not _same_as_stored(result, height, level, using):
            return
    if level:
        edge.append(level[0])
    result.root_hash = merkle.fold(edge[::-1]).hex()
    _check_pending(result, using, top)


def _leaf_rows_sql(connection: Any) -> str:
    index = connection.ops.quote_name("index")
    at = ("(EXTRACT(EPOCH FROM e.at) * 1000000)::bigint" if connection.vendor == "postgresql" else "e.at")
    return (f"SELECT l.{index}, l.hash, e.hash, l.entry_seq, {at} "  # noqa: S608
            f"FROM {Leaf._meta.db_table} l LEFT JOIN {LedgerEntry._meta.db_table} e ON e.seq = l.entry_seq "
            f"WHERE l.{index} >= %s AND l.{index} < %s ORDER BY l.{index}")


def _leaf_hashes(result: VerifyResult, using: str, size: int) -> list[bytes]:
    connection = connections[using]
    leaves: list[bytes] = []
    floors = _time_floors(using, size)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {Leaf._meta.db_table} "  # noqa: S608
                       f"WHERE {connection.ops.quote_name('index')} < %s", [size])
        if cursor.fetchone()[0] != size:
            result.fail(None, f"a position below {size} is missing from the tree")
            return leaves
        fromhex, step, sql = bytes.fromhex, CHUNK * 4, _leaf_rows_sql(connection)
        for low in range(0, size, step):
            cursor.execute(sql, [low, min(low + step, size)])
            rows = cursor.fetchall()
            if [row[2] for row in rows] != [row[1] for row in rows]:  # find the first, to name it
                for index, leaf, entry, seq, _at in rows:
                    if entry is None:
                        result.fail(seq, f"leaf {index} names entry {seq}, which is not in the ledger")
                        return leaves
                    if entry != leaf:
                        result.fail(seq, f"leaf {index} does not hold the hash of entry {seq}")
                        return leaves
            if floors and not _not_back_dated(result, rows, floors):
                return leaves
            leaves.extend(fromhex(row[1]) for row in rows)
    return leaves


def _time_floors(using: str, size: int) -> list[tuple[int, int]]:
    """(tree size, earliest time in microseconds an entry placed at or after it may carry) for each signed
    checkpoint: an entry sequenced after a checkpoint was written at most the maximum merge delay before it, with
    as much again for the longest transaction. An older time is an entry written in later and dated back."""
    tolerance = 2 * settings.AUDIT_MAX_MERGE_DELAY_SECONDS * 1_000_000
    rows = (Checkpoint.objects.using(using).filter(origin=settings.AUDIT_LOG_ORIGIN, tree_size__lte=size)
            .order_by("tree_size").values_list("tree_size", "timestamp"))
    floors, highest = [], None
    for tree_size, stamp in rows:
        floor = canonical.format_time(stamp) - tolerance
        if highest is None or floor > highest:
            floors.append((tree_size, floor))
            highest = floor
    return floors


def _not_back_dated(result: VerifyResult, rows: list[tuple[Any, ...]], floors: list[tuple[int, int]]) -> bool:
    for index, _leaf, _entry, seq, at in rows:
        floor = None
        for tree_size, value in floors:
            if tree_size > index:
                break
            floor = value
        if floor is None:
            continue
        if not isinstance(at, int):
            moment = dt.datetime.fromisoformat(at) if isinstance(at, str) else at
            at = canonical.format_time(moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC))
        if at < floor:
            result.fail(seq, f"entry {seq} at leaf {index} is dated before a checkpoint that did not contain it "
                             "(by more than twice the maximum merge delay): it was written in later and back-dated")
            return False
    return True


def _same_as_stored(result: VerifyResult, height: int, computed: list[bytes], using: str) -> bool:
    """The stored subtrees of one height among the first leaves against those recomputed, compared as whole
    lists (a raw query: this reads as many rows as there are leaves). Subtrees the tree grew since are not read."""
    first = merkle.node_key(height, 0)
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT key, hash FROM {TreeNode._meta.db_table} WHERE key >= %s AND key < %s "  # noqa: S608
                       "ORDER BY key", [first, first + len(computed)])
        rows = cursor.fetchall()
    if len(rows) != len(computed):
        result.fail(None, f"the tree stores {len(rows)} subtrees at height {height}, its leaves make "
                          f"{len(computed)}")
        return False
    keys, hashes = [key for key, _ in rows], [value for _, value in rows]
    expected = [value.hex() for value in computed]
    if keys != list(range(first, first + len(rows))) or hashes != expected:
        count = next(n for n, (key, value) in enumerate(rows) if key != first + n or value != expected[n])
        result.fail(None, f"the stored hash of subtree {count} at height {height} differs from its leaves")
        return False
    return True


def _check_pending(result: VerifyResult, using: str, top: int) -> None:
    """Every entry up to `top` is a leaf or waits to be one (never both, never neither), and none waits too long.
    The counts come from one statement, so they see one moment of the log."""
    connection = connections[using]
    ledger, leaf, waiting_table = (LedgerEntry._meta.db_table, Leaf._meta.db_table, PendingEntry._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT (SELECT COUNT(*) FROM {ledger} WHERE seq <= %s), "  # noqa: S608
                       f"(SELECT COUNT(*) FROM {leaf} WHERE entry_seq <= %s), "
                       f"(SELECT COUNT(*) FROM {waiting_table} WHERE entry_seq <= %s), "
                       f"(SELECT COUNT(*) FROM {waiting_table})", [top, top, top])
        entries, sequenced, waiting, result.pending = cursor.fetchone()
    pending = PendingEntry.objects.using(using)
    doubled = pending.filter(entry_seq__in=Leaf.objects.using(using).values("entry_seq")).first()
    if doubled is not None:
        result.fail(doubled.entry_seq, f"entry {doubled.entry_seq} is in the tree and still waiting for it")
        return
    ghosts = pending.exclude(entry_seq__in=LedgerEntry.objects.using(using).values("seq")).first()
    if ghosts is not None:
        result.fail(ghosts.entry_seq, f"entry {ghosts.entry_seq} waits for the tree but is not in the ledger")
        return
    if entries != sequenced + waiting:
        lost = (LedgerEntry.objects.using(using).filter(seq__lte=top)
                .exclude(seq__in=Leaf.objects.using(using).values("entry_seq"))
                .exclude(seq__in=pending.values("entry_seq")).order_by("seq").values_list("seq", flat=True).first())
        if lost is not None:
            result.fail(lost, f"entry {lost} is neither in the tree nor waiting for it")
            return
    oldest = (LedgerEntry.objects.using(using).filter(seq__in=pending.values("entry_seq"))
              .order_by("at").values_list("at", flat=True).first())
    if oldest is not None:
        result.oldest_pending_seconds = round((_database_now(using) - oldest).total_seconds(), 3)
        if result.oldest_pending_seconds > settings.AUDIT_MAX_MERGE_DELAY_SECONDS:
            result.fail(None, f"{result.pending} entries wait for the tree, the oldest for "
                              f"{result.oldest_pending_seconds:.0f} s (the log promises "
                              f"{settings.AUDIT_MAX_MERGE_DELAY_SECONDS} s): is the sequencer running?")


def _database_now(using: str) -> dt.datetime:
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT clock_timestamp()")
            return cursor.fetchone()[0]
        cursor.execute("SELECT strftime('%Y-%m-%d %H:%M:%f', 'now')")
        return dt.datetime.fromisoformat(cursor.fetchone()[0]).replace(tzinfo=dt.UTC)


def _check_checkpoints(result: VerifyResult, published: dict[str, Any] | None, using: str) -> None:
    """Every checkpoint the platform signed, and the latest published one, against the recomputed tree."""
    from audit.checkpoints import check_signature

    documents = [(f"checkpoint of {c.tree_size}", c.note) for c in Checkpoint.objects.using(using)
                 .filter(origin=settings.AUDIT_LOG_ORIGIN)]
    if published is not None:
        result.checkpoint = published
        documents.append(("the published checkpoint", published.get("note", "")))
    for name, note in documents:
        try:
            check_signature(note)
            _, size, root, _ = logverify.parse_checkpoint_body(logverify.split_note(note)[0])
        except logverify.Mismatch as exc:
            result.fail(None, f"{name}: {exc}")
            return
        if size > result.tree_size:
            if merkle.tree_size(using) >= size:
                continue  # signed after this check began: the next run checks it
            result.fail(None, f"{name} has {size} entries, the tree only {result.tree_size}: the log was cut")
            return
        if merkle.root(size, using) != root:
            result.fail(None, f"{name} differs from the tree: the log was rewritten")
            return
    result.checkpoints = len(documents)


class _HistoryChild:
    def __init__(self, process: Any, receiver: Any) -> None:
        self.process, self.receiver = process, receiver

    def result(self) -> list[tuple[int, str]]:
        broken = self.receiver.recv()
        self.process.join()
        return broken


def _start_history_child(using: str) -> _HistoryChild:
    connections.close_all()  # never share a database socket across fork
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_history_child, args=(sender, using), daemon=True)
    process.start()
    sender.close()
    return _HistoryChild(process, receiver)


def _history_child(sender: Any, using: str) -> None:
    pending: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    refs = (LedgerEntry.objects.using(using).exclude(history_model="").order_by("seq")
            .values_list("seq", "history_model", "history_id", "digest"))
    for seq, label, history_id, digest in refs.iterator(chunk_size=CHUNK):
        pending[label].append((seq, history_id, digest))
    try:
        sender.send(_check_history(pending, using))
    finally:
        connections.close_all()
        sender.close()


def _check_history(pending: dict[str, list[tuple[int, int, str]]], using: str) -> list[tuple[int, str]]:
    broken: list[tuple[int, str]] = []
    for label, refs in pending.items():
        try:
            model = apps.get_model(label)
        except LookupError:
            broken.append((refs[0][0], f"names an unknown history table {label}"))
            continue
        fields = history_fields(model)
        rows = _history_rows(model, [history_id for _, history_id, _ in refs], using)
        rebased: dict[int, str] | None = None  # read only when a digest differs
        for seq, history_id, digest in refs:
            values = rows.get(history_id)
            if values is None:
                broken.append((seq, f"its historical row {label} #{history_id} is missing"))
                continue
            actual = digest_values(fields, values)
            if actual != digest:
                if rebased is None:  # a migration changed the table's columns and re-based it, on the record
                    rebased = rebased_digests(model._meta.label, using)
                if rebased.get(history_id) != actual:
                    broken.append((seq, f"its historical row {label} #{history_id} was changed"))
    return broken + _check_rebases(using)


def _check_rebases(using: str) -> list[tuple[int, str]]:
    """Every batch of re-based digests matches the count and SHA-256 its history_rebased entry vouches for."""
    batches = rebase_batches(using)
    events = dict(LedgerEntry.objects.using(using).filter(action=REBASED_ACTION).values_list("seq", "data"))
    broken = []
    for seq in sorted(set(batches) | set(events)):
        data, pairs = events.get(seq) or {}, batches.get(seq, [])
        if data.get("rows") != len(pairs) or data.get("digests_sha256") != digests_root(pairs):
            broken.append((seq, "the re-based digests differ from those its history_rebased entry recorded"))
    return broken


def _converter(field: models.Field, vendor: str) -> Callable[[Any], Any] | None:
    """Raw column value → the Python value the write side digested (no ORM: this runs per row and column)."""
    utc, parse = dt.UTC, dt.datetime.fromisoformat
    if isinstance(field, models.DateTimeField):
        def to_datetime(value: Any) -> Any:
            if isinstance(value, str):
                value = parse(value)
            return value.replace(tzinfo=utc) if value is not None and value.tzinfo is None else value
        return to_datetime
    if isinstance(field, models.DecimalField):
        return lambda v: None if v is None else Decimal(repr(v) if isinstance(v, float) else str(v))
    if isinstance(field, models.BooleanField):
        return lambda v: None if v is None else bool(v)
    if isinstance(field, models.JSONField):
        return lambda v: json.loads(v) if isinstance(v, str) else v
    if isinstance(field, models.DateField) and vendor == "sqlite":
        return lambda v: dt.date.fromisoformat(v) if isinstance(v, str) else v
    return None


def _history_rows(model: type[models.Model], ids: list[int], using: str) -> dict[int, tuple[Any, ...]]:
    """The historical rows named by the ledger, fetched by id ranges and converted column by column."""
    connection = connections[using]
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    names = [name for name, _ in history_fields(model)]
    converters = [(n, c) for n, c in enumerate(_converter(by_attname[name], connection.vendor) for name in names) if c]
    pk_index = names.index(model._meta.pk.attname)
    quote = connection.ops.quote_name
    sql = (f"SELECT {', '.join(quote(by_attname[n].column) for n in names)} FROM {quote(model._meta.db_table)} "  # noqa: S608
           f"WHERE {quote(model._meta.pk.column)} BETWEEN %s AND %s")
    wanted, rows = set(ids), {}
    ordered = sorted(wanted)
    with connection.cursor() as cursor:
        for start in range(0, len(ordered), CHUNK):
            part = ordered[start:start + CHUNK]
            cursor.execute(sql, [part[0], part[-1]])
            for raw in cursor.fetchall():
                if raw[pk_index] not in wanted:
                    continue
                row = list(raw)
                for index, convert in converters:
                    row[index] = convert(row[index])
                rows[raw[pk_index]] = tuple(row)
    return rows


# --- the live tables against their history ------------------------------------------------------------------------

@dataclass(frozen=True)
class LiveDifference:
    """A live row that its history does not account for: a field that differs from the row's last historical
    record, a row with no history, a row deleted without a deletion record, or a row back after its deletion."""

    table: str
    pk: Any
    problem: str
    field: str = ""

    def __str__(self) -> str:
        where = f"{self.table} #{self.pk}" + (f" field {self.field}" if self.field else "")
        return f"{where}: {self.problem}"


def audited_models() -> list[tuple[type[models.Model], type[models.Model]]]:
    """(live model, historical model) of every model that keeps history on the shared base."""
    return [(history.instance_type, history) for history in apps.get_models()
            if issubclass(history, HistoricalBase) and getattr(history, "instance_type", None) is not None]


def verify_live(*, using: str = "default", limit: int = 20) -> tuple[int, list[LiveDifference]]:
    """Compare every live row of every audited model with its latest historical row, column by column as the
    database stores both (the same column types, so no conversion can hide or invent a difference). Answers the
    number of rows compared and the first `limit` differences, table by table."""
    compared, found = 0, []
    for live, history in audited_models():
        count, differences = _compare_table(live, history, using, limit - len(found))
        compared += count
        found += differences
        if len(found) >= limit:
            break
    return compared, found


def _compare_table(live: type[models.Model], history: type[models.Model], using: str,
                   limit: int) -> tuple[int, list[LiveDifference]]:
    connection = connections[using]
    quote = connection.ops.quote_name
    live_columns = {f.attname: f.column for f in live._meta.concrete_fields}
    tracked = [f for f in history._meta.concrete_fields if f.attname in live_columns]
    pk = live._meta.pk
    names = [f.attname for f in tracked]
    pk_index = names.index(pk.attname)
    history_columns = ", ".join(quote(f.column) for f in tracked)
    latest = (f"SELECT {history_columns}, history_type FROM (SELECT {history_columns}, history_type, "  # noqa: S608
              f"ROW_NUMBER() OVER (PARTITION BY {quote(pk.column)} ORDER BY history_id DESC) AS n "
              f"FROM {quote(history._meta.db_table)}) last WHERE n = 1")
    current = (f"SELECT {', '.join(quote(live_columns[name]) for name in names)} "  # noqa: S608
               f"FROM {quote(live._meta.db_table)}")
    table, found = live._meta.db_table, []
    with connection.cursor() as cursor:
        cursor.execute(latest)
        recorded = {row[pk_index]: row for row in cursor.fetchall()}
        cursor.execute(current)
        rows = cursor.fetchall()
    for row in rows:
        last = recorded.pop(row[pk_index], None)
        if last is None:
            found.append(LiveDifference(table, row[pk_index], "the row has no history: it was written around it"))
        elif last[-1] == "-":
            found.append(LiveDifference(table, row[pk_index], "the row exists although its history records its "
                                                               "deletion"))
        else:
            for name, now, then in zip(names, row, last, strict=False):
                if now != then:
                    found.append(LiveDifference(table, row[pk_index], f"is {_short(now)} in the table but "
                                                f"{_short(then)} in the row's last history record", field=name))
                    break
        if len(found) >= limit:
            return len(rows), found
    for key, last in sorted(recorded.items(), key=lambda item: str(item[0])):
        if last[-1] != "-":
            found.append(LiveDifference(table, key, "the row is gone but its history records no deletion"))
            if len(found) >= limit:
                break
    return len(rows), found


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
